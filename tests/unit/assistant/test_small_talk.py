"""Greetings, help, thanks and requests the model does not understand."""

from __future__ import annotations

import pytest

from salesbot.assistant.offline.replies import EXAMPLES
from tests.unit.assistant.helpers import ask


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
