"""Personal-data exports: one running export per person, built by a job, downloaded by its owner."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.errors import AppError, Conflict, NotFound
from salesbot.kit.storage import Storage
from salesbot.lifecycle.models import DataExport
from salesbot.users import audit
from salesbot.users.models import User

EXPORT_NOT_FOUND = "Export not found."
RUNNING = ("queued", "running")


class ExportExpired(AppError, status=410, code="export_expired"):
    """The export's download link has expired."""


def storage_key(export: DataExport) -> str:
    return f"exports/{export.user_id}/{export.id}.zip"


def download_name(export: DataExport) -> str:
    return f"salesbot-data-{export.created_at:%Y-%m-%d}.zip"


async def start(
    session: AsyncSession, actor: audit.Actor, user_id: uuid.UUID
) -> tuple[DataExport, bool]:
    """The person's running export, or a new queued one; True when it is new (enqueue it)."""
    if await session.get(User, user_id) is None:
        raise NotFound("User not found.")
    running = await session.scalar(
        select(DataExport)
        .where(DataExport.user_id == user_id, DataExport.status.in_(RUNNING))
        .order_by(DataExport.id.desc())
        .limit(1)
    )
    if running is not None:
        return running, False
    export = DataExport(user_id=user_id, requested_by_id=actor.user_id, status="queued")
    session.add(export)
    await session.flush()
    audit.record(
        session,
        actor,
        "data_export_requested",
        audit.Target("user", user_id),
        {"export_id": str(export.id)},
    )
    await session.commit()
    return export, True


async def fail_start(session: AsyncSession, export_id: uuid.UUID) -> None:
    """The job could not be queued: say so on the row, so a new request can start again."""
    export = await session.get(DataExport, export_id)
    if export is not None:
        export.status, export.error = "failed", "The export could not be started."
        await session.commit()


def _visible(export: DataExport | None, viewer: uuid.UUID) -> DataExport:
    """Only the person and whoever asked for the export (an admin) see it."""
    if export is None or viewer not in (export.user_id, export.requested_by_id):
        raise NotFound(EXPORT_NOT_FOUND)
    return export


async def get(session: AsyncSession, viewer: uuid.UUID, export_id: uuid.UUID) -> DataExport:
    return _visible(await session.get(DataExport, export_id), viewer)


async def list_own(session: AsyncSession, user_id: uuid.UUID) -> list[DataExport]:
    stmt = (
        select(DataExport)
        .where(DataExport.user_id == user_id)
        .order_by(DataExport.id.desc())
        .limit(20)
    )
    return list((await session.scalars(stmt)).all())


async def open_download(
    session: AsyncSession,
    storage: Storage,
    actor: audit.Actor,
    export_id: uuid.UUID,
    now: datetime,
) -> tuple[DataExport, AsyncIterator[bytes]]:
    export = await get(session, actor.user_id, export_id)
    if export.status != "done" or export.storage_key is None:
        raise Conflict("This export is not ready yet.", code="export_not_ready")
    if export.expires_at is not None and export.expires_at <= now:
        raise ExportExpired("This download link has expired. Ask for a new export.")
    chunks = await storage.open(export.storage_key)
    audit.record(
        session,
        actor,
        "data_export_downloaded",
        audit.Target("user", export.user_id),
        {"export_id": str(export.id)},
    )
    await session.commit()
    return export, chunks


def expiry(now: datetime, days: int) -> datetime:
    return now + timedelta(days=days)
