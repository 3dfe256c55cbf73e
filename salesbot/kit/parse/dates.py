"""Dates as people write them, day first as in the UAE: "05/11/2025", "Jan 1st 2026", "2026-01-15".

Without a year, the next such date on or after `today` is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from salesbot.kit.parse.errors import ParseError, quote
from salesbot.kit.parse.words import MONTH_NUMBERS, WEEKDAYS

DATE_HINT = "Use a date like 2026-01-15, 15/01/2026 or 15 January 2026."
MIN_YEAR, MAX_YEAR = 1900, 2200

_NUMERIC_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{4}|\d{2}))?$")
_NUMERIC_YEAR_FIRST = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_ISO_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}")
_ORDINAL_SUFFIX = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")

# Date-shaped runs inside running text; `find_dates` keeps those that read as dates.
_DATE_IN_TEXT = re.compile(
    r"(?i)\b(?:\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}(?:st|nd|rd|th)?[ \-/.](?:[a-z]{3,9}|\d{1,2})[ \-/.,]+\d{2,4}"
    r"|[a-z]{3,9}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})\b"
)

DateParts = tuple[int | None, int, int]  # (year or None, month, day)


def _numeric_parts(text: str) -> DateParts | None:
    match = _NUMERIC_YEAR_FIRST.match(text)
    if match:
        return int(match[1]), int(match[2]), int(match[3])
    match = _NUMERIC_DAY_FIRST.match(text)
    if match:
        year = None if match[3] is None else int(match[3])
        if year is not None and year < 100:
            year += 2000
        return year, int(match[2]), int(match[1])
    return None


def _word_parts(text: str, *, short_years: bool) -> DateParts | None:
    """ "1st of January, 2026", "Thursday 1 Jan 2026", "Sept 3" → parts, or None."""
    words = _ORDINAL_SUFFIX.sub(r"\1", re.sub(r"[,.\-/]", " ", text)).split()
    words = [w for w in words if w not in WEEKDAYS and w != "of"]
    months = [w for w in words if w in MONTH_NUMBERS]
    numbers = [w for w in words if w.isdecimal()]
    if len(months) != 1 or len(numbers) + 1 != len(words) or not 1 <= len(numbers) <= 2:
        return None
    day_text = numbers[0]
    if len(day_text) > 2:
        return None
    year = None
    if len(numbers) == 2:
        year_text = numbers[1]
        if len(year_text) == 4:
            year = int(year_text)
        elif short_years and len(year_text) == 2:
            year = 2000 + int(year_text)
        else:
            return None
    return year, MONTH_NUMBERS[months[0]], int(day_text)


def date_parts(text: str, *, short_years: bool = False) -> DateParts | None:
    """(year or None, month, day) from the accepted textual forms, or None (not validated).

    `short_years` also accepts a two-digit year after a month name ("1-Mar-25").
    """
    lowered = " ".join(text.split()).lower()
    return _numeric_parts(lowered) or _word_parts(lowered, short_years=short_years)


def next_occurrence(month: int, day: int, today: date, *, skip_missing: bool = True) -> date:
    """The next `day` of `month` on or after `today`; ParseError when there is none.

    A day some years lack (29 February) is looked for in the coming years; with
    `skip_missing=False` only this year's or else next year's counts, and a day missing from
    this year is an error (a chat reply says so rather than moving the date years ahead).
    """
    if not skip_missing:
        try:
            candidate = date(today.year, month, day)
            return candidate if candidate >= today else date(today.year + 1, month, day)
        except ValueError:
            raise ParseError(f"There is no day {day} of month {month} this year") from None
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 29 February in a non-leap year
            continue
        if candidate >= today:
            return candidate
    raise ParseError("Could not find that date in the coming years")


def parse_date(
    value: date | str,
    today: date | None = None,
    *,
    short_years: bool = False,
    with_time: bool = False,
) -> date:
    """A date from ISO, day-first ("05/11/2025") or natural text ("Jan 1st 2026"); else ParseError.

    Without a year the next such date on or after `today` is used (an error without `today`).
    `with_time` accepts an ISO timestamp ("2025-03-01T10:00") and drops the time.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value
    if with_time and (stamp := _ISO_TIMESTAMP.match(value.strip())):
        text = stamp[1]
    parts = date_parts(text, short_years=short_years)
    if parts is None:
        raise ParseError(f"Could not read the date '{quote(value)}'. {DATE_HINT}")
    year, month, day = parts
    if year is None:
        if today is None:
            raise ParseError(f"Please add the year to the date '{quote(value)}'")
        if not (1 <= month <= 12 and 1 <= day <= 31):
            raise ParseError(f"Could not read the date '{quote(value)}'. {DATE_HINT}")
        parsed = next_occurrence(month, day, today)
    else:
        try:
            parsed = date(year, month, day)
        except ValueError:
            raise ParseError(f"'{quote(value)}' is not a valid date. {DATE_HINT}") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ParseError(f"The date '{quote(value)}' is out of range")
    return parsed


def read_date(
    value: date | str,
    today: date | None = None,
    *,
    short_years: bool = False,
    with_time: bool = False,
) -> date | None:
    """Like `parse_date`, but None when `value` is not a date."""
    try:
        return parse_date(value, today, short_years=short_years, with_time=with_time)
    except ParseError:
        return None


@dataclass(frozen=True)
class FoundDate:
    """A date written inside a text: where it is (`text[start:end]`) and what it is."""

    start: int
    end: int
    text: str
    value: date


def find_dates(text: str, *, short_years: bool = False) -> list[FoundDate]:
    """The dates written in `text`, in order: "UAE02 1st March 2025 31/03/2025 AED 160,000".

    Only dates with a year count (a bare "Mar 1" is too loose in running text).
    """
    found: list[FoundDate] = []
    for match in _DATE_IN_TEXT.finditer(text):
        value = read_date(match[0], short_years=short_years)
        if value is not None:
            found.append(FoundDate(match.start(), match.end(), match[0], value))
    return found


def add_months(start: date, months: int) -> date:
    """Same day `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    result: date = start + relativedelta(months=months)
    return result
