"""Greetings, help, thanks and requests the model does not understand."""

from __future__ import annotations

from datetime import date

import pytest

from salesbot.assistant.offline.replies import examples
from tests.unit.assistant.helpers import TODAY, ask

EXAMPLES = examples(TODAY)


@pytest.mark.parametrize("message", ["hi", "Hello!", "good morning", "hey there", "salam"])
def test_greetings_get_a_short_reply_with_examples(message: str) -> None:
    intent = ask(message)
    assert intent.tool is None
    assert intent.reply is not None
    assert intent.reply.startswith("Hello!")
    assert EXAMPLES[0] in intent.reply


@pytest.mark.parametrize("message", ["help", "what can you do?", "how does this work", "", "  ?"])
def test_help_lists_example_requests(message: str) -> None:
    intent = ask(message)
    assert intent.tool is None
    assert intent.reply is not None
    assert all(example in intent.reply for example in EXAMPLES)


def test_thanks() -> None:
    assert ask("thanks!").reply == "You're welcome! Anything else?"


def test_a_greeting_in_front_of_a_request_does_not_hide_it() -> None:
    intent = ask("hi, can you make a proposal for the gateway? 4 weeks 1M from Jan 1 2026 for Nike")
    assert intent.tool == "create_separate_proposals"
    assert intent.missing == ()


def test_yes_with_nothing_to_confirm() -> None:
    intent = ask("yes")
    assert intent.tool is None
    assert intent.reply is not None and "nothing waiting" in intent.reply


@pytest.mark.parametrize(
    "message", ["blah blah", "what's the weather in Dubai", "tell me a joke", "1234"]
)
def test_unknown_requests_say_what_the_model_can_do(message: str) -> None:
    intent = ask(message)
    assert intent.tool is None
    assert intent.missing == ()
    assert intent.reply is not None
    assert intent.reply.startswith("Sorry, I didn't understand that.")
    assert EXAMPLES[0] in intent.reply


def test_examples_are_dated_from_today_never_a_year_gone_by() -> None:
    assert "Dec 1st 2025" in EXAMPLES[0] and "1 Jan 2026" in EXAMPLES[1]
    later = examples(date(2031, 12, 15))
    assert "Jan 1st 2032" in later[0] and "1 Feb 2032" in later[1]
    # Each example, read back by the model on its own day, is a proposal starting in the future.
    intent = ask(EXAMPLES[0])
    assert intent.tool == "create_separate_proposals" and intent.missing == ()
