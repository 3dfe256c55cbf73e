"""Which roles must use two-step sign-in: marked by an admin, stored in the database.

Until an admin first decides, SALESBOT_MFA_REQUIRED_ROLES applies (default: admin and finance
in production). A user holding a marked role without an authenticator set up can only reach
their own account until they set one up (salesbot.auth.deps).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.settings import Settings
from salesbot.users import audit
from salesbot.users.models import MfaRolePolicy
from salesbot.users.roles import Role

ROLE_ORDER = [r.value for r in Role]


@dataclass(frozen=True)
class MfaPolicy:
    required_roles: list[str]  # in the order of ROLE_ORDER
    source: Literal["default", "admin"]  # the setting, or an admin's marking
    updated_at: datetime | None = None
    updated_by: uuid.UUID | None = None


def _ordered(roles: frozenset[str] | set[str]) -> list[str]:
    return [r for r in ROLE_ORDER if r in roles]


async def current(session: AsyncSession, settings: Settings) -> MfaPolicy:
    rows = list((await session.execute(select(MfaRolePolicy))).scalars())
    if not rows:
        return MfaPolicy(_ordered(settings.mfa_roles), "default")
    latest = max(rows, key=lambda r: r.updated_at)
    return MfaPolicy(
        _ordered({r.role for r in rows if r.required}),
        "admin",
        latest.updated_at,
        latest.updated_by,
    )


async def required_roles(session: AsyncSession, settings: Settings) -> frozenset[str]:
    return frozenset((await current(session, settings)).required_roles)


async def mark(
    session: AsyncSession,
    settings: Settings,
    *,
    actor_id: uuid.UUID,
    roles: list[str],
    now: datetime,
) -> MfaPolicy:
    """Replace the marking: `roles` need two-step sign-in, every other role does not. Audited."""
    before = await current(session, settings)
    chosen = {Role(r).value for r in roles}  # the schema admits only known roles
    await session.execute(delete(MfaRolePolicy))
    session.add_all(
        MfaRolePolicy(role=role, required=role in chosen, updated_at=now, updated_by=actor_id)
        for role in ROLE_ORDER
    )
    after = _ordered(chosen)
    audit.record(
        session,
        audit.ActorRef(actor_id),
        "mfa_policy_changed",
        audit.Target("mfa_policy"),
        details={"before": before.required_roles, "after": after},
    )
    await session.commit()
    return MfaPolicy(after, "admin", now, actor_id)
