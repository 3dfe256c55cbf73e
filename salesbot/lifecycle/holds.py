"""Legal holds: placed and released by admins; every purge and erasure asks them first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.conversations.models import Conversation
from salesbot.kit.errors import Conflict, NotFound
from salesbot.lifecycle.models import LegalHold
from salesbot.users import audit
from salesbot.users.models import Company, RoleAssignment, User

HOLD_NOT_FOUND = "Legal hold not found."


@dataclass(frozen=True)
class Held:
    """What the active holds cover, as id sets (one query each, read once per run)."""

    users: frozenset[uuid.UUID]
    companies: frozenset[uuid.UUID]
    conversations: frozenset[uuid.UUID]


async def active(session: AsyncSession) -> list[LegalHold]:
    stmt = select(LegalHold).where(LegalHold.released_at.is_(None)).order_by(LegalHold.id)
    return list((await session.scalars(stmt)).all())


async def held(session: AsyncSession) -> Held:
    holds = await active(session)
    by_scope: dict[str, set[uuid.UUID]] = {"user": set(), "company": set(), "conversation": set()}
    for hold in holds:
        by_scope[hold.scope].add(hold.target_id)
    return Held(
        frozenset(by_scope["user"]),
        frozenset(by_scope["company"]),
        frozenset(by_scope["conversation"]),
    )


async def companies_of(session: AsyncSession, user_id: uuid.UUID) -> set[uuid.UUID]:
    """The companies a user works for (through company roles)."""
    stmt = select(RoleAssignment.company_id).where(
        RoleAssignment.user_id == user_id, RoleAssignment.company_id.is_not(None)
    )
    return {cid for cid in (await session.scalars(stmt)).all() if cid is not None}


async def user_is_held(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """A hold on the user, on a company they work for, or on one of their conversations."""
    cover = await held(session)
    if user_id in cover.users or (await companies_of(session, user_id)) & cover.companies:
        return True
    if not cover.conversations:
        return False
    stmt = select(Conversation.id).where(
        Conversation.user_id == user_id, Conversation.id.in_(cover.conversations)
    )
    return (await session.scalar(stmt.limit(1))) is not None


async def _target_exists(session: AsyncSession, scope: str, target_id: uuid.UUID) -> bool:
    if scope == "user":
        return (await session.get(User, target_id)) is not None
    if scope == "company":
        return (await session.get(Company, target_id)) is not None
    return (await session.get(Conversation, target_id)) is not None


async def place(
    session: AsyncSession,
    actor: audit.Actor,
    *,
    scope: str,
    target_id: uuid.UUID,
    reason: str,
) -> LegalHold:
    if not await _target_exists(session, scope, target_id):
        raise NotFound(f"No {scope} with this id.")
    existing = await session.scalar(
        select(LegalHold).where(
            LegalHold.scope == scope,
            LegalHold.target_id == target_id,
            LegalHold.released_at.is_(None),
        )
    )
    if existing is not None:
        raise Conflict(f"This {scope} is already under legal hold.", code="already_held")
    hold = LegalHold(scope=scope, target_id=target_id, reason=reason, created_by_id=actor.user_id)
    session.add(hold)
    await session.flush()
    audit.record(
        session,
        actor,
        "legal_hold_placed",
        audit.Target(scope, target_id),
        {"hold_id": str(hold.id), "reason": reason},
    )
    await session.commit()
    return hold


async def release(
    session: AsyncSession, actor: audit.Actor, hold_id: uuid.UUID, now: datetime
) -> LegalHold:
    hold = await session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound(HOLD_NOT_FOUND)
    if hold.released_at is not None:
        raise Conflict("This legal hold is already released.", code="already_released")
    hold.released_at = now
    hold.released_by_id = actor.user_id
    audit.record(
        session,
        actor,
        "legal_hold_released",
        audit.Target(hold.scope, hold.target_id),
        {"hold_id": str(hold.id)},
    )
    await session.commit()
    return hold


async def list_all(session: AsyncSession, *, include_released: bool) -> list[LegalHold]:
    stmt = select(LegalHold).order_by(LegalHold.id.desc())
    if not include_released:
        stmt = stmt.where(LegalHold.released_at.is_(None))
    return list((await session.scalars(stmt)).all())
