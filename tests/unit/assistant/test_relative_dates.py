"""Relative dates and durations as people write them, resolved against the configured zone's
today (the model is given it) and echoed back as absolute dates (#15 item 3)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from salesbot.assistant.offline.lexer import tokenize
from salesbot.proposals.tools import span_text
from tests.unit.assistant.helpers import TODAY, ask, only_proposal

# TODAY (20 Nov 2025) is a Thursday.
assert TODAY.weekday() == 3


def _dates(message: str, today: date = TODAY) -> list[date | None]:
    return [t.day for t in tokenize(message, locations=(), today=today) if t.day is not None]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("next monday", date(2025, 11, 24)),
        ("from monday", date(2025, 11, 24)),
        ("starting mon", date(2025, 11, 24)),
        ("this friday", date(2025, 11, 21)),
        ("thursday", date(2025, 11, 27)),  # today is Thursday: the next one
        ("next week", date(2025, 11, 24)),
        ("next month", date(2025, 12, 1)),
        ("1st of next month", date(2025, 12, 1)),
        ("15th of next month", date(2025, 12, 15)),
        ("in two weeks", date(2025, 12, 4)),
        ("in 10 days", date(2025, 11, 30)),
        ("in a month", date(2025, 12, 20)),
        ("mid-March", date(2026, 3, 15)),
        ("mid march", date(2026, 3, 15)),
        ("mid november", date(2026, 11, 15)),  # the 15th has passed this year
        ("tomorrow", TODAY + timedelta(days=1)),
    ],
)
def test_relative_dates(written: str, meant: date) -> None:
    assert _dates(f"start {written}") == [meant]


def test_a_day_next_month_does_not_have_is_a_bad_date() -> None:
    tokens = tokenize("start 31st of next month", locations=(), today=date(2025, 10, 5))
    assert [t.kind.name for t in tokens if t.text == "31st of next month"] == ["BAD_DATE"]


def test_short_weekday_words_need_a_lead_word() -> None:
    """ "sun" alone is a word (a creative of the sun), "from sun" a day."""
    assert _dates("a creative with the sun on it") == []
    assert _dates("from sun") == [date(2025, 11, 23)]


def test_a_proposal_from_next_monday_gets_the_absolute_date() -> None:
    intent = ask("landmark proposal from next monday for 2 weeks at 1.5M client Nike")
    assert intent.missing == ()
    entry = only_proposal(intent)
    assert entry["start_date"] == "2025-11-24"
    assert entry["durations"] == ["2 weeks"]


def test_for_a_month_states_the_day_count_it_means() -> None:
    assert span_text("1 Month", date(2027, 2, 1)) == "1 Month (28 days, to 28 Feb 2027)"
    assert span_text("1 Month", date(2027, 1, 1)) == "1 Month (31 days, to 31 Jan 2027)"
    # Weeks and days say their length themselves.
    assert span_text("14 Days", date(2027, 1, 1)) == "14 Days"
    assert span_text("2 Weeks", date(2027, 1, 1)) == "2 Weeks"
