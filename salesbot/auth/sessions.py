"""Signed-in devices: list sessions, sign one out, or (admins) sign a user out everywhere."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.revocation import SessionRevocations
from salesbot.kit.errors import NotFound
from salesbot.users import audit, repository
from salesbot.users.models import AuthSession


async def list_sessions(
    session: AsyncSession, user_id: uuid.UUID, *, now: datetime
) -> list[AuthSession]:
    """The user's live sessions, most recently seen first."""
    return await repository.live_sessions_of(session, user_id, now)


async def sign_out_device(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    now: datetime,
    revocations: SessionRevocations,
) -> None:
    """End one of the user's own sessions; someone else's is "not found" (no id probing)."""
    row = await repository.auth_session(session, session_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        raise NotFound("Session not found.")
    ended = await repository.revoke_family(session, session_id, now, "signed_out")
    audit.record(
        session, audit.ActorRef(user_id), "session_revoked", audit.Target("session", row.id)
    )
    await session.commit()
    await revocations.publish(ended)


async def sign_out_everywhere(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID,
    user_id: uuid.UUID,
    now: datetime,
    revocations: SessionRevocations,
) -> int:
    """An admin ends every session of a user; the number of sessions ended."""
    if await repository.user_by_id(session, user_id) is None:
        raise NotFound("User not found.")
    ended = await repository.revoke_user_sessions(session, user_id, now, "admin_sign_out")
    audit.record(
        session,
        audit.ActorRef(actor_id),
        "sessions_revoked",
        audit.Target("user", user_id),
        {"sessions": len(ended)},
    )
    await session.commit()
    await revocations.publish(ended)
    return len(ended)
