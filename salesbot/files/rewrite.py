"""New bytes for a file the product made, under the same id (links and references stay)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.files.models import PURPOSE_GENERATED, FileRecord
from salesbot.files.service import GeneratedFileInvalid, storage_key
from salesbot.kit.db import utcnow
from salesbot.kit.ids import new_id
from salesbot.kit.logging import get_logger
from salesbot.kit.storage import Storage

log = get_logger(__name__)


async def replace_generated(
    session: AsyncSession, storage: Storage, record: FileRecord, data: bytes
) -> tuple[str, str]:
    """Store `data` as the content of `record` under a fresh key: returns (new key, old key).

    The old object stays until the caller has committed (then it deletes the old key; on a
    rollback it deletes the new one), so a failure never leaves a row without its bytes.
    """
    if record.purpose != PURPOSE_GENERATED:
        raise GeneratedFileInvalid("Only files the product made can be produced again")
    if not data:
        raise GeneratedFileInvalid("A generated file cannot be empty")
    old_key = record.storage_key
    # A fresh suffix: the new key never equals the old one, even within the same month.
    new_key = f"{storage_key(record.id, utcnow())}-{new_id().hex[:12]}"
    await storage.put(new_key, _once(data), record.content_type)
    record.storage_key = new_key
    record.size = len(data)
    record.sha256 = hashlib.sha256(data).hexdigest()
    await session.flush()
    log.info("file_regenerated", file_id=str(record.id), size=record.size)
    return new_key, old_key


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data
