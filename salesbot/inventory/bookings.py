"""Bookings: an approved booking order takes its locations' dates for good.

Approved, booked (finance entered the PO number) and invoiced booking orders all hold their
dates: the booking is made once, at approval, and stays active through finance's steps. Only
finance cancelling a booked order gives the dates back (`release_order`).

`book_order` runs inside the approving transaction (the caller commits or rolls back). It
locks the locations it books (PostgreSQL advisory locks, in a fixed order), so of two
concurrent approvals selling the same faces or spots exactly one wins; the other gets 409
naming the booking in the way. The client's own holds on those dates turn into the booking.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.inventory import occupancy, repository, service
from salesbot.inventory.models import Commitment
from salesbot.inventory.occupancy import BOOKING, HOLD
from salesbot.kit.errors import Conflict
from salesbot.kit.ids import new_id
from salesbot.locations import service as locations
from salesbot.locations.service import LocationInfo
from salesbot.settings import Settings


@dataclass(frozen=True)
class OrderLine:
    """One location line of a booking order, as written on it."""

    name: str
    start: date | None
    end: date | None


@dataclass(frozen=True)
class Order:
    booking_order_id: uuid.UUID
    reference: str | None
    client: str
    owner_id: uuid.UUID | None
    owner_name: str
    lines: Sequence[OrderLine]


@dataclass(frozen=True)
class _Line:
    loc: LocationInfo
    start: date
    end: date


async def _lines(session: AsyncSession, order: Order) -> list[_Line]:
    """The lines with dates whose name is one known location (others cannot be booked)."""
    dated = [ln for ln in order.lines if ln.start and ln.end and ln.start <= ln.end and ln.name]
    matches = await locations.match_active(session, [ln.name for ln in dated])
    return [
        _Line(m.location, ln.start, ln.end)
        for ln, m in zip(dated, matches, strict=True)
        if m.location is not None and ln.start is not None and ln.end is not None
    ]


async def book_order(
    session: AsyncSession, settings: Settings, order: Order, *, now: datetime | None = None
) -> int:
    """Book every line (without committing); the number of bookings made. 409 on a clash."""
    when = now or service.now_utc()
    lines = await _lines(session, order)
    if not lines:
        return 0
    await repository.lock_locations(session, [ln.loc.id for ln in lines])
    if order.reference:
        for old in await repository.bookings_of_reference(
            session, order.reference, order.booking_order_id
        ):
            old.status, old.ended_at = "replaced", when
    for line in lines:
        await _book_line(session, settings, order, line, when)
    return len(lines)


async def _book_line(
    session: AsyncSession, settings: Settings, order: Order, line: _Line, now: datetime
) -> None:
    rows = [
        r
        for r in await repository.active_for(session, [line.loc.id], line.start, line.end)
        if service.counts(r, now)
    ]
    own = [r for r in rows if r.kind == HOLD and r.client.casefold() == order.client.casefold()]
    cap = service.capacity(line.loc)
    default = 1 if line.loc.display_type == "digital" else cap.units
    units = min(max((r.units for r in own), default=default), cap.units)
    hit = occupancy.collisions(
        [service.claim(r) for r in rows if r.kind == BOOKING],
        line.start,
        line.end,
        units,
        cap.units,
    )
    if hit:
        ids = {c.id for c in hit}
        raise _double_booking(
            line,
            [service.describe(r, line.loc.display_name, settings) for r in rows if r.id in ids],
        )
    booking = _booking(order, line, units, now)
    repository.add(session, booking)
    for hold in own:
        hold.status, hold.ended_at, hold.converted_to_id = "converted", now, booking.id
        hold.booking_order_id = order.booking_order_id


def _double_booking(line: _Line, reasons: Sequence[str]) -> Conflict:
    dates = occupancy.range_text(line.start, line.end)
    return Conflict(
        f"Double booking: {line.loc.display_name} is not free {dates}. {'; '.join(reasons)}.",
        code="double_booking",
        details={"location": line.loc.key, "conflicts": list(reasons)},
    )


def _booking(order: Order, line: _Line, units: int, now: datetime) -> Commitment:
    return Commitment(
        id=new_id(),
        kind=BOOKING,
        status=repository.ACTIVE,
        location_id=line.loc.id,
        location_key=line.loc.key,
        start_date=line.start,
        end_date=line.end,
        units=units,
        client=order.client[:200],
        owner_id=order.owner_id,
        owner_name=order.owner_name[:200],
        booking_order_id=order.booking_order_id,
        reference=order.reference,
        renewals=0,
        created_at=now,
    )


async def release_order(
    session: AsyncSession, booking_order_id: uuid.UUID, *, now: datetime | None = None
) -> int:
    """Give back a cancelled booking order's dates (without committing); how many bookings."""
    when = now or service.now_utc()
    rows = await repository.bookings_of_order(session, booking_order_id)
    for row in rows:
        row.status, row.ended_at = "released", when
    return len(rows)
