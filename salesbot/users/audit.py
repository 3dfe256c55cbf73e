"""The audit log: record security and business events; list them for admins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.pagination import cursor_id, encode_cursor
from salesbot.kit.request_context import current_client_ip
from salesbot.users import repository
from salesbot.users.models import AuditEvent


class Actor(Protocol):
    """Whoever acted: auth's Principal fits (users may not import auth), as does ActorRef."""

    @property
    def user_id(self) -> uuid.UUID: ...

    @property
    def email(self) -> str | None: ...


@dataclass(frozen=True)
class ActorRef:
    """An actor known by id, and by e-mail when the event stores one."""

    user_id: uuid.UUID
    email: str | None = None


@dataclass(frozen=True)
class Target:
    """What was acted on: a kind, and its id when the event is about one thing."""

    type: str
    id: object | None = None


def record(
    session: AsyncSession,
    actor: Actor | None,
    action: str,
    target: Target | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the session; the caller's commit makes it durable with the change.

    The IP is the current request's client (None outside a request).
    """
    ip = current_client_ip()
    event = AuditEvent(
        action=action,
        actor_id=actor.user_id if actor else None,
        actor_email=actor.email if actor else None,
        target_type=target.type if target else None,
        target_id=str(target.id) if target and target.id is not None else None,
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
    before = cursor_id(cursor)
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
