"""Amounts as people write them: "1.5M", "2,800,000", "AED 4,000,000", "750k", "$1,200"."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from salesbot.kit.money import cents
from salesbot.kit.parse.errors import ParseError, quote
from salesbot.kit.parse.words import CURRENCY_SYMBOLS, CURRENCY_WORDS, SCALES

MAX_AMOUNT = Decimal("1e12")
AMOUNT_HINT = "Use a number like 1,500,000, 1.5M or 750k."


def _alternation(words: Collection[str]) -> str:
    # Longest first, so that "mn" is not read as "m" followed by a stray "n".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_CURRENCY = _alternation([*CURRENCY_WORDS, *CURRENCY_SYMBOLS])
_AMOUNT = re.compile(
    rf"^(?P<before>{_CURRENCY})?\s*"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*"
    rf"(?P<scale>{_alternation(SCALES)})?\s*"
    rf"(?P<after>{_CURRENCY})?$",
    re.IGNORECASE,
)
_SCALE_LETTERS = {Decimal(1_000): "k", Decimal(1_000_000): "m", Decimal(1_000_000_000): "b"}
ALL_SCALES = tuple(_SCALE_LETTERS.values())
# Scale word -> (letter, factor): "million" -> ("m", 1000000).
SCALES_OF = {word: (_SCALE_LETTERS[factor], factor) for word, factor in SCALES.items()}
# Lenient reading (`find_amount`): the first number anywhere, separators wherever they are.
_LOOSE_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?|[-+]?\.\d+")
_SCALE_AFTER = re.compile(rf"\s*({_alternation(SCALES)})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Amount:
    """An amount as written: its value (scaled, signed, not rounded), currency and scale."""

    value: Decimal
    currency: str | None = None  # ISO code when a currency word or symbol was written
    scale: str = ""  # "k", "m" or "b" when written with a scale word


def _currency_of(word: str | None) -> str | None:
    if word is None:
        return None
    return CURRENCY_SYMBOLS.get(word) or CURRENCY_WORDS[word.lower()]


def scale_of(word: str) -> tuple[str, Decimal] | None:
    """The scale a word stands for as (letter, factor): "million" → ("m", 1000000); else None."""
    return SCALES_OF.get(word.lower())


def read_amount(text: str, *, accounting: bool = False) -> Amount | None:
    """The amount that `text` is (a leading "-" negates it), or None.

    A currency word or symbol may come before or after the number (not both, unless they
    agree). With `accounting`, "(2,000)" is read as -2000, as accountants write negatives.
    """
    body = text.strip()
    negative = body.startswith("-")
    if accounting and len(body) > 2 and body[0] == "(" and body[-1] == ")":
        body, negative = body[1:-1], True
    match = _AMOUNT.match(body.lstrip("-").strip())
    if match is None:
        return None
    before, after = _currency_of(match["before"]), _currency_of(match["after"])
    if before and after and before != after:
        return None
    value = Decimal(match["number"].replace(",", ""))
    scale = ""
    if match["scale"]:
        scale, factor = SCALES_OF[match["scale"].lower()]
        value *= factor
    return Amount(-value if negative else value, before or after, scale)


def find_amount(text: str, *, scales: Collection[str] = ALL_SCALES) -> Amount | None:
    """The first number written anywhere in `text`, with a scale word right after it; or None.

    Lenient, for documents and free text ("AED 160,000.00 incl. VAT", "approx. 5k"): the words
    around the number are ignored (so `currency` is always None), commas are dropped wherever
    they are, a sign must touch the digits, and text wrapped in parentheses is negative.
    `scales` lists the scale letters ("k", "m", "b") to apply; other scale words are ignored.
    """
    body = text.strip()
    match = _LOOSE_NUMBER.search(body)
    if match is None:
        return None
    value = Decimal(match[0].replace(",", ""))
    scale = ""
    after = _SCALE_AFTER.match(body, match.end())
    found = SCALES_OF[after[1].lower()] if after else None
    if found is not None and found[0] in scales:
        scale, factor = found
        value *= factor
    # Accountants write negatives in parentheses.
    if body.startswith("(") and body.endswith(")") and value > 0:
        value = -value
    return Amount(value, None, scale)


def parse_amount(
    value: Decimal | int | str,
    what: str = "amount",
    *,
    currencies: Collection[str] | None = None,
    maximum: Decimal = MAX_AMOUNT,
) -> Decimal:
    """A positive amount rounded to cents, from text, an int or a Decimal; else `ParseError`.

    `what` names the value in messages ("the net rate"); `currencies` limits the currency words
    accepted (None: any). Floats and bools are refused (TypeError): floats are inexact.
    """
    if isinstance(value, bool | float):
        raise TypeError("amounts must be Decimal, int or str, never float or bool")
    shown = str(value)
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
        if not amount.is_finite():
            raise ParseError(f"Could not read the {what} '{quote(shown)}'")
    else:
        read = read_amount(value)
        if read is None or (
            currencies is not None and read.currency is not None and read.currency not in currencies
        ):
            raise ParseError(f"Could not read the {what} '{quote(shown)}'. {AMOUNT_HINT}")
        amount = read.value
    # Sizes are checked before rounding: quantizing a huge number overflows Decimal precision.
    if amount > maximum:
        raise ParseError(f"The {what} '{quote(shown)}' is too large")
    if amount <= 0 or cents(amount) <= 0:
        raise ParseError(f"The {what} must be more than zero (got '{quote(shown)}')")
    return cents(amount)
