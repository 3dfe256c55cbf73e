"""Objects in storage that no row names: found by listing the storage, not from the rows.

Retention works from rows, so an object whose row is gone (a failed delete after a commit, a
crash between storing and committing) would never be found. The sweep lists the product's own
key spaces (`files/`, `exports/`; anything else in a shared bucket is never touched), keeps
every key a file or an export row names, and reports the rest once they are older than the
grace period (an upload or an export being built has its object a moment before its row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.files.models import FileRecord
from salesbot.kit.storage import ObjectNotFound, Storage
from salesbot.lifecycle.models import DataExport

PRODUCT_PREFIXES = ("files/", "exports/")


@dataclass(frozen=True)
class OrphanObject:
    key: str
    modified_at: datetime


async def _named_keys(session: AsyncSession) -> set[str]:
    keys: set[str] = set()
    for column in (FileRecord.storage_key, DataExport.storage_key):
        result = await session.stream_scalars(
            select(column).where(column.is_not(None)).execution_options(yield_per=5000)
        )
        keys.update([key async for key in result if key])
    return keys


async def find_orphans(
    session: AsyncSession, storage: Storage, *, now: datetime, grace_hours: int
) -> list[OrphanObject]:
    """Objects under the product's prefixes that no row names, last written before the grace."""
    if grace_hours <= 0:
        return []
    named = await _named_keys(session)
    cutoff = now - timedelta(hours=grace_hours)
    found: list[OrphanObject] = []
    async for key in storage.list_keys():
        if key in named or not key.startswith(PRODUCT_PREFIXES):
            continue
        try:
            written = await storage.modified_at(key)
        except ObjectNotFound:  # removed meanwhile
            continue
        if written < cutoff:
            found.append(OrphanObject(key, written))
    return sorted(found, key=lambda orphan: orphan.key)
