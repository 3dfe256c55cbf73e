"""How dates and numbers read on documents: English, whatever the server's locale."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from salesbot.kit.parse.words import MONTH_NAMES


def ordinal(day: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th", 22 → "22nd"."""
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def format_date(value: date) -> str:
    """5 November 2025 → "5th November 2025"."""
    return f"{ordinal(value.day)} {MONTH_NAMES[value.month - 1]} {value.year}"


def format_date_range(start: date, end: date | None) -> str:
    """ "1st January 2026 - 15th January 2026", or just the start date."""
    return format_date(start) if end is None else f"{format_date(start)} - {format_date(end)}"


def plain_number(value: Decimal) -> str:
    """7 → "7", 7.50 → "7.5" (no trailing zeros, no exponent)."""
    return format(value.normalize(), "f")
