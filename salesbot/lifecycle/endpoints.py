"""Admin endpoints of the data lifecycle: user erasure, legal holds, retention policies."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from salesbot.auth.deps import AUTH_RESPONSES, Revocations, require
from salesbot.auth.service import Principal
from salesbot.kit.db import DbSession, utcnow
from salesbot.kit.deps import AppSettings, AppStorage
from salesbot.kit.errors import NOT_FOUND_RESPONSES, ErrorBody
from salesbot.lifecycle import erasure, holds, policies
from salesbot.lifecycle.models import LegalHold, RetentionPolicy
from salesbot.lifecycle.retention import run_retention
from salesbot.lifecycle.schemas import (
    ErasureOut,
    ErasureRequest,
    HoldCreate,
    HoldOut,
    PolicyOut,
    PolicyValues,
    PreviewItem,
    RetentionPreview,
)
from salesbot.users.models import Company

erasure_router = APIRouter(prefix="/api/users", tags=["users"], responses=AUTH_RESPONSES)
holds_router = APIRouter(prefix="/api/legal-holds", tags=["lifecycle"], responses=AUTH_RESPONSES)
retention_router = APIRouter(prefix="/api/retention", tags=["lifecycle"], responses=AUTH_RESPONSES)

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
    revocations: Revocations,
    principal: UserAdmin,
) -> ErasureOut:
    """Erase a person: their own data goes, business records keep a pseudonym (audited)."""
    result = await erasure.erase_user(
        session,
        storage,
        principal,
        user_id=user_id,
        reason=body.reason,
        settings=settings,
        now=utcnow(),
    )
    revocations.forget_user(user_id)  # its sessions went with it: this process refuses at once
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


def _policy_out(
    company: Company | None, row: RetentionPolicy | None, base: policies.Periods
) -> PolicyOut:
    configured = PolicyValues(**{n: getattr(row, n) if row else None for n in policies.PERIODS})
    effective = policies.effective(base, row)
    return PolicyOut(
        company_id=company.id if company else None,
        company=company.code if company else "default",
        configured=configured if company else PolicyValues(**asdict(base)),
        effective=PolicyValues(**asdict(effective)),
    )


@retention_router.get("/policies", response_model=list[PolicyOut])
async def list_policies(
    session: DbSession, settings: AppSettings, principal: SettingsAdmin
) -> list[PolicyOut]:
    """The global default (from settings) and each company's policy."""
    base = policies.default(settings)
    rows = await policies.list_rows(session)
    return [_policy_out(None, None, base), *(_policy_out(c, r, base) for c, r in rows)]


@retention_router.put(
    "/policies/{company_id}", response_model=PolicyOut, responses=NOT_FOUND_RESPONSES
)
async def set_policy(
    company_id: uuid.UUID,
    body: PolicyValues,
    session: DbSession,
    settings: AppSettings,
    principal: SettingsAdmin,
) -> PolicyOut:
    """Set a company's periods (null: the default; 0 days: the rule is off). Audited."""
    company, row = await policies.set_policy(
        session, principal, company_id, body.model_dump(), utcnow()
    )
    return _policy_out(company, row, policies.default(settings))


@retention_router.get("/preview", response_model=RetentionPreview)
async def preview_retention(
    settings: AppSettings, storage: AppStorage, request: Request, principal: SettingsAdmin
) -> RetentionPreview:
    """What a retention run would do now (a dry run: nothing changes)."""
    report = await run_retention(
        request.app.state.db.sessions, storage, settings, now=utcnow(), dry_run=True
    )
    return RetentionPreview(
        counts=report.counts,
        items=[PreviewItem(**asdict(item)) for item in report.items[:500]],
        total=len(report.items),
    )
