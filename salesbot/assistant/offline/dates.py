"""Dates in a message: numeric (`2026-01-05`, `5/1/26`), natural (`Jan 1st 2026`, `1st of
January`, `Dec 1`) and relative (`today`, `next monday`, `1st of next month`, `in two weeks`,
`mid-March`); a range's first date takes the year of the second.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from salesbot.kit.parse import (
    MONTH_NUMBERS,
    WEEKDAYS,
    ParseError,
    add_months,
    date_parts,
    next_occurrence,
)
from salesbot.kit.phrases.tokens import Kind, Token, at, int_value, make_date


def numeric_date(text: str, start: int, end: int) -> Token:
    """`2026-01-05` or day-first `5/1/26` (a two-digit year is 20xx); BAD_DATE if not a date."""
    year, month, day = date_parts(text) or (None, 0, 0)
    if year is None:
        return Token(Kind.BAD_DATE, text, start, end, word=text.lower())
    return make_date(text, start, end, year, month, day)


def compose_dates(message: str, tokens: list[Token], today: date) -> list[Token]:
    """Natural dates: `Jan 1st 2026`, `1 Feb 2026`, `1st of January`, `Dec 1`, `January 2026`."""
    out: list[Token] = []
    explicit_year: set[int] = set()  # start offsets of dates whose year was written
    i = 0
    while i < len(tokens):
        parsed = _date_at(message, tokens, i, today)
        if parsed is None:
            if tokens[i].kind is Kind.DATE:
                explicit_year.add(tokens[i].start)
            out.append(tokens[i])
            i += 1
            continue
        token, used, has_year = parsed
        # A weekday name in front ("Monday, Jan 5") belongs to the date.
        while out and (
            out[-1].word in WEEKDAYS
            or (out[-1].word == "," and len(out) > 1 and out[-2].word in WEEKDAYS)
        ):
            first = out.pop()
            text = message[first.start : token.end]
            token = replace(token, start=first.start, text=text, word=text.lower())
        if has_year:
            explicit_year.add(token.start)
        out.append(token)
        i += used
    return _fix_range_years(out, explicit_year)


def _day_of(tok: Token | None) -> int | None:
    if tok is None:
        return None
    if tok.kind is Kind.ORDINAL and tok.number is not None:
        return int(tok.number)
    day = int_value(tok) if tok.kind is Kind.NUMBER else None
    if day is not None and 1 <= day <= 31:
        return day
    return None


def _year_of(tok: Token | None) -> int | None:
    if tok is not None and tok.kind is Kind.NUMBER and re.fullmatch(r"(19|20|21)\d\d", tok.text):
        return int(tok.text)
    return None


def _month_of(tok: Token | None) -> int | None:
    if tok is None or tok.kind is not Kind.WORD:
        return None
    return MONTH_NUMBERS.get(tok.word.rstrip("."))


def _year_after(tokens: list[Token], k: int) -> tuple[int | None, int]:
    """A year at `k`, optionally after a comma: (year, tokens used)."""
    tok = at(tokens, k)
    if tok is not None and tok.word == ",":
        year = _year_of(at(tokens, k + 1))
        return (year, 2) if year is not None else (None, 0)
    year = _year_of(tok)
    return (year, 1) if year is not None else (None, 0)


def _date_at(
    message: str, tokens: list[Token], i: int, today: date
) -> tuple[Token, int, bool] | None:
    """A natural date starting at token `i`: (token, tokens used, year written)."""
    month = _month_of(tokens[i])
    if month is not None:
        day = _day_of(at(tokens, i + 1))
        if day is not None:
            year, used = _year_after(tokens, i + 2)
            last = tokens[i + 1 + used]
            return (
                _finish_date(message, tokens[i], last, year, month, day, today),
                2 + used,
                (year is not None),
            )
        year, used = _year_after(tokens, i + 1)
        if year is not None and used == 1:  # "January 2026" means the 1st
            return _finish_date(message, tokens[i], tokens[i + 1], year, month, 1, today), 2, True
        return None
    day = _day_of(tokens[i])
    if day is None:
        return None
    k = i + 1
    of = at(tokens, k)
    if of is not None and of.word == "of":
        k += 1
    month = _month_of(at(tokens, k))
    if month is None:
        return None
    year, used = _year_after(tokens, k + 1)
    last = tokens[k + used]
    token = _finish_date(message, tokens[i], last, year, month, day, today)
    return token, k + used - i + 1, year is not None


def _finish_date(
    message: str, first: Token, last: Token, year: int | None, month: int, day: int, today: date
) -> Token:
    text = message[first.start : last.end]
    if year is None:
        # No year written: the next time this day comes round, counting today.
        try:
            year = next_occurrence(month, day, today, skip_missing=False).year
        except ParseError:
            return Token(Kind.BAD_DATE, text, first.start, last.end, word=text.lower())
    return make_date(text, first.start, last.end, year, month, day)


_RANGE_WORDS = frozenset({"-", "–", "to", "until", "till", "through", "thru"})


def _fix_range_years(tokens: list[Token], explicit_year: set[int]) -> list[Token]:
    """In "Dec 20 - Jan 10 2026" the first date takes its year from the second."""
    out = list(tokens)
    for i, tok in enumerate(out):
        if tok.kind is not Kind.DATE or tok.day is None or tok.start in explicit_year:
            continue
        nxt = at(out, i + 1)
        if nxt is None or nxt.word not in _RANGE_WORDS:
            continue
        end_tok = at(out, i + 2)
        if end_tok is None or end_tok.kind is not Kind.DATE or end_tok.start not in explicit_year:
            continue
        end = end_tok.day
        assert end is not None
        try:
            start = tok.day.replace(year=end.year)
            if start > end:
                start = start.replace(year=end.year - 1)
        except ValueError:
            continue
        out[i] = replace(tok, day=start)
    return out


_WEEKDAY_INDEX = {
    **dict.fromkeys(("mon", "monday"), 0),
    **dict.fromkeys(("tue", "tues", "tuesday"), 1),
    **dict.fromkeys(("wed", "wednesday"), 2),
    **dict.fromkeys(("thu", "thur", "thurs", "thursday"), 3),
    **dict.fromkeys(("fri", "friday"), 4),
    **dict.fromkeys(("sat", "saturday"), 5),
    **dict.fromkeys(("sun", "sunday"), 6),
}
_FULL_WEEKDAYS = frozenset(w for w in _WEEKDAY_INDEX if w.endswith("day"))
_LEADS = frozenset({"next", "this", "coming"})
# Words after which a short weekday ("mon") is a day, not something else.
_DAY_LEADS = _LEADS | {"from", "on", "starting", "start", "by"}


def _weekday_after(today: date, weekday: int) -> date:
    """The next such weekday after today ("monday" on a Monday is next week's)."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _first_of_next_month(today: date) -> date:
    return add_months(today.replace(day=1), 1)


def _relative_at(tokens: list[Token], i: int, today: date) -> tuple[date | None, int] | None:
    """A relative date starting at token `i`: (date, tokens used); date None: no such day."""
    tok, nxt = tokens[i], at(tokens, i + 1)
    word = tok.word if tok.kind in (Kind.WORD, Kind.KEYWORD) else ""
    if word in ("today", "tomorrow"):
        return today + timedelta(days=1 if word == "tomorrow" else 0), 1
    if word in _WEEKDAY_INDEX and tok.kind is Kind.WORD:
        before = at(tokens, i - 1) if i else None
        if word in _FULL_WEEKDAYS or (before is not None and before.word in _DAY_LEADS):
            return _weekday_after(today, _WEEKDAY_INDEX[word]), 1
        return None
    if nxt is None:
        return None
    if word in _LEADS and nxt.kind is Kind.WORD and nxt.word in _WEEKDAY_INDEX:
        return _weekday_after(today, _WEEKDAY_INDEX[nxt.word]), 2
    if word == "next" and nxt.word == "month":
        return _first_of_next_month(today), 2
    if word == "next" and nxt.word == "week":
        return _weekday_after(today, 0), 2
    in_time = word == "in" and nxt.kind is Kind.DURATION and nxt.duration is not None
    if in_time and nxt.duration is not None and nxt.duration.unit != "second":
        return nxt.duration.end_date(today) + timedelta(days=1), 2
    if word == "mid":
        k = i + 2 if nxt.word == "-" else i + 1
        month = _month_of(at(tokens, k))
        if month is not None:
            return next_occurrence(month, 15, today), k - i + 1
    return _day_of_next_month(tokens, i, today)


def _day_of_next_month(tokens: list[Token], i: int, today: date) -> tuple[date | None, int] | None:
    """ "1st of next month", "15 next month"."""
    day = _day_of(tokens[i])
    if day is None:
        return None
    k = i + 1
    if (of := at(tokens, k)) is not None and of.word == "of":
        k += 1
    lead, unit = at(tokens, k), at(tokens, k + 1)
    if lead is None or unit is None or lead.word != "next" or unit.word != "month":
        return None
    first = _first_of_next_month(today)
    try:
        return first.replace(day=day), k + 2 - i
    except ValueError:
        return None, k + 2 - i


def compose_relative_dates(message: str, tokens: list[Token], today: date) -> list[Token]:
    """Relative dates, resolved against `today` (the configured zone's): `today`, `tomorrow`,
    `monday` / `next monday` (the next one after today), `next week` (its Monday), `next month`
    (its 1st), `1st of next month`, `in two weeks`, `mid-March` (the 15th)."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        found = _relative_at(tokens, i, today)
        if found is None:
            out.append(tokens[i])
            i += 1
            continue
        day, used = found
        first, last = tokens[i], tokens[i + used - 1]
        text = message[first.start : last.end]
        if day is None:
            out.append(Token(Kind.BAD_DATE, text, first.start, last.end, word=text.lower()))
        else:
            out.append(Token(Kind.DATE, text, first.start, last.end, word=text.lower(), day=day))
        i += used
    return out
