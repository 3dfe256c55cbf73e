"""Inventory's offline phrases: "is the landmark free in March?", "is UAE21 available from
1 March to 15 March", "availability of the gateway next month".

The rule resolves the dates itself (it knows today): a month alone is that whole month (the
next one to come, this one if we are in it), two dates a range, one date that day.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from salesbot.kit.parse.words import MONTH_NAMES
from salesbot.kit.phrases.env import Env, Family, Intent, with_location
from salesbot.kit.phrases.tokens import Kind

_ASKING = frozenset(
    {"free", "available", "availability", "booked", "held", "occupied", "taken", "vacant"}
)
# Words that make it a proposal or an order, not a question about the calendar.
_NOT_A_QUESTION = frozenset({"proposal", "proposals", "quote", "rate", "rates", "net", "order"})
_MONTHS = {name.lower(): n for n, name in enumerate(MONTH_NAMES, start=1)}
_MONTH_LEAD = frozenset({"in", "during", "for", "throughout", "through", "of", "all"})


def _month_range(month: int, year: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _coming_month(month: int, today: date) -> tuple[date, date]:
    """The whole month: this year's if it has not ended, else next year's."""
    year = today.year if month >= today.month else today.year + 1
    return _month_range(month, year)


def _month_word(env: Env) -> int | None:
    """A month named on its own ("in March"); "may" only after "in", "during"..."""
    for i, tok in enumerate(env.tokens):
        number = _MONTHS.get(tok.word) if tok.kind is Kind.WORD else None
        if number is None:
            continue
        led = i > 0 and env.tokens[i - 1].word in _MONTH_LEAD
        if led or tok.word != "may":
            return number
    return None


def _is_month_only(word: str) -> bool:
    """ "march 2027" (a month of a year), not "1 march"."""
    parts = word.split()
    return len(parts) == 2 and parts[0] in _MONTHS and parts[1].isdigit() and len(parts[1]) == 4


def _relative(env: Env) -> tuple[date, date] | None:
    at = env.find_word("next", "this")
    if at is None or at + 1 >= len(env.tokens):
        return None
    return _period(env.tokens[at].word, env.tokens[at + 1].word, env.today)


def _period(lead: str, unit: str, today: date) -> tuple[date, date] | None:
    """ "next month" / "this week" as the whole period (from today when it has begun)."""
    if unit == "month":
        first = today.replace(day=1)
        if lead == "next":
            first = (first + timedelta(days=32)).replace(day=1)
        return max(first, today), _month_range(first.month, first.year)[1]
    if unit == "week":
        monday = today - timedelta(days=today.weekday())
        if lead == "next":
            monday += timedelta(days=7)
        return max(monday, today), monday + timedelta(days=6)
    return None


def _dates(env: Env) -> tuple[date, date] | None:
    days = [env.tokens[i] for i in env.of_kind(Kind.DATE)]
    if len(days) >= 2 and days[0].day and days[1].day:
        return days[0].day, days[1].day
    if len(days) == 1 and days[0].day:
        # The lexer reads "next month" / "next week" as its first day; here it is the period.
        lead, _, unit = days[0].word.partition(" ")
        period = _period(lead, unit, env.today) if lead in ("next", "this") else None
        if period is not None:
            return period
        if _is_month_only(days[0].word):
            return _month_range(days[0].day.month, days[0].day.year)
        return days[0].day, days[0].day
    month = _month_word(env)
    if month is not None:
        return _coming_month(month, env.today)
    return _relative(env)


def _availability(env: Env) -> Intent | None:
    locs = env.of_kind(Kind.LOCATION)
    words = {t.word for t in env.tokens}
    if not locs or not words & _ASKING or words & _NOT_A_QUESTION:
        return None
    if env.of_kind(Kind.AMOUNT, Kind.DURATION):
        return None  # rates or a campaign length: a proposal being described
    args: dict[str, object] = {}
    found = _dates(env)
    if found is not None:
        args = {"from_date": found[0].isoformat(), "to_date": found[1].isoformat()}
    return with_location(env, locs[0], "check_availability", args)


FAMILIES = [
    Family(
        name="inventory",
        rank=15,
        tools=("check_availability",),
        read=_availability,
        locate={
            "check_availability": lambda env, key, args: Intent(
                "check_availability", {**args, "location": key}
            )
        },
        labels={"check_availability": "check availability"},
    ),
]
