"""Admin user management: list, inspect, rename, (de)activate, change roles."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from salesbot.auth.deps import AUTH_RESPONSES, request_ip, require
from salesbot.auth.service import Principal
from salesbot.kit.db import DbSession
from salesbot.kit.errors import ErrorBody
from salesbot.users import service
from salesbot.users.models import User
from salesbot.users.schemas import UserOut, UserRole, UserUpdate

router = APIRouter(prefix="/api/users", tags=["users"], responses=AUTH_RESPONSES)
Admin = Annotated[Principal, Depends(require("users:manage"))]


def user_out(user: User) -> UserOut:
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


@router.get("", response_model=list[UserOut])
async def list_users(session: DbSession, principal: Admin) -> list[UserOut]:
    """Every account, by e-mail."""
    return [user_out(u) for u in await service.list_users(session)]


@router.get(
    "/{user_id}",
    response_model=UserOut,
    responses={404: {"model": ErrorBody, "description": "Not found"}},
)
async def get_user(user_id: uuid.UUID, session: DbSession, principal: Admin) -> UserOut:
    """One account."""
    return user_out(await service.get_user(session, user_id))


@router.patch(
    "/{user_id}",
    response_model=UserOut,
    responses={404: {"model": ErrorBody, "description": "Not found"}},
)
async def update_user(
    user_id: uuid.UUID, body: UserUpdate, request: Request, session: DbSession, principal: Admin
) -> UserOut:
    """Rename, activate or deactivate, or replace the roles of an account."""
    user = await service.update_user(
        session,
        actor_id=principal.user_id,
        user_id=user_id,
        name=body.name,
        is_active=body.is_active,
        roles=[(r.role, r.company) for r in body.roles] if body.roles is not None else None,
        ip=request_ip(request),
    )
    return user_out(user)
