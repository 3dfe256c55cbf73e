"""The audit log: record security and business events; list them for admins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.errors import ValidationFailed
from salesbot.kit.pagination import decode_cursor, encode_cursor
from salesbot.users import repository
from salesbot.users.models import AuditEvent


def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: uuid.UUID | None = None,
    actor_email: str | None = None,
    target_type: str | None = None,
    target_id: object | None = None,
    ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the session; the caller's commit makes it durable with the change."""
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        actor_email=actor_email,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        ip=ip[:64] if ip else None,
        details=details or {},
    )
    session.add(event)
    return event


async def list_events(
    session: AsyncSession,
    *,
    cursor: str | None,
    limit: int,
    action: str | None = None,
    actor_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[AuditEvent], str | None]:
    """One page, newest first, and the cursor of the next page (None at the end)."""
    decoded = decode_cursor(cursor)
    before: uuid.UUID | None = None
    if decoded is not None:
        try:
            before = uuid.UUID(str(decoded.get("before")))
        except ValueError as exc:
            raise ValidationFailed(
                "The page cursor is not valid; start from the first page."
            ) from exc
    rows = await repository.audit_page(
        session,
        limit=limit + 1,
        before_id=before,
        action=action,
        actor_id=actor_id,
        since=since,
        until=until,
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor({"before": str(rows[-1].id)}) if has_more and rows else None
    return rows, next_cursor
