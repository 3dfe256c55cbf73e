"""Checks that warn rather than refuse: a start date that has already passed.

Re-issuing an old proposal is legitimate, so the API answers with a warning and the assistant
asks before producing ("1 Jan 2026 has passed — did you mean 1 Jan 2027?").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from salesbot.kit import parse

PAST_START = "past_start_date"


@dataclass(frozen=True)
class PastStart:
    """A location whose start date is before today, and the date the user probably meant."""

    location: str
    start: date
    suggestion: date


def day_text(day: date) -> str:
    """ "1 Jan 2027": short, unambiguous, the same in every reply."""
    return f"{day.day} {day:%b %Y}"


def next_occurrence(day: date, today: date) -> date:
    """The same day and month in the first year that does not put it before `today`."""
    year = max(day.year + 1, today.year)
    while True:
        candidate = _same_day(day, year)
        if candidate >= today:
            return candidate
        year += 1


def _same_day(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=year, day=28)


def past_starts(items: Iterable[tuple[str, str | None]], today: date) -> list[PastStart]:
    """(location, start date text) pairs whose date has passed; unreadable dates are skipped
    (pricing reports those as errors)."""
    found: list[PastStart] = []
    for location, text in items:
        if not text:
            continue
        try:
            start = parse.parse_date(text, today)
        except parse.ParseError:
            continue
        if start < today:
            found.append(PastStart(location, start, next_occurrence(start, today)))
    return found


def _dates(starts: Sequence[PastStart], suggested: bool) -> str:
    days = sorted({s.suggestion if suggested else s.start for s in starts})
    texts = [day_text(d) for d in days]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def warning_text(start: PastStart) -> str:
    """One location's warning, for the API and the form."""
    return (
        f"The start date {day_text(start.start)} has already passed; "
        f"did you mean {day_text(start.suggestion)}?"
    )


def question(starts: Sequence[PastStart]) -> str:
    """The assistant's question before producing a proposal with past start dates."""
    verb = "has" if len({s.start for s in starts}) == 1 else "have"
    old, new = _dates(starts, suggested=False), _dates(starts, suggested=True)
    return (
        f"{old} {verb} passed — did you mean {new}? Say **yes** to use {new}, "
        f"or **keep the date** to make it with {old} anyway."
    )


class Dated(Protocol):
    """A requested location with its start date as typed (both request item shapes)."""

    location: str
    start_date: str


def starts_of(items: Iterable[Dated]) -> list[tuple[str, str | None]]:
    """(location as asked, start date text) for each item of a request, in order."""
    return [(item.location, item.start_date) for item in items]
