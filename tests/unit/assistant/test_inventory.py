"""Availability questions: the location and the dates they mean, never a proposal."""

from __future__ import annotations

import pytest

from tests.unit.assistant.helpers import ask

# TODAY is 20 Nov 2025 in the helpers: "March" is the coming one, "November" this one.


@pytest.mark.parametrize(
    ("message", "location", "dates"),
    [
        ("is the landmark free in March?", "landmark", ("2026-03-01", "2026-03-31")),
        ("Is UAE21 available in november", "uae21", ("2025-11-01", "2025-11-30")),
        ("is UAE21 available from 1 March to 15 March", "uae21", ("2026-03-01", "2026-03-15")),
        (
            "availability of the gateway in march 2027",
            "dubai_gateway",
            ("2027-03-01", "2027-03-31"),
        ),
        ("is jawhara booked next month", "jawhara", ("2025-12-01", "2025-12-31")),
        ("is uae22 free next week", "uae22", ("2025-11-24", "2025-11-30")),
        ("is the landmark free on 3 January", "landmark", ("2026-01-03", "2026-01-03")),
    ],
)
def test_availability_questions(message: str, location: str, dates: tuple[str, str]) -> None:
    intent = ask(message)
    assert intent.tool == "check_availability", intent
    assert intent.args == {"location": location, "from_date": dates[0], "to_date": dates[1]}


def test_without_dates_the_tool_takes_its_default_range() -> None:
    assert ask("is the landmark free?").args == {"location": "landmark"}


def test_an_ambiguous_location_is_asked_about() -> None:
    intent = ask("is marina free in March?")
    assert intent.tool == "check_availability" and intent.missing == ("location",)


@pytest.mark.parametrize(
    "message",
    [
        "landmark proposal for Nike from 1 March, 2 weeks at 1.5M",
        "tell me about the landmark",
        "what is free in March?",  # no location named
    ],
)
def test_other_messages_are_not_availability_questions(message: str) -> None:
    assert ask(message).tool != "check_availability"


def test_the_help_offers_the_availability_question_and_it_is_understood() -> None:
    from salesbot.assistant.offline.replies import examples
    from tests.unit.assistant.helpers import TODAY

    [offered] = [e for e in examples(TODAY) if "free in" in e]
    assert offered == "is the landmark free in January?"  # the month after next from 20 Nov
    intent = ask(offered)
    assert intent.tool == "check_availability"
    assert intent.args == {
        "location": "landmark",
        "from_date": "2026-01-01",
        "to_date": "2026-01-31",
    }
