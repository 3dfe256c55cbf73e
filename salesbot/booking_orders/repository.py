"""Queries for booking orders, their events and the companies' documents."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.booking_orders.models import BookingOrderEvent, BookingOrderRow, CompanyDocuments


@dataclass(frozen=True)
class Scope:
    """Which booking orders a user may see: all, or their companies' plus their own."""

    all: bool
    company_ids: frozenset[uuid.UUID]
    owner_id: uuid.UUID


def _visible(stmt: Select[BookingOrderRow], scope: Scope) -> Select[BookingOrderRow]:
    if scope.all:
        return stmt
    conditions = [BookingOrderRow.owner_id == scope.owner_id]
    if scope.company_ids:
        conditions.append(BookingOrderRow.company_id.in_(scope.company_ids))
    return stmt.where(or_(*conditions))


async def get(session: AsyncSession, bo_id: uuid.UUID) -> BookingOrderRow | None:
    return await session.get(BookingOrderRow, bo_id)


async def made_from(session: AsyncSession, file_id: uuid.UUID) -> set[uuid.UUID]:
    """The booking orders read from this uploaded file (as stored now, not as cached)."""
    rows = await session.scalars(
        select(BookingOrderRow.id).where(BookingOrderRow.source_file_id == file_id)
    )
    return set(rows.all())


async def page(
    session: AsyncSession,
    scope: Scope,
    *,
    limit: int,
    before_id: uuid.UUID | None = None,
    states: Iterable[str] = (),
    company_id: uuid.UUID | None = None,
) -> list[BookingOrderRow]:
    """Newest first (UUIDv7 ids are time-ordered, so the id is the keyset cursor)."""
    stmt = _visible(select(BookingOrderRow), scope)
    wanted = list(states)
    if wanted:
        stmt = stmt.where(BookingOrderRow.state.in_(wanted))
    if company_id is not None:
        stmt = stmt.where(BookingOrderRow.company_id == company_id)
    if before_id is not None:
        stmt = stmt.where(BookingOrderRow.id < before_id)
    stmt = stmt.order_by(BookingOrderRow.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def all_visible(
    session: AsyncSession,
    scope: Scope,
    *,
    states: Iterable[str] = (),
    company_id: uuid.UUID | None = None,
    limit: int = 10_000,
) -> list[BookingOrderRow]:
    return await page(session, scope, limit=limit, states=states, company_id=company_id)


async def find(
    session: AsyncSession,
    scope: Scope,
    *,
    reference: str | None = None,
    bo_number: str | None = None,
    limit: int = 10,
) -> list[BookingOrderRow]:
    """By internal reference or the client's BO number, newest first."""
    stmt = _visible(select(BookingOrderRow), scope)
    if reference is not None:
        stmt = stmt.where(BookingOrderRow.reference == reference)
    if bo_number is not None:
        stmt = stmt.where(func.lower(BookingOrderRow.bo_number) == bo_number.strip().lower())
    stmt = stmt.order_by(BookingOrderRow.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def latest_owned(
    session: AsyncSession, scope: Scope, states: Iterable[str]
) -> BookingOrderRow | None:
    """The most recently changed booking order the user owns or reviews in the given states."""
    stmt = _visible(select(BookingOrderRow), scope).where(BookingOrderRow.state.in_(list(states)))
    stmt = stmt.order_by(BookingOrderRow.updated_at.desc(), BookingOrderRow.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def open_revision_of(session: AsyncSession, bo_id: uuid.UUID) -> BookingOrderRow | None:
    stmt = select(BookingOrderRow).where(
        BookingOrderRow.previous_id == bo_id, BookingOrderRow.state != "cancelled"
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def events(session: AsyncSession, bo_id: uuid.UUID) -> list[BookingOrderEvent]:
    stmt = (
        select(BookingOrderEvent)
        .where(BookingOrderEvent.booking_order_id == bo_id)
        .order_by(BookingOrderEvent.id)
    )
    return list((await session.execute(stmt)).scalars())


async def latest_event(session: AsyncSession, bo_id: uuid.UUID) -> BookingOrderEvent | None:
    stmt = (
        select(BookingOrderEvent)
        .where(BookingOrderEvent.booking_order_id == bo_id)
        .order_by(BookingOrderEvent.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


# ---------------------------------------------------------------- company documents


async def documents(session: AsyncSession, company_id: uuid.UUID) -> CompanyDocuments | None:
    return await session.get(CompanyDocuments, company_id)
