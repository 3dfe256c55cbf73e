"""Durations as people write them: "2 weeks", "1 month", "10 days", "2wks", "two weeks"."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from salesbot.kit.parse.dates import add_months
from salesbot.kit.parse.errors import ParseError, quote
from salesbot.kit.parse.words import NUMBER_WORDS, UNIT_WORDS, DurationUnit

CALENDAR_UNITS: tuple[DurationUnit, ...] = ("day", "week", "month", "year")
MAX_DURATION_DAYS = 3660
DURATION_HINT = 'Use a form like "2 weeks", "1 month" or "10 days".'

_UNIT_DAYS: dict[DurationUnit, int] = {"second": 0, "day": 1, "week": 7, "month": 30, "year": 365}
_DURATION = re.compile(r"^(?P<count>\d{1,4}|[a-z]+)\s*-?\s*(?P<unit>[a-z]+)\.?$")


@dataclass(frozen=True)
class Duration:
    """A length such as "2 Weeks"; `days` counts a month as 30 days and a year as 365."""

    count: int
    unit: DurationUnit

    @property
    def display(self) -> str:
        """ "2 Weeks", "1 Month" (as shown on documents)."""
        plural = "" if self.count == 1 else "s"
        return f"{self.count} {self.unit.capitalize()}{plural}"

    @property
    def text(self) -> str:
        """ "2 weeks", "1 month" (as said in a sentence)."""
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"

    @property
    def days(self) -> int:
        if self.unit == "second":
            return self.count // 86_400
        return self.count * _UNIT_DAYS[self.unit]

    def end_date(self, start: date) -> date:
        """Last day of a period of this length starting on `start` (calendar months)."""
        if self.unit in ("second", "day", "week"):
            return start + timedelta(days=max(self.days, 1) - 1)
        months = self.count * (12 if self.unit == "year" else 1)
        return add_months(start, months) - timedelta(days=1)


def read_duration(text: str, units: Collection[DurationUnit] = CALENDAR_UNITS) -> Duration | None:
    """The duration `text` is, in one of `units`, or None (the count is not checked)."""
    match = _DURATION.match(" ".join(text.lower().split()))
    unit = UNIT_WORDS.get(match["unit"]) if match else None
    if match is None or unit is None or unit not in units:
        return None
    raw = match["count"]
    count = int(raw) if raw.isdecimal() else NUMBER_WORDS.get(raw)
    return None if count is None else Duration(count, unit)


def parse_duration(
    text: str,
    units: Collection[DurationUnit] = CALENDAR_UNITS,
    *,
    max_days: int = MAX_DURATION_DAYS,
) -> Duration:
    """A duration of at least 1 and at most `max_days`, in one of `units`; else ParseError."""
    duration = read_duration(text, units)
    if duration is None:
        raise ParseError(
            f"Could not read the duration '{quote(text)}'. {DURATION_HINT} "
            f"Units: {', '.join(f'{u}s' for u in units)}.",
            allowed=tuple(f"{u}s" for u in units),
        )
    if duration.count < 1:
        raise ParseError(f"The duration '{quote(text)}' must be at least 1 {duration.unit}")
    if duration.days > max_days:
        raise ParseError(f"The duration '{quote(text)}' is too long")
    return duration
