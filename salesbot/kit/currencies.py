"""Amounts typed in a currency ("$400k", "USD 400k", "400k dollars", "€300k", "AED 400k"): the
currency they carry, the stored rate of a currency (an unknown one is refused with the list of
supported ones), conversion through the base currency (to cents, half up) and the words that say
how an amount was read. One rule for proposals and booking orders (pure).

`rates` are base-currency units per one unit of each other currency (AED per USD: 3.6725).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from salesbot.kit.money import cents, group_thousands
from salesbot.kit.parse import quote, read_amount
from salesbot.kit.wording import plain_number

AmountText = Decimal | int | str


class UnsupportedCurrency(ValueError):
    """A currency without a stored rate; `allowed` lists the supported ones."""

    def __init__(self, message: str, allowed: Sequence[str]) -> None:
        super().__init__(message)
        self.allowed = tuple(allowed)


def marked_currency(value: AmountText) -> str | None:
    """The ISO code of the currency written with the amount ("$400k" → "USD"), else None."""
    if not isinstance(value, str):
        return None
    read = read_amount(value)
    return read.currency if read is not None and read.currency else None


def supported(rates: Mapping[str, Decimal], base: str) -> list[str]:
    return sorted({base, *(code for code, rate in rates.items() if rate > 0)})


def rate_of(code: str, rates: Mapping[str, Decimal], base: str) -> Decimal:
    """Base units per one unit of `code` (1 for the base); UnsupportedCurrency without a rate."""
    wanted = code.strip().upper() or base
    if wanted == base:
        return Decimal(1)
    rate = rates.get(wanted)
    if rate is None or rate <= 0:
        allowed = supported(rates, base)
        raise UnsupportedCurrency(
            f"Currency '{quote(code, 10)}' is not supported. "
            f"Supported currencies: {', '.join(allowed)}",
            allowed,
        )
    return rate


def convert(
    amount: Decimal, source: str, target: str, rates: Mapping[str, Decimal], base: str
) -> Decimal:
    """`amount` in `source` expressed in `target` at the stored rates, through the base currency
    (each step to cents, half up)."""
    if source == target:
        return amount
    in_base = amount if source == base else cents(amount * rate_of(source, rates, base))
    return in_base if target == base else cents(in_base / rate_of(target, rates, base))


def amount_text(code: str, amount: Decimal) -> str:
    """ "USD 400,000", "AED 7,345.50" (cents only when there are some)."""
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{code} {group_thousands(amount, places)}"


def rate_text(code: str, rates: Mapping[str, Decimal], base: str) -> str:
    """ "3.6725 AED per USD"."""
    return f"{plain_number(rate_of(code, rates, base))} {base} per {code}"


def conversion_text(
    code: str,
    entered: Decimal,
    target: str,
    converted: Decimal,
    rates: Mapping[str, Decimal],
    base: str,
) -> str:
    """How one typed amount was read: "USD 400,000 (AED 1,469,000 at 3.6725 AED per USD)"."""
    text = amount_text(code, entered)
    if code == target:
        return text
    used = [rate_text(c, rates, base) for c in (code, target) if c != base]
    return f"{text} ({amount_text(target, converted)} at {' and '.join(used)})"
