"""Mockups: location, time of day, finish, an AI prompt, or the previous creative."""

from __future__ import annotations

import pytest

from tests.unit.assistant.helpers import answer, ask


def test_mockup_with_an_attached_creative() -> None:
    intent = ask("mockup for landmark", has_attachments=True, attachment_count=1)
    assert intent.tool == "generate_mockup"
    assert intent.missing == ()
    assert intent.args == {"location": "landmark", "reuse_previous": False}


def test_mockup_without_any_creative_asks_for_one() -> None:
    intent = ask("mockup for landmark")
    assert intent.missing == ("prompt",)
    assert intent.reply is not None and "Attach your creative" in intent.reply
    done = answer(intent, "a perfume bottle on gold silk")
    assert done.missing == ()
    assert done.args["prompt"] == "a perfume bottle on gold silk"


def test_an_attachment_answers_the_creative_question() -> None:
    intent = ask("mockup for landmark")
    done = answer(intent, "here", has_attachments=True)
    assert done.missing == ()
    assert "prompt" not in done.args


def test_description_becomes_the_prompt_and_night_the_time_of_day() -> None:
    intent = ask("landmark at night with a luxury watch on black")
    assert intent.tool == "generate_mockup"
    assert intent.args == {
        "location": "landmark",
        "time_of_day": "night",
        "prompt": "a luxury watch on black",
        "reuse_previous": False,
    }


@pytest.mark.parametrize(
    "message",
    [
        "mockup with a red sports car on the gateway at night",
        "mock-up of a red sports car on the gateway at night",
        "show a red sports car on the gateway at night",
        "gateway mockup at night: a red sports car",
    ],
)
def test_prompt_location_and_time_in_any_order(message: str) -> None:
    intent = ask(message)
    assert intent.missing == ()
    assert intent.args["location"] == "dubai_gateway"
    assert intent.args["time_of_day"] == "night"
    assert intent.args["prompt"] == "a red sports car"


def test_follow_up_reuses_the_previous_creative() -> None:
    intent = ask("now show it on jawhara")
    assert intent.tool == "generate_mockup"
    assert intent.args == {"location": "jawhara", "reuse_previous": True}
    assert intent.missing == ()


@pytest.mark.parametrize(
    "message", ["same creative on uae21 at night", "jawhara again please", "put it on the landmark"]
)
def test_reuse_phrasings(message: str) -> None:
    intent = ask(message)
    assert intent.tool == "generate_mockup"
    assert intent.args["reuse_previous"] is True


def test_finish_and_daytime_filters() -> None:
    intent = ask("mockup for gateway gold finish day", has_attachments=True)
    assert intent.args == {
        "location": "dubai_gateway",
        "time_of_day": "day",
        "finish": "gold",
        "reuse_previous": False,
    }


def test_silver_finish_by_name() -> None:
    intent = ask("jawhara mockup, silver, daytime", has_attachments=True)
    assert (intent.args["finish"], intent.args["time_of_day"]) == ("silver", "day")


def test_a_mockup_without_a_location_asks_for_it() -> None:
    intent = ask("mockup of a red car at night")
    assert intent.missing == ("location",)
    assert intent.reply == "Which location should the mockup show?"
    done = answer(intent, "on the landmark")
    assert done.missing == ()
    assert done.args["location"] == "landmark"
    assert done.args["prompt"] == "a red car"


def test_words_about_the_attachment_are_not_a_prompt() -> None:
    intent = ask("mockup for landmark with the creative I uploaded", has_attachments=True)
    assert "prompt" not in intent.args
    assert intent.missing == ()


def test_a_new_mockup_request_is_not_taken_as_the_missing_prompt() -> None:
    intent = ask("mockup for landmark")
    fresh = answer(intent, "mockup with a red sports car on the gateway")
    assert fresh.args["location"] == "dubai_gateway"
    assert fresh.args["prompt"] == "a red sports car"
