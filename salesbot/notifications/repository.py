"""Queries for notifications."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.notifications.models import Notification


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    limit: int,
    before_id: uuid.UUID | None,
    unread_only: bool,
) -> list[Notification]:
    """Newest first; UUIDv7 ids are time-ordered, so the id is the keyset cursor."""
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before_id is not None:
        stmt = stmt.where(Notification.id < before_id)
    stmt = stmt.order_by(Notification.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    stmt = select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return int((await session.execute(stmt)).scalar_one())


async def get_own(
    session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID
) -> Notification | None:
    row = await session.get(Notification, notification_id)
    return row if row is not None and row.user_id == user_id else None


async def mark_all_read(session: AsyncSession, user_id: uuid.UUID, when: datetime) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=when)
    )
    return int(getattr(result, "rowcount", 0) or 0)
