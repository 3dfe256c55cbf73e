"""Queries for companies, users and role assignments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.users.models import (
    ApiKey,
    AuditEvent,
    AuthSession,
    Company,
    Invite,
    RefreshToken,
    RoleAssignment,
    User,
)


async def company_by_code(session: AsyncSession, code: str) -> Company | None:
    return (await session.execute(select(Company).where(Company.code == code))).scalar_one_or_none()


async def list_companies(session: AsyncSession) -> list[Company]:
    return list((await session.execute(select(Company).order_by(Company.name))).scalars())


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == email.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


@dataclass(frozen=True)
class Caller:
    """What a request needs of its caller: the account and its roles (role, company, code)."""

    id: uuid.UUID
    email: str
    name: str
    is_active: bool
    roles: tuple[tuple[str, uuid.UUID | None, str | None], ...]


_USERS, _ROLES, _COMPANIES = User.__table__, RoleAssignment.__table__, Company.__table__
_CALLER = (
    select(
        _USERS.c.id,
        _USERS.c.email,
        _USERS.c.name,
        _USERS.c.is_active,
        _ROLES.c.role,
        _ROLES.c.company_id,
        _COMPANIES.c.code,
    )
    .select_from(
        _USERS.outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id).outerjoin(
            _COMPANIES, _COMPANIES.c.id == _ROLES.c.company_id
        )
    )
    .order_by(_ROLES.c.id)
)


async def caller(session: AsyncSession, user_id: uuid.UUID) -> Caller | None:
    """The user with every role in one query (Core rows, no ORM objects): per request."""
    rows = (await session.execute(_CALLER.where(_USERS.c.id == user_id))).all()
    if not rows:
        return None
    first = rows[0]
    roles = tuple((r.role, r.company_id, r.code) for r in rows if r.role is not None)
    return Caller(first.id, first.email, first.name, first.is_active, roles)


def add_role(user: User, role: str, company_id: uuid.UUID | None) -> None:
    if not any(r.role == role and r.company_id == company_id for r in user.roles):
        user.roles.append(RoleAssignment(role=role, company_id=company_id))


async def list_users(session: AsyncSession) -> list[User]:
    return list((await session.execute(select(User).order_by(User.email))).scalars())


async def refresh_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def revoke_family(
    session: AsyncSession, family_id: uuid.UUID, when: datetime, reason: str
) -> list[uuid.UUID]:
    """Revoke one session (refresh chain and device row); the session ids it ended."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=when)
    )
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == family_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=when, revoked_reason=reason)
    )
    return [family_id]


async def revoke_user_sessions(
    session: AsyncSession, user_id: uuid.UUID, when: datetime, reason: str
) -> list[uuid.UUID]:
    """Revoke every session of a user; the session ids (refresh families) it ended."""
    families = select(RefreshToken.family_id).where(
        RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
    )
    rows = select(AuthSession.id).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    ended = set((await session.execute(families)).scalars()) | set(
        (await session.execute(rows)).scalars()
    )
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=when)
    )
    await session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=when, revoked_reason=reason)
    )
    return sorted(ended)


async def auth_session(session: AsyncSession, session_id: uuid.UUID) -> AuthSession | None:
    return await session.get(AuthSession, session_id)


async def session_revoked_at(session: AsyncSession, session_id: uuid.UUID) -> datetime | None:
    """The one column the per-request revocation check needs (by primary key)."""
    stmt = select(AuthSession.revoked_at).where(AuthSession.id == session_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def live_sessions_of(
    session: AsyncSession, user_id: uuid.UUID, now: datetime
) -> list[AuthSession]:
    stmt = (
        select(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
        .order_by(AuthSession.last_seen_at.desc())
        .limit(200)
    )
    return list((await session.execute(stmt)).scalars())


async def delete_dead_refresh_families(session: AsyncSession, before: datetime) -> int:
    """Delete every refresh token of the families none of whose tokens is valid at `before`."""
    live = select(RefreshToken.family_id).where(RefreshToken.expires_at >= before)
    result = await session.execute(
        delete(RefreshToken).where(RefreshToken.family_id.not_in(live)),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_dead_auth_sessions(session: AsyncSession, before: datetime) -> int:
    """Delete the signed-in devices that expired, or were signed out, before `before`."""
    result = await session.execute(
        delete(AuthSession).where(
            (AuthSession.expires_at < before) | (AuthSession.revoked_at < before)
        ),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def invite_by_hash(session: AsyncSession, token_hash: str) -> Invite | None:
    stmt = select(Invite).where(Invite.token_hash == token_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def invite_by_id(session: AsyncSession, invite_id: uuid.UUID) -> Invite | None:
    return await session.get(Invite, invite_id)


async def list_invites(session: AsyncSession) -> list[Invite]:
    stmt = select(Invite).order_by(Invite.created_at.desc(), Invite.id.desc()).limit(500)
    return list((await session.execute(stmt)).scalars())


async def api_key_by_hash(session: AsyncSession, key_hash: str) -> ApiKey | None:
    stmt = select(ApiKey).where(ApiKey.key_hash == key_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def api_keys_of(session: AsyncSession, user_id: uuid.UUID) -> list[ApiKey]:
    stmt = select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at.desc())
    return list((await session.execute(stmt)).scalars())


async def api_key_by_id(session: AsyncSession, key_id: uuid.UUID) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def audit_page(
    session: AsyncSession,
    *,
    limit: int,
    before_id: uuid.UUID | None,
    action: str | None,
    actor_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
) -> list[AuditEvent]:
    """Newest first; UUIDv7 ids are time-ordered, so the id alone is the keyset cursor."""
    stmt = select(AuditEvent)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if since is not None:
        stmt = stmt.where(AuditEvent.created_at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.created_at < until)
    stmt = stmt.order_by(AuditEvent.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def count_active_users(session: AsyncSession, since: datetime) -> int:
    """Distinct users seen since `since`: sign-in, session refresh, API key use, audited act."""
    seen = union(
        select(User.id.label("user_id")).where(User.last_login_at >= since),
        select(RefreshToken.user_id).where(RefreshToken.created_at >= since),
        select(ApiKey.user_id).where(ApiKey.last_used_at >= since),
        select(AuditEvent.actor_id).where(
            AuditEvent.created_at >= since, AuditEvent.actor_id.is_not(None)
        ),
    ).subquery()
    return int((await session.execute(select(func.count()).select_from(seen))).scalar_one())
