"""Lexer of the offline model: a chat message becomes a list of typed tokens.

Passes, in order: a raw scan (numbers, numeric dates, sizes, codes, words, punctuation), then
composition of currencies and amounts, percentages, durations, natural dates, location mentions
and finally keyword phrases. The grammar only ever looks at these tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from salesbot.assistant.offline.dates import compose_dates, compose_relative_dates, numeric_date
from salesbot.assistant.offline.keywords import compose_keywords, keyword_words
from salesbot.assistant.offline.places import compose_locations
from salesbot.kit.money import to_decimal
from salesbot.kit.parse import (
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    MONTH_NUMBERS,
    SCALES_OF,
    UNIT_WORDS,
    WHOLE_DURATIONS,
    Duration,
)
from salesbot.kit.phrases.tokens import Kind, KnownLocation, Token, at, int_value, join

__all__ = ["Duration", "Kind", "KnownLocation", "Token", "tokenize"]

# Units written glued to a count ("2wks"): "2m" is two million, "2d" and "2y" are too loose.
_GLUED_UNITS = "|".join(
    sorted((w for w in UNIT_WORDS if w not in ("d", "m", "y")), key=len, reverse=True)
)
_RAW = re.compile(
    r"""
    (?P<iso>\d{4}-\d{1,2}-\d{1,2})(?![\w-])
  | (?P<dmy>\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})(?![\w/.-])
  | (?P<size>(?P<w>\d+(?:\.\d+)?)\s*m?\s*[x×*]\s*(?P<h>\d+(?:\.\d+)?)\s*m?)
        (?![\w.])(?!\s*(?:weeks?|months?|days?|spots?))
  | (?P<ordinal>(?P<ord>\d{1,2})(?:st|nd|rd|th))(?!\w)
  | (?P<dur>(?P<dcount>\d{1,3})(?P<dunit>"""
    + _GLUED_UNITS
    + r"""))(?!\w)
  | (?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<scale>k|mn|mln|m|bn|b)?(?!\w)
  | (?P<code>[A-Za-z]{1,8}(?:[-/][A-Za-z]*\d[A-Za-z0-9]*)+)(?![\w-])
  | (?P<curcode>AED|USD|EUR|GBP|SAR)(?=\d)
  | (?P<word>[^\W\d_][\w]*|\w+)
  | (?P<symbol>[$€£])
  | (?P<punct>[^\w\s])
    """,
    re.VERBOSE | re.IGNORECASE,
)


_CONNECTORS = frozenset({",", "and", "or", "/", "&"})


def _decimal(text: str) -> Decimal:
    try:
        return to_decimal(text.replace(",", ""))
    except ValueError:
        return Decimal(0)


def _scan(message: str) -> list[Token]:
    tokens: list[Token] = []
    for m in _RAW.finditer(message):
        text, start, end = m.group(0), m.start(), m.end()
        if m.group("iso") or m.group("dmy"):
            tokens.append(numeric_date(text, start, end))
        elif m.group("size"):
            size = (_decimal(m.group("w")), _decimal(m.group("h")))
            tokens.append(Token(Kind.SIZE, text, start, end, word=text.lower(), size=size))
        elif m.group("ordinal"):
            value = Decimal(int(m.group("ord")))
            tokens.append(Token(Kind.ORDINAL, text, start, end, word=text.lower(), number=value))
        elif m.group("dur"):
            unit = UNIT_WORDS[m.group("dunit").lower()]
            duration = Duration(int(m.group("dcount")), unit)
            tokens.append(
                Token(Kind.DURATION, text, start, end, word=text.lower(), duration=duration)
            )
        elif m.group("num"):
            tokens.append(_number(m.group("num"), m.group("scale"), text, start, end))
        elif m.group("code"):
            tokens.append(Token(Kind.CODE, text, start, end, word=text.lower()))
        elif m.group("curcode"):
            code = text.upper()
            tokens.append(Token(Kind.CURRENCY, text, start, end, word=text.lower(), currency=code))
        elif m.group("symbol"):
            code = CURRENCY_SYMBOLS[text]
            tokens.append(Token(Kind.CURRENCY, text, start, end, word=text, currency=code))
        elif m.group("word"):
            lower = text.lower()
            if lower in CURRENCY_WORDS:
                currency = CURRENCY_WORDS[lower]
                tokens.append(Token(Kind.CURRENCY, text, start, end, word=lower, currency=currency))
            else:
                tokens.append(Token(Kind.WORD, text, start, end, word=lower))
        else:
            tokens.append(Token(Kind.PUNCT, text, start, end, word=text))
    return tokens


def _number(digits: str, scale: str | None, text: str, start: int, end: int) -> Token:
    value = _decimal(digits)
    if scale:
        letter, factor = SCALES_OF[scale.lower()]
        number = value * factor
        return Token(Kind.AMOUNT, text, start, end, word=text.lower(), number=number, scale=letter)
    # Thousands separators mark an amount; a bare number is decided by the grammar.
    kind = Kind.AMOUNT if "," in digits else Kind.NUMBER
    return Token(kind, text, start, end, word=text.lower(), number=value)


def _compose_amounts(message: str, tokens: list[Token]) -> list[Token]:
    """Currency + number + scale word (in the usual orders), and percentages."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = at(tokens, i + 1)
        if tok.kind is Kind.CURRENCY and nxt is not None and nxt.kind in (Kind.NUMBER, Kind.AMOUNT):
            amount, used = _amount_with_scale(message, tokens, i + 1)
            joined = join(message, tok, amount, Kind.AMOUNT)
            out.append(
                replace(joined, number=amount.number, scale=amount.scale, currency=tok.currency)
            )
            i += 1 + used
            continue
        if tok.kind in (Kind.NUMBER, Kind.AMOUNT):
            amount, used = _amount_with_scale(message, tokens, i)
            after = at(tokens, i + used)
            # A code or word written after the number ("2M AED"); symbols only go in front.
            if (
                after is not None
                and after.kind is Kind.CURRENCY
                and after.text not in CURRENCY_SYMBOLS
                and after.start - amount.end <= 1
            ):
                joined = join(message, amount, after, Kind.AMOUNT)
                out.append(
                    replace(
                        joined, number=amount.number, scale=amount.scale, currency=after.currency
                    )
                )
                i += used + 1
                continue
            if after is not None and (after.text == "%" or after.word in ("percent", "pct")):
                out.append(
                    replace(join(message, amount, after, Kind.PERCENT), number=amount.number)
                )
                i += used + 1
                continue
            out.append(amount)
            i += used
            continue
        out.append(tok)
        i += 1
    return out


def _amount_with_scale(message: str, tokens: list[Token], i: int) -> tuple[Token, int]:
    """The number at `i`, joined with a following scale word ("1.5 million"); tokens used."""
    tok = tokens[i]
    nxt = at(tokens, i + 1)
    if not tok.scale and nxt is not None and nxt.kind is Kind.WORD and nxt.word in SCALES_OF:
        letter, factor = SCALES_OF[nxt.word]
        number = (tok.number or Decimal(0)) * factor
        return replace(join(message, tok, nxt, Kind.AMOUNT), number=number, scale=letter), 2
    return tok, 1


def _compose_durations(message: str, tokens: list[Token]) -> list[Token]:
    """`2 weeks`, `a month`, `fortnight`, and lists sharing a unit: `2, 4 and 8 weeks`."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = at(tokens, i + 1)
        count = int_value(tok)
        if (
            count is not None
            and nxt is not None
            and nxt.kind is Kind.WORD
            and nxt.word in UNIT_WORDS
            and len(nxt.word) > 1  # "2 s" is too loose to mean seconds
        ):
            duration = Duration(count, UNIT_WORDS[nxt.word])
            out.append(replace(join(message, tok, nxt, Kind.DURATION), duration=duration))
            i += 2
            continue
        if tok.kind is Kind.WORD and tok.word in WHOLE_DURATIONS:
            whole = Duration(*WHOLE_DURATIONS[tok.word])
            out.append(replace(tok, kind=Kind.DURATION, duration=whole))
        else:
            out.append(tok)
        i += 1
    return _spread_units(out)


def _spread_units(tokens: list[Token]) -> list[Token]:
    """Give bare counts in a list the unit of the duration closing it: `2, 4 and 8 weeks`."""
    out = list(tokens)
    for i, tok in enumerate(out):
        if tok.kind is not Kind.DURATION or tok.duration is None:
            continue
        j = i - 1
        while j >= 1 and out[j].word in _CONNECTORS:
            prev = out[j - 1]
            before = at(out, j - 2)
            count = int_value(prev)
            if count is None or prev.kind is Kind.WORD or count > 366:
                break
            if before is not None and before.word.rstrip(".") in MONTH_NUMBERS:
                break  # "Dec 1, 2 weeks": the 1 is a day of the month
            out[j - 1] = replace(
                prev, kind=Kind.DURATION, duration=Duration(count, tok.duration.unit)
            )
            j -= 2
    return out


def tokenize(message: str, *, locations: Sequence[KnownLocation], today: date) -> list[Token]:
    """Turn a message into typed tokens (see the module docstring for the passes)."""
    tokens = _scan(message)
    tokens = _compose_amounts(message, tokens)
    tokens = _compose_durations(message, tokens)
    tokens = compose_dates(message, tokens, today)
    tokens = compose_relative_dates(message, tokens, today)
    tokens = compose_locations(message, tokens, locations, keyword_words())
    return compose_keywords(message, tokens)
