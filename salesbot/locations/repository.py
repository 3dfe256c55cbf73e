"""Queries for the location catalogue."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.locations.models import Location


async def get_by_key(session: AsyncSession, key: str) -> Location | None:
    return (await session.execute(select(Location).where(Location.key == key))).scalar_one_or_none()


async def get_many(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Location]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(select(Location).where(Location.id.in_(wanted)))
    return {loc.id: loc for loc in rows.scalars()}


async def list_locations(
    session: AsyncSession,
    *,
    display_type: str | None = None,
    company_id: uuid.UUID | None = None,
    active_only: bool = False,
    after_key: str | None = None,
    limit: int | None = None,
) -> list[Location]:
    """Ordered by key (the cursor)."""
    stmt = select(Location)
    if display_type is not None:
        stmt = stmt.where(Location.display_type == display_type)
    if company_id is not None:
        stmt = stmt.where(Location.company_id == company_id)
    if active_only:
        stmt = stmt.where(Location.is_active.is_(True))
    if after_key is not None:
        stmt = stmt.where(Location.key > after_key)
    stmt = stmt.order_by(Location.key)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list((await session.execute(stmt)).scalars())


async def keys_in_use(session: AsyncSession, keys: Iterable[str]) -> dict[str, Location]:
    wanted = list(set(keys))
    if not wanted:
        return {}
    rows = await session.execute(select(Location).where(Location.key.in_(wanted)))
    return {loc.key: loc for loc in rows.scalars()}


def add(session: AsyncSession, location: Location) -> None:
    session.add(location)


async def delete(session: AsyncSession, location: Location) -> None:
    await session.delete(location)
