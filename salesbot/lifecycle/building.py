"""Building one export: mark it running, write the ZIP, store it, notify the person."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from salesbot.kit.db import utcnow
from salesbot.kit.logging import get_logger
from salesbot.kit.storage import Storage
from salesbot.lifecycle import exports
from salesbot.lifecycle.archive import ArchiveWriter
from salesbot.lifecycle.models import DataExport
from salesbot.notifications import service as notifications
from salesbot.notifications.service import Recipient
from salesbot.users.models import User

log = get_logger(__name__)

FAILED = "The export could not be built. Please ask again; if it keeps failing, tell an admin."


async def _set(
    sessions: async_sessionmaker[AsyncSession], export_id: uuid.UUID, **values: object
) -> None:
    async with sessions() as session:
        export = await session.get(DataExport, export_id)
        if export is not None:
            for name, value in values.items():
                setattr(export, name, value)
            await session.commit()


async def build_export(
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    export_id: uuid.UUID,
    *,
    work_dir: Path,
    link_days: int,
) -> None:
    async with sessions() as session:
        export = await session.get(DataExport, export_id)
        if export is None or export.status not in exports.RUNNING:
            return  # done, failed or gone (its person erased) meanwhile
        export.status, export.progress = "running", 1
        await session.commit()
        key, user_id = exports.storage_key(export), export.user_id
    shown = {"percent": 1}

    async def progress(percent: int) -> None:
        if percent >= shown["percent"] + 5:
            shown["percent"] = percent
            await _set(sessions, export_id, progress=percent)

    path = work_dir / f"{export_id}.zip"
    try:
        async with sessions() as session:
            user = await session.get(User, user_id)
            if user is None:
                return
            recipient = Recipient(user.id, user.email, user.name)
            await ArchiveWriter(session, storage, user, progress).write(path, utcnow())
        await storage.put(key, path, "application/zip")
    except Exception:
        log.exception("data_export_failed", export_id=str(export_id))
        await _set(sessions, export_id, status="failed", error=FAILED)
        return
    now = utcnow()
    async with sessions() as session:
        export = await session.get(DataExport, export_id)
        if export is None:
            await storage.delete(key)
            return
        export.status, export.progress, export.storage_key = "done", 100, key
        export.size, export.completed_at = path.stat().st_size, now
        export.expires_at = exports.expiry(now, link_days)
        notifications.notify(
            session,
            [recipient],
            kind="data_export",
            title="Your data export is ready",
            body=f"Download it from Settings before {export.expires_at:%Y-%m-%d %H:%M} UTC.",
            link="/settings#data",
        )
        await session.commit()
    log.info("data_export_built", export_id=str(export_id), size=export.size)
