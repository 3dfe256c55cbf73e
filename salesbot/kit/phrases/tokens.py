"""The offline model's tokens and the word tables the lexer's passes share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar


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
class Duration:
    count: int
    unit: str  # second | day | week | month | year

    @property
    def text(self) -> str:
        return f"{self.count} {self.unit}{'' if self.count == 1 else 's'}"


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


_V = TypeVar("_V")


def table(*rows: tuple[_V, str]) -> dict[str, _V]:
    """A word table written compactly: (value, "word word ...") rows."""
    return {word: value for value, words in rows for word in words.split()}


MONTHS = table(
    (1, "jan january"),
    (2, "feb february"),
    (3, "mar march"),
    (4, "apr april"),
    (5, "may"),
    (6, "jun june"),
    (7, "jul july"),
    (8, "aug august"),
    (9, "sep sept september"),
    (10, "oct october"),
    (11, "nov november"),
    (12, "dec december"),
)
WEEKDAYS = frozenset(
    {"mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs"}
    | {"thursday", "fri", "friday", "sat", "saturday", "sun", "sunday"}
)
NUMBER_WORDS = table(
    (1, "a an one"),
    (2, "two"),
    (3, "three"),
    (4, "four"),
    (5, "five"),
    (6, "six"),
    (7, "seven"),
    (8, "eight"),
    (9, "nine"),
    (10, "ten"),
    (11, "eleven"),
    (12, "twelve"),
)

PLAIN_NUMBER = re.compile(r"\d+")


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
    """The integer a NUMBER token (digits only) or a number word stands for."""
    if tok.kind is Kind.NUMBER and PLAIN_NUMBER.fullmatch(tok.text):
        return int(tok.text)
    if tok.kind is Kind.WORD and tok.word in NUMBER_WORDS:
        return NUMBER_WORDS[tok.word]
    return None


def at(tokens: list[Token], i: int) -> Token | None:
    return tokens[i] if 0 <= i < len(tokens) else None
