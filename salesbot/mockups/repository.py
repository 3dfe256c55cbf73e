"""Queries for mockup photos and mockups; who may do what is decided by the service."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.mockups.models import Mockup, MockupPhoto


async def get_photo(session: AsyncSession, photo_id: uuid.UUID) -> MockupPhoto | None:
    stmt = select(MockupPhoto).where(MockupPhoto.id == photo_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def photos(
    session: AsyncSession, location_ids: Sequence[uuid.UUID] | None = None
) -> list[MockupPhoto]:
    """Photos by location, then number (all locations when `location_ids` is None).

    The service orders locations by key: that is the locations capability's column.
    """
    stmt = select(MockupPhoto)
    if location_ids is not None:
        stmt = stmt.where(MockupPhoto.location_id.in_(list(location_ids)))
    stmt = stmt.order_by(MockupPhoto.location_id, MockupPhoto.number)
    return list((await session.execute(stmt)).scalars())


async def next_number(session: AsyncSession, location_id: uuid.UUID) -> int:
    stmt = select(func.max(MockupPhoto.number)).where(MockupPhoto.location_id == location_id)
    return int((await session.execute(stmt)).scalar() or 0) + 1


async def find_by_sha(
    session: AsyncSession, location_id: uuid.UUID, sha256: str
) -> MockupPhoto | None:
    stmt = select(MockupPhoto).where(
        MockupPhoto.location_id == location_id, MockupPhoto.sha256 == sha256
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def other_uses_of_file(session: AsyncSession, file_id: uuid.UUID, photo_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(MockupPhoto.file_id == file_id, MockupPhoto.id != photo_id)
    return int((await session.execute(stmt)).scalar() or 0)


async def get_mockup(session: AsyncSession, mockup_id: uuid.UUID) -> Mockup | None:
    return await session.get(Mockup, mockup_id, populate_existing=True)


async def mockups_of(
    session: AsyncSession, owner_id: uuid.UUID, *, before_id: uuid.UUID | None, limit: int
) -> list[Mockup]:
    """Newest first (ids are UUIDv7, so id order is creation order)."""
    stmt = select(Mockup).where(Mockup.owner_id == owner_id)
    if before_id is not None:
        stmt = stmt.where(Mockup.id < before_id)
    stmt = stmt.order_by(Mockup.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())
