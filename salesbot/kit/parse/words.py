"""English words people use for months, weekdays, small numbers, scales, currencies and units.

Lower-case keys; one table per meaning so that every reader (forms, chat, documents) agrees.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, TypeVar

DurationUnit = Literal["second", "day", "week", "month", "year"]
_V = TypeVar("_V")


def _table(*rows: tuple[_V, str]) -> dict[str, _V]:
    """A word table written compactly: (value, "word word ...") rows."""
    return {word: value for value, words in rows for word in words.split()}


MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_NUMBERS: dict[str, int] = (
    {name.lower(): n for n, name in enumerate(MONTH_NAMES, start=1)}
    | {name[:3].lower(): n for n, name in enumerate(MONTH_NAMES, start=1)}
    | {"sept": 9}
)
WEEKDAYS = frozenset(
    {"mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs"}
    | {"thursday", "fri", "friday", "sat", "saturday", "sun", "sunday"}
)
NUMBER_WORDS: dict[str, int] = _table(
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
# Scale word -> factor, as in "750k", "1.5M", "2 mn", "1.25 million".
SCALES: dict[str, Decimal] = _table(
    (Decimal(1_000), "k thousand"),
    (Decimal(1_000_000), "m mn mln mio million millions"),
    (Decimal(1_000_000_000), "b bn billion"),
)
# Currency word or code -> ISO code.
CURRENCY_WORDS: dict[str, str] = _table(
    ("AED", "aed dh dhs dirham dirhams"),
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
CURRENCY_SYMBOLS: dict[str, str] = {"$": "USD", "€": "EUR", "£": "GBP"}
# Duration unit word -> unit. "m" is a month here; a reader that takes "m" for million
# (amounts) must decide by context before asking for a duration.
UNIT_WORDS: dict[str, DurationUnit] = _table(
    ("second", "s sec secs second seconds"),
    ("day", "d day days يوم ايام أيام"),
    ("week", "w wk wks week weeks اسبوع أسبوع اسابيع أسابيع"),
    ("month", "m mo mos mth mths month months شهر اشهر أشهر"),
    ("year", "y yr yrs year years سنة سنوات"),
)
# Words that are a duration on their own: "fortnight", and Arabic duals ("اسبوعين": two weeks).
WHOLE_DURATIONS: dict[str, tuple[int, DurationUnit]] = {
    "fortnight": (2, "week"),
    "يومين": (2, "day"),
    "اسبوعين": (2, "week"),
    "أسبوعين": (2, "week"),
    "شهرين": (2, "month"),
    "سنتين": (2, "year"),
}
