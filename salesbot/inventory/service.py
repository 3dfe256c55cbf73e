"""Availability, holds and bookings: the rules.

Holds come from proposals (they expire after `SALESBOT_HOLD_DAYS` and may be renewed once);
bookings come from approved booking orders, which also turn the client's holds into bookings.
Holds never refuse each other (they are shown as warnings); a booking that would sell more
than a location has is refused with 409 naming what is in the way.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.inventory import occupancy, repository
from salesbot.inventory.models import Commitment
from salesbot.inventory.occupancy import BOOKING, HOLD, Capacity, Claim
from salesbot.inventory.schemas import (
    AvailabilityOut,
    CommitmentOut,
    DayOut,
    OccupancyOut,
    OccupancyRow,
    WeekOut,
)
from salesbot.kit.db import utcnow
from salesbot.kit.errors import ValidationFailed
from salesbot.locations import service as locations
from salesbot.locations.service import LocationInfo
from salesbot.settings import Settings

HOLD_NOT_FOUND = "That hold does not exist."


def now_utc() -> datetime:
    """The service's clock (tests replace it)."""
    return utcnow()


def zone(settings: Settings) -> ZoneInfo:
    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today(settings: Settings, now: datetime | None = None) -> date:
    return (now or now_utc()).astimezone(zone(settings)).date()


def capacity(loc: LocationInfo) -> Capacity:
    return occupancy.capacity_of(
        loc.display_type, loc.number_of_faces, loc.spot_duration_s, loc.loop_duration_s
    )


def claim(row: Commitment) -> Claim:
    return Claim(
        id=row.id,
        kind=row.kind,
        start=row.start_date,
        end=row.end_date,
        units=row.units,
        client=row.client,
        expires_at=row.expires_at,
        reference=row.reference,
    )


def counts(row: Commitment, now: datetime) -> bool:
    return row.status == repository.ACTIVE and bool(occupancy.live([claim(row)], now))


def describe(row: Commitment, name: str, settings: Settings) -> str:
    """ "UAE21 is held for Pepsi until 12 Jan 2027 (1–31 Mar 2027)"."""
    dates = occupancy.range_text(row.start_date, row.end_date)
    client = row.client or "a client"
    if row.kind == BOOKING:
        reference = f" ({row.reference})" if row.reference else ""
        return f"{name} is booked for {client}{reference} {dates}"
    until = ""
    if row.expires_at is not None:
        until = f" until {occupancy.day_text(row.expires_at.astimezone(zone(settings)).date())}"
    return f"{name} is held for {client}{until} ({dates})"


def commitment_out(row: Commitment, name: str, settings: Settings, now: datetime) -> CommitmentOut:
    live = counts(row, now)
    return CommitmentOut(
        id=row.id,
        kind="booking" if row.kind == BOOKING else "hold",
        status=row.status if live or row.status != repository.ACTIVE else "expired",
        location_key=row.location_key,
        start_date=row.start_date,
        end_date=row.end_date,
        units=row.units,
        client=row.client,
        owner_name=row.owner_name,
        proposal_id=row.proposal_id,
        booking_order_id=row.booking_order_id,
        reference=row.reference,
        expires_at=row.expires_at,
        renewals=row.renewals,
        counts=live,
        renewable=live and row.kind == HOLD and row.renewals < 1,
        text=describe(row, name, settings),
    )


# --- availability -----------------------------------------------------------------------------


async def availability(
    session: AsyncSession,
    settings: Settings,
    key: str,
    start: date,
    end: date | None = None,
    *,
    now: datetime | None = None,
) -> AvailabilityOut:
    """What of a location is booked, held and free on each day of the range (default: 31 days)."""
    try:
        occupancy.check_range(start, start)
        end = end or start + timedelta(days=30)
        occupancy.check_range(start, end)
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="invalid_range") from None
    loc = locations.info(await locations.get_location(session, key))
    when = now or now_utc()
    rows = [
        r for r in await repository.active_for(session, [loc.id], start, end) if counts(r, when)
    ]
    cap = capacity(loc)
    days = occupancy.by_day([claim(r) for r in rows], start, end, cap.units)
    free = min(d.free for d in days)
    status = _status(days, free, cap.units)
    shown = [commitment_out(r, loc.display_name, settings, when) for r in rows]
    return AvailabilityOut(
        key=loc.key,
        display_name=loc.display_name,
        display_type="digital" if loc.display_type == "digital" else "static",
        from_date=start,
        to_date=end,
        capacity=cap.units,
        unit="spot" if cap.unit == "spot" else "face",
        free_units=free,
        status=status,
        answer=_answer(loc.display_name, cap, start, end, free, status, shown),
        days=[DayOut(date=d.day, booked=d.booked, held=d.held, free=d.free) for d in days],
        commitments=shown,
    )


def _status(days: Sequence[occupancy.Day], free: int, units: int) -> str:
    if all(d.free == units for d in days):
        return "free"
    if free > 0:
        return "partly_free"
    return "booked" if any(d.booked >= units for d in days) else "held"


def _answer(
    name: str,
    cap: Capacity,
    start: date,
    end: date,
    free: int,
    status: str,
    shown: Sequence[CommitmentOut],
) -> str:
    """The sentence the assistant and the calendar page show."""
    dates = occupancy.range_text(start, end)
    if status == "free":
        every = f"all {cap.units} {cap.unit}s" if cap.units > 1 else f"its {cap.unit}"
        return f"{name} is free {dates} ({every})."
    reasons = "; ".join(c.text for c in shown)
    if status == "partly_free":
        return (
            f"{name} has {free} of {cap.name(cap.units)} free on every day {dates}. "
            f"Taken: {reasons}."
        )
    return f"{name} is not free for all of {dates}: {reasons}."


# --- occupancy --------------------------------------------------------------------------------

MAX_WEEKS = 104


async def weekly_occupancy(
    session: AsyncSession, first: date, weeks: int, *, now: datetime | None = None
) -> OccupancyOut:
    """Every active location's booked and held share of each week from `first`'s Monday."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationFailed(f"Ask for 1 to {MAX_WEEKS} weeks.", code="invalid_range")
    when = now or now_utc()
    try:
        occupancy.check_range(first, first)
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="invalid_range") from None
    monday = occupancy.monday_of(first)
    last = monday + timedelta(days=7 * weeks - 1)
    pool = await locations.active_infos(session)
    rows = await repository.active_for(session, [loc.id for loc in pool], monday, last)
    by_location: dict[uuid.UUID, list[Claim]] = {}
    for row in rows:
        if counts(row, when):
            by_location.setdefault(row.location_id, []).append(claim(row))
    out: list[OccupancyRow] = []
    for loc in sorted(pool, key=lambda item: item.key):
        cap = capacity(loc)
        weeks_of = occupancy.weekly(by_location.get(loc.id, []), monday, weeks, cap.units)
        out.append(
            OccupancyRow(
                key=loc.key,
                display_name=loc.display_name,
                display_type="digital" if loc.display_type == "digital" else "static",
                capacity=cap.units,
                unit="spot" if cap.unit == "spot" else "face",
                weeks=[
                    WeekOut(start=w.start, booked_pct=w.booked_pct, held_pct=w.held_pct)
                    for w in weeks_of
                ],
            )
        )
    return OccupancyOut(weeks=[monday + timedelta(weeks=n) for n in range(weeks)], rows=out)
