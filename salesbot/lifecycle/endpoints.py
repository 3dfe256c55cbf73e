"""Admin endpoints of the data lifecycle: user erasure and legal holds."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.kit.db import DbSession, utcnow
from salesbot.kit.deps import AppSettings, AppStorage
from salesbot.kit.errors import NOT_FOUND_RESPONSES, ErrorBody
from salesbot.lifecycle import erasure, holds
from salesbot.lifecycle.models import LegalHold
from salesbot.lifecycle.schemas import ErasureOut, ErasureRequest, HoldCreate, HoldOut

erasure_router = APIRouter(prefix="/api/users", tags=["users"], responses=AUTH_RESPONSES)
holds_router = APIRouter(prefix="/api/legal-holds", tags=["lifecycle"], responses=AUTH_RESPONSES)

UserAdmin = Annotated[Principal, Depends(require("users:manage"))]
SettingsAdmin = Annotated[Principal, Depends(require("settings:manage"))]

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "Under legal hold, or the last admin"}
}


@erasure_router.delete(
    "/{user_id}", response_model=ErasureOut, responses={**NOT_FOUND_RESPONSES, **CONFLICT}
)
async def erase_user(
    user_id: uuid.UUID,
    body: ErasureRequest,
    session: DbSession,
    storage: AppStorage,
    settings: AppSettings,
    principal: UserAdmin,
) -> ErasureOut:
    """Erase a person: their own data goes, business records keep a pseudonym (audited)."""
    result = await erasure.erase_user(
        session,
        storage,
        principal,
        user_id=user_id,
        reason=body.reason,
        secret=settings.secret_key.get_secret_value(),
        now=utcnow(),
    )
    return ErasureOut.model_validate(result, from_attributes=True)


def _hold_out(hold: LegalHold) -> HoldOut:
    return HoldOut.model_validate(hold, from_attributes=True)


@holds_router.get("", response_model=list[HoldOut])
async def list_holds(
    session: DbSession,
    principal: SettingsAdmin,
    include_released: Annotated[bool, Query()] = False,
) -> list[HoldOut]:
    """Legal holds, newest first (active only unless asked)."""
    return [_hold_out(h) for h in await holds.list_all(session, include_released=include_released)]


@holds_router.post(
    "",
    response_model=HoldOut,
    status_code=201,
    responses={**NOT_FOUND_RESPONSES, 409: {"model": ErrorBody, "description": "Already held"}},
)
async def place_hold(body: HoldCreate, session: DbSession, principal: SettingsAdmin) -> HoldOut:
    """Put a user, a company or a conversation under legal hold: nothing it covers is purged."""
    hold = await holds.place(
        session, principal, scope=body.scope, target_id=body.target_id, reason=body.reason
    )
    return _hold_out(hold)


@holds_router.delete(
    "/{hold_id}",
    response_model=HoldOut,
    responses={**NOT_FOUND_RESPONSES, 409: {"model": ErrorBody, "description": "Released"}},
)
async def release_hold(hold_id: uuid.UUID, session: DbSession, principal: SettingsAdmin) -> HoldOut:
    """Release a legal hold (it stays listed as released)."""
    return _hold_out(await holds.release(session, principal, hold_id, utcnow()))
