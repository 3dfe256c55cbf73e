"""Queries on holds and bookings; no business rules."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.inventory.models import Commitment

ACTIVE = "active"


async def lock_locations(session: AsyncSession, location_ids: Iterable[uuid.UUID]) -> None:
    """Serialise bookings of these locations until the transaction ends.

    PostgreSQL: one transaction-scoped advisory lock per location, taken in a fixed order (no
    deadlock between two approvals naming the same locations in another order). SQLite lets one
    writer in at a time, and the approving transaction has already written (its reference).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for location_id in sorted(set(location_ids)):
        key = int.from_bytes(location_id.bytes[:8], "big", signed=True)
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def active_for(
    session: AsyncSession, location_ids: Sequence[uuid.UUID], start: date, end: date
) -> list[Commitment]:
    """Active holds and bookings of these locations overlapping the range (expired holds too)."""
    if not location_ids:
        return []
    rows = await session.scalars(
        select(Commitment)
        .where(
            Commitment.location_id.in_(location_ids),
            Commitment.status == ACTIVE,
            Commitment.start_date <= end,
            Commitment.end_date >= start,
        )
        .order_by(Commitment.start_date, Commitment.created_at)
    )
    return list(rows)


async def get(session: AsyncSession, commitment_id: uuid.UUID) -> Commitment | None:
    return await session.get(Commitment, commitment_id)


async def holds_of_proposal(session: AsyncSession, proposal_id: uuid.UUID) -> list[Commitment]:
    rows = await session.scalars(
        select(Commitment)
        .where(Commitment.proposal_id == proposal_id, Commitment.kind == "hold")
        .order_by(Commitment.created_at)
    )
    return list(rows)


async def active_holds(
    session: AsyncSession, location_id: uuid.UUID | None = None, limit: int = 500
) -> list[Commitment]:
    query = select(Commitment).where(Commitment.kind == "hold", Commitment.status == ACTIVE)
    if location_id is not None:
        query = query.where(Commitment.location_id == location_id)
    rows = await session.scalars(query.order_by(Commitment.start_date).limit(limit))
    return list(rows)


async def bookings_of_reference(
    session: AsyncSession, reference: str, keep: uuid.UUID
) -> list[Commitment]:
    """Active bookings of earlier revisions of a booking order (same reference, other row)."""
    rows = await session.scalars(
        select(Commitment).where(
            Commitment.kind == "booking",
            Commitment.status == ACTIVE,
            Commitment.reference == reference,
            Commitment.booking_order_id != keep,
        )
    )
    return list(rows)


async def bookings_of_order(session: AsyncSession, booking_order_id: uuid.UUID) -> list[Commitment]:
    """The active bookings a booking order made (approved, booked or invoiced)."""
    rows = await session.scalars(
        select(Commitment).where(
            Commitment.kind == "booking",
            Commitment.status == ACTIVE,
            Commitment.booking_order_id == booking_order_id,
        )
    )
    return list(rows)


async def lapsed_holds(session: AsyncSession, now: datetime) -> list[Commitment]:
    rows = await session.scalars(
        select(Commitment).where(
            Commitment.kind == "hold",
            Commitment.status == ACTIVE,
            Commitment.expires_at <= now,
        )
    )
    return list(rows)


def add(session: AsyncSession, commitment: Commitment) -> None:
    session.add(commitment)
