"""Bookable inventory as numbers: a location's capacity, what holds and bookings use of it by day,
what collides, and weekly occupancy. Pure: no I/O, no clock (callers pass `now`).

A static site is sold by face (capacity = its faces); a digital screen by share of voice, in
spots of its loop (capacity = loop ÷ spot, e.g. 96 s ÷ 16 s = 6 spots). A hold or a booking
takes some units of one location for an inclusive range of days.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

HOLD = "hold"
BOOKING = "booking"
MAX_RANGE_DAYS = 731  # one answer covers at most two years of days
FIRST_YEAR, LAST_YEAR = 2000, 2200  # the calendar people can ask about


@dataclass(frozen=True)
class Capacity:
    """How many units a location sells at once, and what a unit is."""

    units: int
    unit: str  # "face" | "spot"

    def name(self, count: int) -> str:
        return f"{count} {self.unit}{'' if count == 1 else 's'}"


def capacity_of(display_type: str, faces: int, spot_s: int | None, loop_s: int | None) -> Capacity:
    """Faces of a static site; spots in the loop of a digital screen (at least one)."""
    if display_type == "digital":
        spot, loop = spot_s or 16, loop_s or 96
        return Capacity(max(loop // max(spot, 1), 1), "spot")
    return Capacity(max(faces, 1), "face")


@dataclass(frozen=True)
class Claim:
    """One hold or booking of some units of a location for an inclusive range of days."""

    id: uuid.UUID
    kind: str  # hold | booking
    start: date
    end: date
    units: int
    client: str
    expires_at: datetime | None = None  # holds only
    reference: str | None = None  # bookings: the booking order's reference

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


def live(claims: Iterable[Claim], now: datetime) -> list[Claim]:
    """Bookings, and the holds that have not expired at `now`."""
    return [c for c in claims if c.kind == BOOKING or c.expires_at is None or c.expires_at > now]


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def check_range(start: date, end: date) -> None:
    """A range a person can ask about: in order, not longer than two years, in the calendar."""
    if not (start.year >= FIRST_YEAR and end.year <= LAST_YEAR):
        raise ValueError(f"Ask about dates between {FIRST_YEAR} and {LAST_YEAR}.")
    if end < start:
        raise ValueError("The end date is before the start date.")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValueError("Ask about at most two years at a time.")


@dataclass(frozen=True)
class Day:
    day: date
    booked: int
    held: int
    free: int


def by_day(claims: Sequence[Claim], start: date, end: date, capacity: int) -> list[Day]:
    """Units booked, held and still free on each day of the range (free never below zero)."""
    out: list[Day] = []
    for day in days(start, end):
        booked = sum(c.units for c in claims if c.kind == BOOKING and c.covers(day))
        held = sum(c.units for c in claims if c.kind == HOLD and c.covers(day))
        out.append(Day(day, booked, held, max(capacity - booked - held, 0)))
    return out


def collisions(
    claims: Sequence[Claim],
    start: date,
    end: date,
    units: int,
    capacity: int,
    *,
    kinds: tuple[str, ...] = (BOOKING,),
) -> list[Claim]:
    """The claims of `kinds` that leave fewer than `units` free on some day of the range, in
    date order (by default bookings only: holds never refuse a booking)."""
    taken = [c for c in claims if c.kind in kinds and c.overlaps(start, end)]
    full = [
        day
        for day in days(max(start, _first(taken, start)), end)
        if capacity - sum(c.units for c in taken if c.covers(day)) < units
    ]
    if not full:
        return []
    return sorted(
        (c for c in taken if any(c.covers(d) for d in full)), key=lambda c: (c.start, c.client)
    )


def _first(claims: Sequence[Claim], default: date) -> date:
    return min((c.start for c in claims), default=default)


@dataclass(frozen=True)
class Week:
    """Occupancy of one week (Monday first): booked and held unit-days over the week's capacity."""

    start: date
    booked_pct: int
    held_pct: int


def weekly(claims: Sequence[Claim], first_monday: date, weeks: int, capacity: int) -> list[Week]:
    """`weeks` weeks from `first_monday`, each as whole percentages of its unit-days."""
    out: list[Week] = []
    for n in range(weeks):
        monday = first_monday + timedelta(weeks=n)
        rows = by_day(claims, monday, monday + timedelta(days=6), capacity)
        total = capacity * 7
        booked = sum(min(r.booked, capacity) for r in rows)
        held = sum(min(r.held, capacity - min(r.booked, capacity)) for r in rows)
        out.append(Week(monday, _pct(booked, total), _pct(held, total)))
    return out


def _pct(part: int, whole: int) -> int:
    """Whole percent, half up (never a float)."""
    return (part * 200 + whole) // (whole * 2) if whole else 0


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def day_text(day: date) -> str:
    """ "12 Jan 2027"."""
    return f"{day.day} {day:%b %Y}"


def range_text(start: date, end: date) -> str:
    """ "1–31 Mar 2027", "28 Feb – 3 Mar 2027", "1 Dec 2026 – 5 Jan 2027"."""
    if start == end:
        return day_text(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {day_text(end)}"
    return f"{day_text(start)} – {day_text(end)}"
