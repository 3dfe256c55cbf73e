"""Identity administration over HTTP: invitations, user accounts and the audit log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from salesbot.auth import sessions
from salesbot.auth.deps import AUTH_RESPONSES, Revocations, caller_ip, require
from salesbot.auth.schemas import (
    AcceptedUser,
    AuditEventOut,
    AuditPage,
    InviteAccept,
    InviteCreate,
    InviteCreated,
    InviteOut,
    RoleOut,
)
from salesbot.auth.service import Principal
from salesbot.kit.db import DbSession, utcnow
from salesbot.kit.deps import AppRateLimiter, AppSettings
from salesbot.kit.errors import NOT_FOUND_RESPONSES, ErrorBody
from salesbot.kit.query import QueryDateTime
from salesbot.kit.request_context import public_base
from salesbot.users import audit
from salesbot.users import service as users
from salesbot.users.models import Invite, User
from salesbot.users.schemas import UserOut, UserRole, UserUpdate

invites_router = APIRouter(prefix="/api/invites", tags=["invites"])
users_router = APIRouter(prefix="/api/users", tags=["users"], responses=AUTH_RESPONSES)
audit_router = APIRouter(prefix="/api/audit", tags=["audit"], responses=AUTH_RESPONSES)

InviteAdmin = Annotated[Principal, Depends(require("invites:manage"))]
UserAdmin = Annotated[Principal, Depends(require("users:manage"))]


def _invite_out(invite: Invite, now: datetime) -> InviteOut:
    if invite.accepted_at is not None:
        status = "accepted"
    elif invite.revoked_at is not None:
        status = "revoked"
    elif invite.expires_at <= now:
        status = "expired"
    else:
        status = "pending"
    return InviteOut(
        id=invite.id,
        email=invite.email,
        roles=[RoleOut(role=r["role"], company=r.get("company")) for r in invite.roles],
        created_at=invite.created_at,
        expires_at=invite.expires_at,
        accepted_at=invite.accepted_at,
        revoked_at=invite.revoked_at,
        status=status,
    )


@invites_router.post(
    "",
    response_model=InviteCreated,
    status_code=201,
    responses={**AUTH_RESPONSES, 409: {"model": ErrorBody, "description": "Already a user"}},
)
async def create_invite(
    body: InviteCreate,
    session: DbSession,
    settings: AppSettings,
    principal: InviteAdmin,
) -> InviteCreated:
    """Invite someone by e-mail; the link is shown only in this response."""
    now = utcnow()
    invite, token = await users.create_invite(
        session,
        actor_id=principal.user_id,
        email=body.email,
        roles=[(r.role, r.company) for r in body.roles],
        days=body.days,
        now=now,
    )
    link = f"{public_base(settings.public_url) or ''}/invite#token={token}"
    return InviteCreated(**_invite_out(invite, now).model_dump(), token=token, link=link)


@invites_router.get("", response_model=list[InviteOut], responses=AUTH_RESPONSES)
async def list_invites(session: DbSession, principal: InviteAdmin) -> list[InviteOut]:
    """Invitations, newest first."""
    now = utcnow()
    return [_invite_out(i, now) for i in await users.list_invites(session)]


@invites_router.delete(
    "/{invite_id}", status_code=204, responses={**AUTH_RESPONSES, **NOT_FOUND_RESPONSES}
)
async def revoke_invite(
    invite_id: uuid.UUID, session: DbSession, principal: InviteAdmin
) -> Response:
    """Revoke an invitation so its link stops working."""
    await users.revoke_invite(
        session,
        actor_id=principal.user_id,
        invite_id=invite_id,
        now=utcnow(),
    )
    return Response(status_code=204)


@invites_router.post(
    "/accept", response_model=AcceptedUser, status_code=201, responses=NOT_FOUND_RESPONSES
)
async def accept_invite(
    body: InviteAccept,
    session: DbSession,
    settings: AppSettings,
    limiter: AppRateLimiter,
) -> AcceptedUser:
    """Accept an invitation: creates the account with the invited roles."""
    await limiter.check("invite_accept", settings.rate_limit_invite_accept, caller_ip())
    user = await users.accept_invite(
        session, token=body.token, name=body.name, password=body.password, now=utcnow()
    )
    return AcceptedUser(id=user.id, email=user.email, name=user.name)


def _user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        is_active=user.is_active,
        roles=[
            UserRole(role=r.role, company=r.company.code if r.company else None) for r in user.roles
        ],
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


@users_router.get("", response_model=list[UserOut])
async def list_users(session: DbSession, principal: UserAdmin) -> list[UserOut]:
    """Every account, by e-mail."""
    return [_user_out(u) for u in await users.list_users(session)]


@users_router.get("/{user_id}", response_model=UserOut, responses=NOT_FOUND_RESPONSES)
async def get_user(user_id: uuid.UUID, session: DbSession, principal: UserAdmin) -> UserOut:
    """One account."""
    return _user_out(await users.get_user(session, user_id))


@users_router.patch("/{user_id}", response_model=UserOut, responses=NOT_FOUND_RESPONSES)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    session: DbSession,
    revocations: Revocations,
    principal: UserAdmin,
) -> UserOut:
    """Rename, activate or deactivate, or replace the roles of an account.

    Deactivation and a change of roles sign the account out everywhere at once.
    """
    user, ended = await users.update_user(
        session,
        actor_id=principal.user_id,
        user_id=user_id,
        name=body.name,
        is_active=body.is_active,
        roles=[(r.role, r.company) for r in body.roles] if body.roles is not None else None,
        now=utcnow(),
    )
    await revocations.publish(ended)
    revocations.forget_user(user.id)  # a rename shows on this process's next request
    return _user_out(user)


@users_router.delete("/{user_id}/sessions", status_code=204, responses=NOT_FOUND_RESPONSES)
async def sign_out_everywhere(
    user_id: uuid.UUID, session: DbSession, revocations: Revocations, principal: UserAdmin
) -> Response:
    """Sign a user out on every device at once (API keys are revoked separately)."""
    await sessions.sign_out_everywhere(
        session, actor_id=principal.user_id, user_id=user_id, now=utcnow(), revocations=revocations
    )
    return Response(status_code=204)


def _aware(value: datetime | None) -> datetime | None:
    """Filters without a zone are read as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@audit_router.get("", response_model=AuditPage)
async def list_audit(
    session: DbSession,
    principal: Annotated[Principal, Depends(require("audit:read"))],
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    action: Annotated[str | None, Query(max_length=60)] = None,
    actor_id: uuid.UUID | None = None,
    since: Annotated[QueryDateTime | None, Query()] = None,
    until: Annotated[QueryDateTime | None, Query()] = None,
) -> AuditPage:
    """Security and business events, newest first, with filters."""
    since, until = _aware(since), _aware(until)
    rows, next_cursor = await audit.list_events(
        session,
        cursor=cursor,
        limit=limit,
        action=action,
        actor_id=actor_id,
        since=since,
        until=until,
    )
    return AuditPage(
        items=[AuditEventOut.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
        has_more=next_cursor is not None,
    )
