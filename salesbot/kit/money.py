"""Exact money arithmetic: Decimal everywhere, ROUND_HALF_UP."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
CENT = Decimal("0.01")
UNIT = Decimal("1")


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Convert an int, str or Decimal to Decimal; floats are refused because they are inexact."""
    if isinstance(value, bool | float):
        raise TypeError("money must not be a float or bool")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(value)
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc


def round_half_up(amount: Decimal, places: int = 2) -> Decimal:
    """Round to `places` decimal places, halves away from zero."""
    exponent = UNIT.scaleb(-places)
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def cents(amount: Decimal) -> Decimal:
    return round_half_up(amount, 2)


def whole(amount: Decimal) -> Decimal:
    return round_half_up(amount, 0)


def percent_of(amount: Decimal, pct: Decimal) -> Decimal:
    """`pct` percent of `amount`, rounded to cents (e.g. VAT 5 %)."""
    return cents(amount * pct / Decimal(100))


def group_thousands(amount: Decimal, places: int = 0) -> str:
    """`1578696` → `1,578,696`; rounds half-up to `places` first."""
    return f"{round_half_up(amount, places):,.{places}f}"
