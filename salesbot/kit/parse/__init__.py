"""The one parser of what people type for amounts, dates and durations.

No domain knowledge: callers add their own rules (which currencies, how large, which units)
through keyword arguments, and turn `ParseError` into their own error type. Strict `parse_*`
functions raise `ParseError` with a message meant for a person; lenient `read_*` functions
return None when the text is not one.
"""

from salesbot.kit.parse.amounts import (
    ALL_SCALES,
    MAX_AMOUNT,
    SCALES_OF,
    Amount,
    find_amount,
    parse_amount,
    read_amount,
    scale_of,
)
from salesbot.kit.parse.dates import (
    FoundDate,
    add_months,
    date_parts,
    find_dates,
    next_occurrence,
    parse_date,
    read_date,
)
from salesbot.kit.parse.durations import (
    CALENDAR_UNITS,
    MAX_DURATION_DAYS,
    Duration,
    parse_duration,
    read_duration,
)
from salesbot.kit.parse.errors import ParseError, quote
from salesbot.kit.parse.words import (
    CURRENCY_SYMBOLS,
    CURRENCY_WORDS,
    MONTH_NAMES,
    MONTH_NUMBERS,
    NUMBER_WORDS,
    SCALES,
    UNIT_WORDS,
    WEEKDAYS,
    WHOLE_DURATIONS,
    DurationUnit,
)

__all__ = [
    "ALL_SCALES",
    "CALENDAR_UNITS",
    "CURRENCY_SYMBOLS",
    "CURRENCY_WORDS",
    "MAX_AMOUNT",
    "MAX_DURATION_DAYS",
    "MONTH_NAMES",
    "MONTH_NUMBERS",
    "NUMBER_WORDS",
    "SCALES",
    "SCALES_OF",
    "UNIT_WORDS",
    "WEEKDAYS",
    "WHOLE_DURATIONS",
    "Amount",
    "Duration",
    "DurationUnit",
    "FoundDate",
    "ParseError",
    "add_months",
    "date_parts",
    "find_amount",
    "find_dates",
    "next_occurrence",
    "parse_amount",
    "parse_date",
    "parse_duration",
    "quote",
    "read_amount",
    "read_date",
    "read_duration",
    "scale_of",
]
