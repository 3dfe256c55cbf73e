"""Whatever arrives, the offline model answers with plain JSON and never raises."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesbot.assistant.offline import Context, Intent
from tests.unit.assistant.helpers import ask, only_proposal

VOCABULARY = (
    "make proposal landmark gateway jawhara uae21 start Jan 1st 2026 05/11/2025 Dec 1 weeks "
    "2 4 rates 1.5M 2,800,000 750k AED USD $ client Nike combined package rate mockup night "
    "with a watch on black list digital static booking order for Viola change municipality "
    "fee to 8000 sla 10% approve reject because submit delete yes no , . : and the"
)
WORDS = st.sampled_from(VOCABULARY.split())


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(WORDS, max_size=25).map(" ".join))
def test_sentences_from_the_vocabulary_always_give_a_usable_intent(message: str) -> None:
    _check(ask(message))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_always_gives_a_usable_intent(message: str) -> None:
    _check(ask(message))


@settings(max_examples=150, deadline=None)
@given(first=st.lists(WORDS, max_size=15).map(" ".join), second=st.text(max_size=80))
def test_answers_to_any_question_always_give_a_usable_intent(first: str, second: str) -> None:
    pending = ask(first)
    _check(ask(second, pending=pending if pending.missing else None))


def _check(intent: Intent) -> None:
    json.dumps(intent.args)
    assert intent.tool is not None or intent.reply
    if intent.missing:
        assert intent.reply


def test_a_huge_message_is_not_echoed_back() -> None:
    message = "proposal for " + "x" * 50_000
    intent = ask(message)
    assert intent.reply is not None
    assert len(intent.reply) < 1_000


def test_pending_intents_survive_a_round_trip_through_json() -> None:
    first = ask("landmark proposal, start Jan 1st 2026, 2 weeks, 4 weeks, rates 1.5M")
    stored = json.loads(json.dumps({"tool": first.tool, "args": first.args}))
    restored = Intent(stored["tool"], stored["args"], first.missing, first.reply)
    done = ask("2.8M more, client Nike", pending=restored)
    assert isinstance(done, Intent)
    assert Context(pending=restored).pending == restored


def test_a_number_of_thousands_of_digits_is_no_crash() -> None:
    """Python refuses int() of a 5,000-digit string: the lexer must never try."""
    _check(ask("9" * 5000))
    intent = ask("landmark proposal 2 weeks start Jan 1 2026 client Nike rate " + "9" * 5000)
    _check(intent)


def test_ten_thousand_of_one_symbol_gets_the_help() -> None:
    intent = ask("#" * 10_000)
    assert intent.tool is None and intent.reply is not None
    assert intent.reply.startswith("Here is what you can ask me")


def test_arabic_keywords_for_the_main_proposal_intent() -> None:
    """عرض سعر = quotation, للعميل = for the client, اسبوعين = two weeks."""
    intent = ask("عرض سعر للعميل Nike landmark اسبوعين 1.5M start Jan 1 2026")
    assert intent.missing == ()
    assert intent.args["client_name"] == "Nike"
    entry = only_proposal(intent)
    assert entry["durations"] == ["2 weeks"] and entry["net_rates"] == ["1500000"]


def test_a_typo_in_a_field_name_is_still_read() -> None:
    intent = ask("landmark proposal 2 weeks start jan 1 2026 1.5M clinet Nike")
    assert intent.missing == ()
    assert intent.args["client_name"] == "Nike"


def test_rates_split_by_slashes_go_one_per_location() -> None:
    intent = ask("proposal for landmark and jawhara 2 weeks start Jan 1 2026 1.5M/900K client Nike")
    assert intent.missing == ()
    proposals = intent.args["proposals"]
    assert isinstance(proposals, list)
    assert [(p["location"], p["net_rates"]) for p in proposals] == [
        ("landmark", ["1500000"]),
        ("jawhara", ["900000"]),
    ]


def test_a_place_after_the_client_name_is_the_location() -> None:
    intent = ask("proposal client Nike landmark 2 weeks 1.5M start Jan 1 2026")
    assert intent.args["client_name"] == "Nike"
    assert only_proposal(intent)["location"] == "landmark"
