"""Separate proposals: one or several locations, each with dates, durations and rates."""

from __future__ import annotations

import json

import pytest

from tests.unit.assistant.helpers import answer, ask, only_proposal

LANDMARK = (
    "make me a landmark proposal, start Jan 1st 2026, durations 2 weeks, 4 weeks, "
    "rates 1.5M, 2.8M, client Nike"
)


def test_the_reference_request_becomes_one_tool_call() -> None:
    intent = ask(LANDMARK)
    assert intent.missing == ()
    assert intent.reply is None
    assert intent.args == {
        "client_name": "Nike",
        "proposals": [
            {
                "location": "landmark",
                "start_date": "2026-01-01",
                "durations": ["2 weeks", "4 weeks"],
                "net_rates": ["1500000", "2800000"],
            }
        ],
    }
    json.dumps(intent.args)  # what the agent sends must be plain JSON


@pytest.mark.parametrize(
    "message",
    [
        "Create a proposal for Nike on The Landmark starting 1st January 2026 for 2 weeks and "
        "4 weeks at AED 1,500,000 and AED 2,800,000",
        "landmark proposal for Nike: 2 and 4 weeks, rates 1,500,000 / 2,800,000, from 01/01/2026",
        "Quote for the landmark, client: Nike, start 2026-01-01, 2 weeks at 1.5M, 4 weeks at 2.8M",
        "proposal landmrk client Nike start January 1, 2026 durations 2 weeks 4 weeks "
        "rates 1.5 million 2.8 million",
    ],
)
def test_the_same_request_in_other_words(message: str) -> None:
    entry = only_proposal(ask(message))
    assert entry["location"] == "landmark"
    assert entry["start_date"] == "2026-01-01"
    assert entry["durations"] == ["2 weeks", "4 weeks"]
    assert entry["net_rates"] == ["1500000", "2800000"]


def test_three_rate_options_in_a_compact_list() -> None:
    entry = only_proposal(
        ask("landmark 2, 4 and 8 weeks, rates 1.5M/2.8M/4M, start Jan 1st 2026, client Nike")
    )
    assert entry["durations"] == ["2 weeks", "4 weeks", "8 weeks"]
    assert entry["net_rates"] == ["1500000", "2800000", "4000000"]


def test_several_locations_each_with_their_own_details() -> None:
    intent = ask(
        "separate proposals for Nike - gateway 2 weeks 1M starting Dec 1st, "
        "jawhara 4 weeks 2M starting Dec 15th"
    )
    assert intent.tool == "create_separate_proposals"
    assert intent.args["proposals"] == [
        {
            "location": "dubai_gateway",
            "start_date": "2025-12-01",
            "durations": ["2 weeks"],
            "net_rates": ["1000000"],
        },
        {
            "location": "jawhara",
            "start_date": "2025-12-15",
            "durations": ["4 weeks"],
            "net_rates": ["2000000"],
        },
    ]


def test_locations_listed_together_share_the_details() -> None:
    intent = ask("proposals for gateway and jawhara, start Jan 1 2026, 4 weeks, 2M, client Nike")
    proposals = intent.args["proposals"]
    assert isinstance(proposals, list)
    assert [p["location"] for p in proposals] == ["dubai_gateway", "jawhara"]
    assert all(p["net_rates"] == ["2000000"] and p["durations"] == ["4 weeks"] for p in proposals)


def test_details_written_before_the_locations_apply_to_them() -> None:
    intent = ask("start Jan 1 2026, 4 weeks, rates 2M for gateway and jawhara, client Nike")
    proposals = intent.args["proposals"]
    assert isinstance(proposals, list) and len(proposals) == 2
    assert all(p["start_date"] == "2026-01-01" for p in proposals)


def test_both_marks_details_shared_after_per_location_dates() -> None:
    intent = ask(
        "gateway starting Jan 1 2026 and jawhara starting Feb 1 2026, both 4 weeks at 2M, "
        "client Nike"
    )
    proposals = intent.args["proposals"]
    assert isinstance(proposals, list)
    assert [p["start_date"] for p in proposals] == ["2026-01-01", "2026-02-01"]
    assert all(p["net_rates"] == ["2000000"] for p in proposals)
    assert intent.missing == ()


def test_currency_payment_terms_and_spots() -> None:
    intent = ask(
        "landmark, 2 spots, 4 weeks 1M start Jan 1, client Nike, in USD, "
        "payment terms 50% upfront 50% on completion"
    )
    assert intent.args["currency"] == "USD"
    assert intent.args["payment_terms"] == "50% upfront 50% on completion"
    assert only_proposal(intent)["spots"] == 2


@pytest.mark.parametrize(
    ("phrase", "code"), [("in USD", "USD"), ("show in $", "USD"), ("in euros", "EUR")]
)
def test_currency_phrasings(phrase: str, code: str) -> None:
    intent = ask(f"landmark proposal, client Nike, start Jan 1 2026, 2 weeks, 1.5M, {phrase}")
    assert intent.args["currency"] == code
    assert only_proposal(intent)["net_rates"] == ["1500000"]


def test_payment_terms_written_before_their_keyword() -> None:
    intent = ask("landmark proposal for Nike, Jan 1 2026, 2 weeks, 1.5M, 50% upfront payment terms")
    assert intent.args["payment_terms"] == "50% upfront"


def test_an_end_date_implies_the_duration() -> None:
    entry = only_proposal(
        ask("proposal for Nike on the gateway from Jan 1 2026 to Jan 14 2026 at 1.2M")
    )
    assert entry["end_date"] == "2026-01-14"
    assert entry["durations"] == ["2 weeks"]


def test_static_location_needs_a_production_fee() -> None:
    intent = ask("uae21 proposal start Dec 1 4 weeks 100k client Nike")
    assert intent.missing == ("production_fee:uae21",)
    assert intent.reply == "What is the production fee for UAE21? It's a static location."
    done = answer(intent, "production fee 5000")
    assert done.missing == ()
    assert only_proposal(done)["production_fee"] == "5000"


def test_a_bare_amount_answers_the_production_fee_question() -> None:
    intent = ask("uae21 proposal start Dec 1 4 weeks 100k client Nike")
    entry = only_proposal(answer(intent, "5,000"))
    assert entry["production_fee"] == "5000"
    assert entry["net_rates"] == ["100000"]


def test_production_fee_given_up_front_for_a_named_location() -> None:
    intent = ask("uae21 proposal, Dec 1, 4 weeks, 100k, production fee 5000, client Nike")
    assert intent.missing == ()
    assert only_proposal(intent)["production_fee"] == "5000"


def test_missing_client_is_asked_and_a_bare_name_answers() -> None:
    intent = ask(
        "landmark proposal, start Jan 1st 2026, durations 2 weeks, 4 weeks, rates 1.5M, 2.8M"
    )
    assert intent.missing == ("client_name",)
    assert intent.reply == "Who is the client?"
    done = answer(intent, "Nike")
    assert done.missing == ()
    assert done.args["client_name"] == "Nike"


@pytest.mark.parametrize(
    ("reply", "client"),
    [("it's for Nike Middle East", "Nike Middle East"), ("client is Adidas", "Adidas")],
)
def test_client_answers_in_a_sentence(reply: str, client: str) -> None:
    intent = ask("landmark proposal, start Jan 1 2026, 2 weeks, 1.5M")
    assert answer(intent, reply).args["client_name"] == client


def test_the_client_from_the_conversation_is_reused() -> None:
    intent = ask("jawhara 2M 2 weeks Dec 1", client_name="Nike")
    assert intent.missing == ()
    assert intent.args["client_name"] == "Nike"
    assert only_proposal(intent) == {
        "location": "jawhara",
        "start_date": "2025-12-01",
        "durations": ["2 weeks"],
        "net_rates": ["2000000"],
    }


def test_currency_and_terms_from_the_conversation_are_reused() -> None:
    intent = ask(
        "jawhara 2M 2 weeks Dec 1", client_name="Nike", currency="EUR", payment_terms="50/50"
    )
    assert (intent.args["currency"], intent.args["payment_terms"]) == ("EUR", "50/50")


def test_mismatched_durations_and_rates_are_asked_about() -> None:
    intent = ask(
        "landmark proposal, start Jan 1st 2026, durations 2 weeks, 4 weeks, rates 1.5M, client Nike"
    )
    assert intent.missing == ("net_rates:landmark",)
    assert intent.reply is not None
    assert "2 durations but 1 rate" in intent.reply
    assert "What are the net rates for each duration?" in intent.reply
    fixed = answer(intent, "1.5M, 2.8M")
    assert fixed.missing == ()
    assert only_proposal(fixed)["net_rates"] == ["1500000", "2800000"]


def test_missing_rates_use_the_plain_question() -> None:
    intent = ask("landmark proposal, start Jan 1 2026, 2 weeks, 4 weeks, client Nike")
    assert intent.missing == ("net_rates:landmark",)
    assert intent.reply == "What are the net rates for each duration?"


def test_several_missing_fields_are_asked_together() -> None:
    intent = ask("proposal for the gateway")
    assert set(intent.missing) == {
        "client_name",
        "start_date:dubai_gateway",
        "durations:dubai_gateway",
        "net_rates:dubai_gateway",
    }
    assert intent.reply is not None and intent.reply.count("\n- ") == 4


def test_a_conversation_can_fill_the_gaps_one_answer_at_a_time() -> None:
    step = ask("proposal for the gateway, client Nike")
    step = answer(step, "start Dec 1")
    step = answer(step, "4 weeks")
    assert step.missing == ("net_rates:dubai_gateway",)
    done = answer(step, "1.2M")
    assert done.missing == ()
    assert only_proposal(done) == {
        "location": "dubai_gateway",
        "start_date": "2025-12-01",
        "durations": ["4 weeks"],
        "net_rates": ["1200000"],
    }


def test_an_unknown_location_asks_which_and_keeps_the_rest() -> None:
    intent = ask("proposal for burj khalifa, 4 weeks, 1M, client Nike, start Jan 1 2026")
    assert intent.missing == ("location",)
    assert intent.reply is not None and "The Landmark" in intent.reply
    done = answer(intent, "gateway")
    assert done.missing == ()
    assert only_proposal(done)["location"] == "dubai_gateway"
    assert only_proposal(done)["net_rates"] == ["1000000"]


def test_an_ambiguous_location_asks_which_one() -> None:
    intent = ask("proposal for the marina, 4 weeks, 1M, client Nike, start Jan 1 2026")
    assert intent.missing == ("location",)
    assert (
        intent.reply == "Which location did you mean: Marina Screen North or Marina Screen South?"
    )
    assert only_proposal(answer(intent, "marina north"))["location"] == "marina_north"


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("$400k", "USD 400000"),
        ("USD 400k", "USD 400000"),
        ("400k dollars", "USD 400000"),
        ("€300k", "EUR 300000"),
        ("AED 400k", "400000"),
    ],
)
def test_a_rate_keeps_the_currency_it_was_typed_in(typed: str, sent: str) -> None:
    """Marked amounts go to the tool with their marker; pricing converts them and says so."""
    intent = ask(f"landmark proposal rates {typed} 4 weeks start Jan 5 2026 client Nike")
    assert intent.missing == ()
    assert only_proposal(intent)["net_rates"] == [sent]


def test_an_unmarked_rate_in_a_usd_proposal_stays_aed() -> None:
    intent = ask("proposal for the landmark in USD for Nike, start 1 Jan 2026, 2 weeks, 400k")
    assert intent.missing == ()
    assert intent.args["currency"] == "USD"
    assert only_proposal(intent)["net_rates"] == ["400000"]


def test_a_marked_fee_and_package_rate_survive_a_follow_up_answer() -> None:
    first = ask("combined package landmark and uae21 2 weeks start Jan 5 2026 client Nike $1M")
    assert first.missing == ("production_fee:uae21",)
    done = answer(first, "$5k")
    assert done.missing == ()
    assert done.args["combined_net_rate"] == "USD 1000000"
    locations = done.args["locations"]
    assert isinstance(locations, list)
    assert locations[1]["production_fee"] == "USD 5000"


def test_an_unreadable_date_is_quoted_back() -> None:
    intent = ask("landmark proposal, 4 weeks, 1M, start Feb 30 2026, client Nike")
    assert intent.missing == ("start_date:landmark",)
    assert (
        intent.reply
        == "I couldn't read the date 'Feb 30 2026'. Please write it like 'Jan 1st 2026'."
    )


def test_a_new_proposal_request_replaces_an_unfinished_one() -> None:
    unfinished = ask("landmark proposal, start Jan 1 2026, 2 weeks, 1.5M")
    fresh = answer(unfinished, "proposal for jawhara, 4 weeks, 2M, Dec 1, client Puma")
    assert fresh.missing == ()
    assert only_proposal(fresh)["location"] == "jawhara"


def test_an_additional_location_joins_an_unfinished_request() -> None:
    unfinished = ask("gateway 1M 2 weeks Dec 1")
    more = answer(unfinished, "jawhara 2M 4 weeks Jan 5 2026")
    assert more.missing == ("client_name",)
    proposals = more.args["proposals"]
    assert isinstance(proposals, list)
    assert [p["location"] for p in proposals] == ["dubai_gateway", "jawhara"]


def test_a_complete_request_elsewhere_starts_over_instead_of_merging() -> None:
    unfinished = ask("landmark proposal 2 weeks 1M")  # no start date, no client
    fresh = answer(unfinished, "book the gateway for Nike for a month from Feb 1 2026 at 900k")
    assert fresh.missing == ()
    assert only_proposal(fresh)["location"] == "dubai_gateway"


def test_a_question_is_not_taken_as_the_client_name() -> None:
    unfinished = ask("landmark proposal 2 weeks 1M, Dec 1")
    follow_up = answer(unfinished, "what's the usual rate?")
    assert "client_name" not in follow_up.args
