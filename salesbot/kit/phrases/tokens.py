"""The offline model's tokens (the words they are read with live in `kit.parse`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from salesbot.kit.parse import NUMBER_WORDS, Duration


@dataclass(frozen=True)
class KnownLocation:
    """A location the user may mention: its key, display name first and then aliases."""

    key: str
    names: tuple[str, ...]
    display_type: str = "digital"

    @property
    def display_name(self) -> str:
        return self.names[0] if self.names else self.key


class Kind(StrEnum):
    WORD = "word"
    NUMBER = "number"
    AMOUNT = "amount"
    PERCENT = "percent"
    ORDINAL = "ordinal"
    DATE = "date"
    BAD_DATE = "bad_date"
    DURATION = "duration"
    CURRENCY = "currency"
    LOCATION = "location"
    CODE = "code"
    SIZE = "size"
    KEYWORD = "keyword"
    PUNCT = "punct"


@dataclass(frozen=True)
class Token:
    """One typed token; `text` is exactly what the user typed, `start`/`end` index the message."""

    kind: Kind
    text: str
    start: int
    end: int
    word: str = ""  # lower-cased text; for KEYWORD the canonical keyword
    number: Decimal | None = None  # NUMBER, AMOUNT, PERCENT, ORDINAL
    scale: str = ""  # AMOUNT written with a suffix: "k", "m" or "b"
    currency: str | None = None  # CURRENCY, or the currency written next to an AMOUNT
    day: date | None = None  # DATE
    duration: Duration | None = None  # DURATION
    locations: tuple[str, ...] = ()  # LOCATION: keys of the candidates (one = clear match)
    size: tuple[Decimal, Decimal] | None = None  # SIZE: width, height in metres


PLAIN_NUMBER = re.compile(r"\d+")
MAX_COUNT_DIGITS = 18


def make_date(text: str, start: int, end: int, year: int, month: int, day: int) -> Token:
    try:
        value = date(year, month, day)
    except ValueError:
        return Token(Kind.BAD_DATE, text, start, end, word=text.lower())
    return Token(Kind.DATE, text, start, end, word=text.lower(), day=value)


def join(message: str, first: Token, last: Token, kind: Kind) -> Token:
    text = message[first.start : last.end]
    return Token(kind, text, first.start, last.end, word=text.lower())


def int_value(tok: Token) -> int | None:
    """The integer a NUMBER token (digits only) or a number word stands for; None for a number
    too long to be a count (thousands of digits would also exceed int()'s string limit)."""
    if tok.kind is Kind.NUMBER and PLAIN_NUMBER.fullmatch(tok.text):
        return int(tok.text) if len(tok.text) <= MAX_COUNT_DIGITS else None
    if tok.kind is Kind.WORD and tok.word in NUMBER_WORDS:
        return NUMBER_WORDS[tok.word]
    return None


def at(tokens: list[Token], i: int) -> Token | None:
    return tokens[i] if 0 <= i < len(tokens) else None
