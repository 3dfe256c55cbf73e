"""Lexer of the offline model: a chat message becomes a list of typed tokens.

Passes, in order: a raw scan (numbers, numeric dates, sizes, codes, words, punctuation), then
composition of currencies and amounts, percentages, durations, natural dates, location mentions
and finally keyword phrases. The grammar only ever looks at these tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from rapidfuzz import fuzz, process

from salesbot.kit.money import to_decimal


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


def _table(*rows: tuple[_V, str]) -> dict[str, _V]:
    """A word table written compactly: (value, "word word ...") rows."""
    return {word: value for value, words in rows for word in words.split()}


MONTHS = _table(
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
NUMBER_WORDS = _table(
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
_UNITS = _table(
    ("second", "s sec secs second seconds"),
    ("day", "day days"),
    ("week", "w wk wks week weeks"),
    ("month", "mo mos mth mths month months"),
    ("year", "yr yrs year years"),
)
_SCALES = {
    "k": ("k", Decimal(1000)),
    "thousand": ("k", Decimal(1000)),
    "m": ("m", Decimal(1_000_000)),
    "mn": ("m", Decimal(1_000_000)),
    "mln": ("m", Decimal(1_000_000)),
    "million": ("m", Decimal(1_000_000)),
    "millions": ("m", Decimal(1_000_000)),
    "b": ("b", Decimal(1_000_000_000)),
    "bn": ("b", Decimal(1_000_000_000)),
    "billion": ("b", Decimal(1_000_000_000)),
}
CURRENCY_WORDS = _table(
    ("AED", "aed dirham dirhams dhs"),
    ("USD", "usd dollar dollars"),
    ("EUR", "eur euro euros"),
    ("GBP", "gbp pound pounds sterling"),
    ("SAR", "sar riyal riyals"),
    ("QAR", "qar"),
    ("KWD", "kwd"),
    ("BHD", "bhd"),
    ("OMR", "omr"),
    ("EGP", "egp"),
    ("INR", "inr"),
    ("JPY", "jpy"),
    ("CNY", "cny"),
    ("CHF", "chf"),
    ("CAD", "cad"),
    ("AUD", "aud"),
)
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}

# Canonical keyword -> the phrases that say it. Multi-word phrases win over their parts.
KEYWORDS: dict[str, str] = {
    "proposal": "proposal|proposals|quote|quotes|quotation|quotations",
    "combined": "combined|combine|package|packages|bundle|bundled",
    "separate": "separate|separately|individual",
    "package_rate": (
        "package rate|package price|package net rate|net package rate|combined rate|"
        "combined net rate|combined price|bundle rate|total package rate"
    ),
    "start": "start|starts|starting|start date|begin|begins|beginning",
    "end": "end|ends|ending|end date|until|till|through|thru",
    "duration": "duration|durations|period|periods|campaign duration",
    "rate": "rate|rates|net rate|net rates|price|prices|pricing",
    "net": "net",
    "client": "client|customer|advertiser|client name",
    "spots": "spot|spots|slot|slots",
    "production_fee": (
        "production fee|production fees|production cost|production|prod fee|printing fee"
    ),
    "upload_fee": "upload fee|upload fees",
    "production_upload_fee": (
        "production/upload fee|production upload fee|production and upload fee|"
        "production or upload fee"
    ),
    "municipality_fee": "municipality fee|municipality fees|municipality|dm fee|dm",
    "payment_terms": "payment terms|payment term|terms of payment|payment|terms",
    "currency": "currency",
    "mockup": "mockup|mockups|mock up|mock-up|mock ups|mock-ups|visual|visualise|visualize",
    "location": (
        "location|locations|site|sites|screen|screens|billboard|billboards|inventory|"
        "catalogue|catalog"
    ),
    "digital": "digital|led|dooh",
    "static": "static|printed|classic",
    "booking_order": "booking order|booking orders|bo|bos|b.o|b.o.|booking form",
    "submit": "submit|send for approval|send it for approval",
    "approve": "approve|sign off|signoff",
    "reject": "reject|decline|send back",
    "cancel": "cancel|call off",
    "status": "status|progress|stage",
    "conversation": "conversation|conversations|chat|chats|chat history|discussion|discussions",
    "history": "history",
    "help": (
        "help|what can you do|what do you do|how does this work|how do i use this|commands|examples"
    ),
    "greeting": (
        "hi|hello|hey|hiya|howdy|salam|salaam|marhaba|greetings|good morning|"
        "good afternoon|good evening"
    ),
    "thanks": "thanks|thank you|thx|cheers|much appreciated",
    "yes": "yes|y|yeah|yep|yup|sure|confirm|confirmed|go ahead|ok|okay|do it|proceed|please do",
    "no": "no|nope|nah|don't|do not|stop|abort|never mind|nevermind",
    "finish": "finish",
    "night": "night|nighttime|night time|at night|evening|night-time",
    "day": "daytime|day time|daylight|by day|during the day|day-time|day",
    "add": "add|create|new|register",
    "update": "update|change|set|edit|modify|correct|fix|amend|adjust",
    "rename": "rename",
    "delete": "delete|remove|get rid of",
    "deactivate": "deactivate|disable|hide",
    "activate": "activate|reactivate|enable|unhide",
    "list": "list|show|display|view|see",
    "find": "find|search|look up|lookup|look for|locate|open",
    "net_amount": "net amount|amount",
    "net_pre_vat": "net pre vat|net pre-vat|net before vat|net total|net value",
    "vat": "vat",
    "gross": "gross|gross total|gross amount|total",
    "sla": "sla|sla %|sla pct|sla percentage",
    "commission": "commission|commission %|commission pct|agency commission",
    "agency": "agency",
    "brand_campaign": "brand|campaign|brand campaign|brand/campaign|brand name",
    "category": "category",
    "sales_person": "sales person|salesperson|sales rep|sales executive",
    "notes": "notes|note|remarks",
    "bo_number": "bo number|booking order number|bo no|bo #|po number",
    "date": "date|bo date|booking order date",
    "asset": "asset|assets",
    "display_name": "display name|name",
    "series": "series",
    "company": "company|brand company",
    "faces": "faces|face|number of faces",
    "spot_duration": "spot duration|spot length|spot time",
    "loop_duration": "loop duration|loop length|loop",
    "sov": "sov|share of voice",
    "size": "size|dimensions",
    "width": "width",
    "height": "height",
    "aliases": "alias|aliases|also called|also known as|aka",
    "key": "key|slug",
    "display_type": "display type|type",
    "reason": "reason|because|due to|since",
}

_RAW = re.compile(
    r"""
    (?P<iso>\d{4}-\d{1,2}-\d{1,2})(?![\w-])
  | (?P<dmy>\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})(?![\w/.-])
  | (?P<size>(?P<w>\d+(?:\.\d+)?)\s*m?\s*[x×*]\s*(?P<h>\d+(?:\.\d+)?)\s*m?)
        (?![\w.])(?!\s*(?:weeks?|months?|days?|spots?))
  | (?P<ordinal>(?P<ord>\d{1,2})(?:st|nd|rd|th))(?!\w)
  | (?P<dur>(?P<dcount>\d{1,3})(?P<dunit>weeks?|wks?|w|months?|mos?|mths?|days?|years?|yrs?
        |seconds?|secs?|s))(?!\w)
  | (?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?P<scale>k|mn|mln|m|bn|b)?(?!\w)
  | (?P<code>[A-Za-z]{1,8}(?:[-/][A-Za-z]*\d[A-Za-z0-9]*)+)(?![\w-])
  | (?P<curcode>AED|USD|EUR|GBP|SAR)(?=\d)
  | (?P<word>[^\W\d_][\w]*|\w+)
  | (?P<symbol>[$€£])
  | (?P<punct>[^\w\s])
    """,
    re.VERBOSE | re.IGNORECASE,
)

_PLAIN_NUMBER = re.compile(r"\d+")
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
        if m.group("iso"):
            tokens.append(_numeric_date(text, start, end, day_first=False))
        elif m.group("dmy"):
            tokens.append(_numeric_date(text, start, end, day_first=True))
        elif m.group("size"):
            size = (_decimal(m.group("w")), _decimal(m.group("h")))
            tokens.append(Token(Kind.SIZE, text, start, end, word=text.lower(), size=size))
        elif m.group("ordinal"):
            value = Decimal(int(m.group("ord")))
            tokens.append(Token(Kind.ORDINAL, text, start, end, word=text.lower(), number=value))
        elif m.group("dur"):
            unit = _UNITS[m.group("dunit").lower()]
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
            code = _CURRENCY_SYMBOLS[text]
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
        letter, factor = _SCALES[scale.lower()]
        number = value * factor
        return Token(Kind.AMOUNT, text, start, end, word=text.lower(), number=number, scale=letter)
    # Thousands separators mark an amount; a bare number is decided by the grammar.
    kind = Kind.AMOUNT if "," in digits else Kind.NUMBER
    return Token(kind, text, start, end, word=text.lower(), number=value)


def _numeric_date(text: str, start: int, end: int, *, day_first: bool) -> Token:
    parts = [int(p) for p in re.split(r"[/.-]", text)]
    if day_first:
        day, month, year = parts
        if year < 100:
            year += 2000
    else:
        year, month, day = parts
    return _make_date(text, start, end, year, month, day)


def _make_date(text: str, start: int, end: int, year: int, month: int, day: int) -> Token:
    try:
        value = date(year, month, day)
    except ValueError:
        return Token(Kind.BAD_DATE, text, start, end, word=text.lower())
    return Token(Kind.DATE, text, start, end, word=text.lower(), day=value)


def _join(message: str, first: Token, last: Token, kind: Kind) -> Token:
    text = message[first.start : last.end]
    return Token(kind, text, first.start, last.end, word=text.lower())


def _int_value(tok: Token) -> int | None:
    """The integer a NUMBER token (digits only) or a number word stands for."""
    if tok.kind is Kind.NUMBER and _PLAIN_NUMBER.fullmatch(tok.text):
        return int(tok.text)
    if tok.kind is Kind.WORD and tok.word in NUMBER_WORDS:
        return NUMBER_WORDS[tok.word]
    return None


def _at(tokens: list[Token], i: int) -> Token | None:
    return tokens[i] if 0 <= i < len(tokens) else None


def _compose_amounts(message: str, tokens: list[Token]) -> list[Token]:
    """Currency + number + scale word (in the usual orders), and percentages."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = _at(tokens, i + 1)
        if tok.kind is Kind.CURRENCY and nxt is not None and nxt.kind in (Kind.NUMBER, Kind.AMOUNT):
            amount, used = _amount_with_scale(message, tokens, i + 1)
            joined = _join(message, tok, amount, Kind.AMOUNT)
            out.append(
                replace(joined, number=amount.number, scale=amount.scale, currency=tok.currency)
            )
            i += 1 + used
            continue
        if tok.kind in (Kind.NUMBER, Kind.AMOUNT):
            amount, used = _amount_with_scale(message, tokens, i)
            after = _at(tokens, i + used)
            # A code or word written after the number ("2M AED"); symbols only go in front.
            if (
                after is not None
                and after.kind is Kind.CURRENCY
                and after.text not in _CURRENCY_SYMBOLS
                and after.start - amount.end <= 1
            ):
                joined = _join(message, amount, after, Kind.AMOUNT)
                out.append(
                    replace(
                        joined, number=amount.number, scale=amount.scale, currency=after.currency
                    )
                )
                i += used + 1
                continue
            if after is not None and (after.text == "%" or after.word in ("percent", "pct")):
                out.append(
                    replace(_join(message, amount, after, Kind.PERCENT), number=amount.number)
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
    nxt = _at(tokens, i + 1)
    if not tok.scale and nxt is not None and nxt.kind is Kind.WORD and nxt.word in _SCALES:
        letter, factor = _SCALES[nxt.word]
        number = (tok.number or Decimal(0)) * factor
        return replace(_join(message, tok, nxt, Kind.AMOUNT), number=number, scale=letter), 2
    return tok, 1


def _compose_durations(message: str, tokens: list[Token]) -> list[Token]:
    """`2 weeks`, `a month`, `fortnight`, and lists sharing a unit: `2, 4 and 8 weeks`."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = _at(tokens, i + 1)
        count = _int_value(tok)
        if (
            count is not None
            and nxt is not None
            and nxt.kind is Kind.WORD
            and nxt.word in _UNITS
            and len(nxt.word) > 1  # "2 s" is too loose to mean seconds
        ):
            duration = Duration(count, _UNITS[nxt.word])
            out.append(replace(_join(message, tok, nxt, Kind.DURATION), duration=duration))
            i += 2
            continue
        if tok.kind is Kind.WORD and tok.word == "fortnight":
            out.append(replace(tok, kind=Kind.DURATION, duration=Duration(2, "week")))
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
            before = _at(out, j - 2)
            count = _int_value(prev)
            if count is None or prev.kind is Kind.WORD or count > 366:
                break
            if before is not None and before.word.rstrip(".") in MONTHS:
                break  # "Dec 1, 2 weeks": the 1 is a day of the month
            out[j - 1] = replace(
                prev, kind=Kind.DURATION, duration=Duration(count, tok.duration.unit)
            )
            j -= 2
    return out


def _compose_dates(message: str, tokens: list[Token], today: date) -> list[Token]:
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
    if tok.kind is Kind.NUMBER and _PLAIN_NUMBER.fullmatch(tok.text) and 1 <= int(tok.text) <= 31:
        return int(tok.text)
    return None


def _year_of(tok: Token | None) -> int | None:
    if tok is not None and tok.kind is Kind.NUMBER and re.fullmatch(r"(19|20|21)\d\d", tok.text):
        return int(tok.text)
    return None


def _month_of(tok: Token | None) -> int | None:
    if tok is None or tok.kind is not Kind.WORD:
        return None
    return MONTHS.get(tok.word.rstrip("."))


def _year_after(tokens: list[Token], k: int) -> tuple[int | None, int]:
    """A year at `k`, optionally after a comma: (year, tokens used)."""
    tok = _at(tokens, k)
    if tok is not None and tok.word == ",":
        year = _year_of(_at(tokens, k + 1))
        return (year, 2) if year is not None else (None, 0)
    year = _year_of(tok)
    return (year, 1) if year is not None else (None, 0)


def _date_at(
    message: str, tokens: list[Token], i: int, today: date
) -> tuple[Token, int, bool] | None:
    """A natural date starting at token `i`: (token, tokens used, year written)."""
    month = _month_of(tokens[i])
    if month is not None:
        day = _day_of(_at(tokens, i + 1))
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
    of = _at(tokens, k)
    if of is not None and of.word == "of":
        k += 1
    month = _month_of(_at(tokens, k))
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
        year = today.year
        try:
            if date(year, month, day) < today:
                year += 1
        except ValueError:
            pass
    return _make_date(text, first.start, last.end, year, month, day)


_RANGE_WORDS = frozenset({"-", "–", "to", "until", "till", "through", "thru"})


def _fix_range_years(tokens: list[Token], explicit_year: set[int]) -> list[Token]:
    """In "Dec 20 - Jan 10 2026" the first date takes its year from the second."""
    out = list(tokens)
    for i, tok in enumerate(out):
        if tok.kind is not Kind.DATE or tok.day is None or tok.start in explicit_year:
            continue
        nxt = _at(out, i + 1)
        if nxt is None or nxt.word not in _RANGE_WORDS:
            continue
        end_tok = _at(out, i + 2)
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


def _compose_relative_dates(tokens: list[Token], today: date) -> list[Token]:
    out: list[Token] = []
    for tok in tokens:
        if tok.kind is Kind.WORD and tok.word == "today":
            out.append(replace(tok, kind=Kind.DATE, day=today))
        elif tok.kind is Kind.WORD and tok.word == "tomorrow":
            out.append(replace(tok, kind=Kind.DATE, day=today + timedelta(days=1)))
        else:
            out.append(tok)
    return out


# --- locations -------------------------------------------------------------------------------

_NAME_WORD = re.compile(r"[^\W_]+")
_NON_ALNUM = re.compile(r"[\W_]")
_FUZZY_MIN_LEN = 5
_FUZZY_THRESHOLD = 85.0
_FUZZY_TIE = 3.0


def name_words(name: str) -> list[str]:
    """Normalised words of a name: lower case, without a leading "the"."""
    words = _NAME_WORD.findall(name.lower())
    if words and words[0] == "the":
        words = words[1:]
    return words


def _compact(words: Iterable[str]) -> str:
    return "".join(words)


@dataclass(frozen=True)
class _NameIndex:
    exact: dict[str, tuple[str, ...]]  # compact name -> keys
    by_length: dict[int, tuple[list[str], list[str]]]  # word count -> (spaced names, keys)
    longest: int


def _index(locations: Sequence[KnownLocation]) -> _NameIndex:
    exact: dict[str, list[str]] = {}
    by_length: dict[int, tuple[list[str], list[str]]] = {}
    longest = 1
    for loc in locations:
        for name in (loc.key, *loc.names):
            words = name_words(name.replace("_", " "))
            if not words:
                continue
            longest = max(longest, len(words))
            keys = exact.setdefault(_compact(words), [])
            if loc.key not in keys:
                keys.append(loc.key)
            spaced = " ".join(words)
            if len(spaced) >= _FUZZY_MIN_LEN:
                names, owners = by_length.setdefault(len(words), ([], []))
                names.append(spaced)
                owners.append(loc.key)
    return _NameIndex({k: tuple(v) for k, v in exact.items()}, by_length, longest)


def _is_name_part(tok: Token) -> bool:
    if tok.kind in (Kind.WORD, Kind.CODE):
        return True
    return tok.kind is Kind.NUMBER and _PLAIN_NUMBER.fullmatch(tok.text) is not None


_JOINERS = frozenset({"-", "_", "'"})


def _run(tokens: list[Token], i: int, n: int) -> list[int] | None:
    """Indexes of `n` name parts starting at `i`, allowing hyphens between them."""
    picked: list[int] = []
    k = i
    while len(picked) < n and k < len(tokens):
        if not _is_name_part(tokens[k]):
            return None
        picked.append(k)
        k += 1
        if len(picked) < n and k < len(tokens) and tokens[k].word in _JOINERS:
            k += 1
    return picked if len(picked) == n else None


def _compose_locations(
    message: str, tokens: list[Token], locations: Sequence[KnownLocation], protected: frozenset[str]
) -> list[Token]:
    if not locations:
        return tokens
    index = _index(locations)
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        match = _exact_location(tokens, i, index) or _fuzzy_location(tokens, i, index, protected)
        if match is None:
            out.append(tokens[i])
            i += 1
            continue
        picked, keys = match
        first, last = tokens[picked[0]], tokens[picked[-1]]
        out.append(replace(_join(message, first, last, Kind.LOCATION), locations=keys))
        i = picked[-1] + 1
    return out


def _exact_location(
    tokens: list[Token], i: int, index: _NameIndex
) -> tuple[list[int], tuple[str, ...]] | None:
    for n in range(index.longest + 1, 0, -1):
        picked = _run(tokens, i, n)
        if picked is None:
            continue
        compact = _compact(_NON_ALNUM.sub("", tokens[k].word) for k in picked)
        if compact in index.exact:
            return picked, index.exact[compact]
    return None


def _fuzzy_location(
    tokens: list[Token], i: int, index: _NameIndex, protected: frozenset[str]
) -> tuple[list[int], tuple[str, ...]] | None:
    if tokens[i].kind is not Kind.WORD or tokens[i].word in protected:
        return None
    best: dict[str, tuple[float, list[int]]] = {}
    for n, (names, owners) in index.by_length.items():
        picked = _run(tokens, i, n)
        if picked is None:
            continue
        words = [tokens[k].word for k in picked]
        if any(w in protected or w in MONTHS or w in NUMBER_WORDS for w in words):
            continue
        candidate = " ".join(words)
        if len(candidate) < _FUZZY_MIN_LEN:
            continue
        found = process.extract(
            candidate, names, scorer=fuzz.ratio, score_cutoff=_FUZZY_THRESHOLD, limit=None
        )
        for name, score, at in found:
            key = owners[at]
            # Typos rarely hit the first letter; requiring it keeps ordinary words out.
            if name[0] == candidate[0] and score > best.get(key, (0.0, []))[0]:
                best[key] = (float(score), picked)
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -len(kv[1][1])))
    top_score, top_picked = ranked[0][1]
    close = tuple(k for k, (s, _) in ranked if top_score - s <= _FUZZY_TIE)
    return top_picked, close


# --- keywords --------------------------------------------------------------------------------


def _phrase_table() -> tuple[dict[tuple[str, ...], str], int]:
    table: dict[tuple[str, ...], str] = {}
    for canonical, phrases in KEYWORDS.items():
        for phrase in phrases.split("|"):
            parts = tuple(re.findall(r"\w+|[^\w\s]", phrase.lower()))
            table.setdefault(parts, canonical)
    return table, max(len(p) for p in table)


_PHRASES, _LONGEST_PHRASE = _phrase_table()
KEYWORD_WORDS = frozenset(w for phrase in _PHRASES for w in phrase if w.isalpha())


def _compose_keywords(message: str, tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        for n in range(min(_LONGEST_PHRASE, len(tokens) - i), 0, -1):
            span = tokens[i : i + n]
            if any(t.kind not in (Kind.WORD, Kind.PUNCT) for t in span):
                continue
            canonical = _PHRASES.get(tuple(t.word for t in span))
            if canonical is not None and not (n == 1 and span[0].kind is Kind.PUNCT):
                keyword = _join(message, span[0], span[-1], Kind.KEYWORD)
                out.append(replace(keyword, word=canonical))
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def tokenize(message: str, *, locations: Sequence[KnownLocation], today: date) -> list[Token]:
    """Turn a message into typed tokens (see the module docstring for the passes)."""
    tokens = _scan(message)
    tokens = _compose_amounts(message, tokens)
    tokens = _compose_durations(message, tokens)
    tokens = _compose_dates(message, tokens, today)
    tokens = _compose_relative_dates(tokens, today)
    tokens = _compose_locations(message, tokens, locations, KEYWORD_WORDS)
    return _compose_keywords(message, tokens)
