"""Personal-data export over HTTP: ask (yours, or anyone's as an admin), follow, download."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.jobs import enqueue
from salesbot.kit.db import DbSession, utcnow
from salesbot.kit.deps import AppRateLimiter, AppSettings, AppStorage
from salesbot.kit.errors import NOT_FOUND_RESPONSES, ErrorBody
from salesbot.kit.logging import get_logger
from salesbot.kit.ratelimit import RateLimiter
from salesbot.kit.storage import content_disposition
from salesbot.lifecycle import exports
from salesbot.lifecycle.models import DataExport
from salesbot.lifecycle.schemas import ExportOut
from salesbot.settings import Settings

log = get_logger(__name__)

router = APIRouter(tags=["exports"], responses=AUTH_RESPONSES)
Self = Annotated[Principal, Depends(require("account:self"))]
UserAdmin = Annotated[Principal, Depends(require("users:manage"))]


def _out(export: DataExport) -> ExportOut:
    ready = export.status == "done" and (export.expires_at is None or export.expires_at > utcnow())
    return ExportOut(
        id=export.id,
        user_id=export.user_id,
        status=export.status,
        progress=export.progress,
        size=export.size,
        error=export.error,
        created_at=export.created_at,
        completed_at=export.completed_at,
        expires_at=export.expires_at,
        download_url=f"/api/exports/{export.id}/download" if ready else None,
    )


async def _start(
    session: DbSession,
    principal: Principal,
    user_id: uuid.UUID,
    limiter: RateLimiter,
    settings: Settings,
) -> ExportOut:
    # Each export reads all of a person's data and builds a ZIP: counted per person asking.
    await limiter.check("data_export", settings.rate_limit_data_export, str(principal.user_id))
    export, new = await exports.start(session, principal, user_id)
    if new:
        try:
            await enqueue("lifecycle.export", str(export.id))
        except Exception:
            log.exception("data_export_enqueue_failed", export_id=str(export.id))
            await exports.fail_start(session, export.id)
            await session.refresh(export)
    return _out(export)


@router.post("/api/me/export", response_model=ExportOut, status_code=202)
async def export_my_data(
    session: DbSession, principal: Self, limiter: AppRateLimiter, settings: AppSettings
) -> ExportOut:
    """Start building a ZIP of your data (or follow the one already being built)."""
    return await _start(session, principal, principal.user_id, limiter, settings)


# GET starts a job too, kept for the clients written against it; POST is the one to use.
@router.get("/api/me/export", response_model=ExportOut, status_code=202, deprecated=True)
async def export_my_data_get(
    session: DbSession, principal: Self, limiter: AppRateLimiter, settings: AppSettings
) -> ExportOut:
    """Deprecated: use `POST /api/me/export` (the same, as a request that changes something)."""
    return await _start(session, principal, principal.user_id, limiter, settings)


@router.post(
    "/api/users/{user_id}/export",
    response_model=ExportOut,
    status_code=202,
    responses=NOT_FOUND_RESPONSES,
)
async def export_user_data(
    user_id: uuid.UUID,
    session: DbSession,
    principal: UserAdmin,
    limiter: AppRateLimiter,
    settings: AppSettings,
) -> ExportOut:
    """Start building a ZIP of someone's data (audited); you can download it when done."""
    return await _start(session, principal, user_id, limiter, settings)


@router.get(
    "/api/users/{user_id}/export",
    response_model=ExportOut,
    status_code=202,
    responses=NOT_FOUND_RESPONSES,
    deprecated=True,
)
async def export_user_data_get(
    user_id: uuid.UUID,
    session: DbSession,
    principal: UserAdmin,
    limiter: AppRateLimiter,
    settings: AppSettings,
) -> ExportOut:
    """Deprecated: use `POST /api/users/{user_id}/export`."""
    return await _start(session, principal, user_id, limiter, settings)


@router.get("/api/me/exports", response_model=list[ExportOut])
async def list_my_exports(session: DbSession, principal: Self) -> list[ExportOut]:
    """Your latest exports, newest first, with their progress."""
    return [_out(e) for e in await exports.list_own(session, principal.user_id)]


@router.get("/api/exports/{export_id}", response_model=ExportOut, responses=NOT_FOUND_RESPONSES)
async def get_export(export_id: uuid.UUID, session: DbSession, principal: Self) -> ExportOut:
    """One export's progress (yours, or one you asked for)."""
    return _out(await exports.get(session, principal.user_id, export_id))


@router.get(
    "/api/exports/{export_id}/download",
    response_class=StreamingResponse,
    responses={
        **NOT_FOUND_RESPONSES,
        200: {"content": {"application/zip": {}}, "description": "The ZIP"},
        409: {"model": ErrorBody, "description": "Not ready yet"},
        410: {"model": ErrorBody, "description": "The link has expired"},
    },
)
async def download_export(
    export_id: uuid.UUID, session: DbSession, storage: AppStorage, principal: Self
) -> StreamingResponse:
    """The ZIP, for the person or whoever asked for it, until the link expires."""
    export, chunks = await exports.open_download(session, storage, principal, export_id, utcnow())
    headers = {"Content-Disposition": content_disposition(exports.download_name(export))}
    if export.size is not None:
        headers["Content-Length"] = str(export.size)
    return StreamingResponse(chunks, media_type="application/zip", headers=headers)
