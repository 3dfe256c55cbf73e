"""Queries for the `files` table; deleted files are invisible to every query here."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.files.models import FileRecord


async def get_live(session: AsyncSession, file_id: uuid.UUID) -> FileRecord | None:
    stmt = select(FileRecord).where(FileRecord.id == file_id, FileRecord.deleted_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_many_live(
    session: AsyncSession, file_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, FileRecord]:
    ids = list(set(file_ids))
    if not ids:
        return {}
    stmt = select(FileRecord).where(FileRecord.id.in_(ids), FileRecord.deleted_at.is_(None))
    return {record.id: record for record in (await session.execute(stmt)).scalars()}


async def list_for_owner(
    session: AsyncSession,
    owner_id: uuid.UUID,
    *,
    purpose: str | None,
    before_id: uuid.UUID | None,
    limit: int,
) -> list[FileRecord]:
    """Newest first; ids are UUIDv7, so id order is creation order."""
    stmt = select(FileRecord).where(
        FileRecord.owner_id == owner_id, FileRecord.deleted_at.is_(None)
    )
    if purpose is not None:
        stmt = stmt.where(FileRecord.purpose == purpose)
    if before_id is not None:
        stmt = stmt.where(FileRecord.id < before_id)
    stmt = stmt.order_by(FileRecord.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())
