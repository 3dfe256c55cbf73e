"""In-app notifications: list (with the unread count), mark one or all read."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.kit.db import DbSession, utcnow
from salesbot.kit.errors import NOT_FOUND_RESPONSES
from salesbot.notifications import service
from salesbot.notifications.models import Notification
from salesbot.notifications.schemas import (
    MarkedRead,
    NotificationOut,
    NotificationPage,
    UnreadCount,
)

router = APIRouter(prefix="/api/notifications", tags=["notifications"], responses=AUTH_RESPONSES)
Reader = Annotated[Principal, Depends(require("notifications:read"))]


def _out(row: Notification) -> NotificationOut:
    return NotificationOut.model_validate(row, from_attributes=True)


@router.get("", response_model=NotificationPage)
async def list_notifications(
    session: DbSession,
    principal: Reader,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    unread: bool = False,
) -> NotificationPage:
    """Your notifications, newest first, with how many are unread."""
    rows, next_cursor, unread_count = await service.list_page(
        session, principal.user_id, cursor=cursor, limit=limit, unread_only=unread
    )
    return NotificationPage(
        items=[_out(r) for r in rows],
        next_cursor=next_cursor,
        has_more=next_cursor is not None,
        unread_count=unread_count,
    )


@router.get("/unread-count", response_model=UnreadCount)
async def unread_count(session: DbSession, principal: Reader) -> UnreadCount:
    """How many of your notifications are unread (for the badge)."""
    return UnreadCount(unread_count=await service.unread_count(session, principal.user_id))


@router.post("/read-all", response_model=MarkedRead)
async def mark_all_read(session: DbSession, principal: Reader) -> MarkedRead:
    """Mark every notification read."""
    marked = await service.mark_all_read(session, principal.user_id, now=utcnow())
    return MarkedRead(marked=marked, unread_count=0)


@router.post(
    "/{notification_id}/read",
    response_model=NotificationOut,
    responses=NOT_FOUND_RESPONSES,
)
async def mark_read(
    notification_id: uuid.UUID, session: DbSession, principal: Reader
) -> NotificationOut:
    """Mark one of your notifications read."""
    row = await service.mark_read(session, principal.user_id, notification_id, now=utcnow())
    return _out(row)
