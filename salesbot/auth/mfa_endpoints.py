"""Second factor over HTTP: the sign-in step after the password, and the user's own set-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from salesbot.auth import mfa, mfa_policy, service, tokens
from salesbot.auth.deps import AUTH_RESPONSES, client_info, require
from salesbot.auth.endpoints import (
    MFA_DEVICE_COOKIE,
    PUBLIC_RESPONSES,
    set_device_cookie,
    token_response,
)
from salesbot.auth.schemas import (
    MfaCode,
    MfaEnabled,
    MfaLogin,
    MfaRolesIn,
    MfaRolesOut,
    MfaSetup,
    MfaStatus,
    TokenResponse,
)
from salesbot.auth.service import Principal
from salesbot.kit.db import DbSession, utcnow
from salesbot.kit.deps import AppRateLimiter, AppSettings
from salesbot.kit.errors import ErrorBody, Forbidden, Unauthorized, ValidationFailed
from salesbot.kit.ratelimit import RateLimiter
from salesbot.settings import Environment
from salesbot.users.roles import Role

router = APIRouter(prefix="/api/auth", tags=["auth"])
me_router = APIRouter(prefix="/api/me/mfa", tags=["me"], responses=AUTH_RESPONSES)
policy_router = APIRouter(
    prefix="/api/settings/mfa-roles", tags=["settings"], responses=AUTH_RESPONSES
)
UserAdmin = Annotated[Principal, Depends(require("users:manage"))]

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "Not in the state this step needs"}
}
WRONG: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "The code is not correct"}
}


@router.post("/mfa", response_model=TokenResponse, responses=PUBLIC_RESPONSES)
async def sign_in_code(
    body: MfaLogin,
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    limiter: AppRateLimiter,
) -> TokenResponse:
    """Second sign-in step: the `mfa_token` from the login answer and a code from the app."""
    try:
        subject = tokens.decode_purpose_token(
            body.mfa_token, "mfa", secret=settings.secret_key.get_secret_value()
        )["sub"]
    except tokens.InvalidToken:
        raise Unauthorized(service.MFA_EXPIRED, code="mfa_expired") from None
    reset = await limiter.spent("mfa", settings.rate_limit_mfa, str(subject))
    if reset is not None:
        raise limiter.refusal("mfa", reset)
    now = utcnow()
    try:
        user, issued, device = await service.complete_mfa(
            session,
            settings,
            mfa_token=body.mfa_token,
            code=body.code,
            now=now,
            client=client_info(request),
        )
    except Unauthorized:
        await limiter.count("mfa", settings.rate_limit_mfa, str(subject))
        raise
    set_device_cookie(response, settings, user.email, now)
    if body.remember and device and settings.mfa_remember_days > 0:
        response.set_cookie(
            MFA_DEVICE_COOKIE,
            device,
            max_age=settings.mfa_remember_days * 86_400,
            httponly=True,
            secure=settings.environment is not Environment.development,
            samesite="lax",
            path="/api/auth",
        )
    return token_response(response, settings, issued)


async def _interactive(
    principal: Annotated[Principal, Depends(require("account:self"))],
) -> Principal:
    """Set-up is for people: an API key (an integration's credential) cannot change it."""
    if principal.auth_method == "api_key":
        raise Forbidden("Set up two-step sign-in while signed in, not with an API key.")
    return principal


Person = Annotated[Principal, Depends(_interactive)]


@asynccontextmanager
async def _wrong_codes_limited(
    limiter: RateLimiter, limit: str, principal: Principal
) -> AsyncIterator[None]:
    """Wrong codes count against the account's limit; right ones never do."""
    key = str(principal.user_id)
    reset = await limiter.spent("mfa", limit, key)
    if reset is not None:
        raise limiter.refusal("mfa", reset)
    try:
        yield
    except ValidationFailed as error:
        if error.code == "wrong_code":
            await limiter.count("mfa", limit, key)
        raise


@me_router.get("", response_model=MfaStatus)
async def mfa_status(session: DbSession, principal: Person) -> MfaStatus:
    """Whether two-step sign-in is on, and how many recovery codes are left."""
    row = await mfa.factor(session, principal.user_id)
    on = row is not None and row.enabled_at is not None
    return MfaStatus(enabled=on, recovery_codes_left=len(row.recovery_hashes) if row and on else 0)


@me_router.post("/setup", response_model=MfaSetup, responses=CONFLICT)
async def mfa_setup(session: DbSession, settings: AppSettings, principal: Person) -> MfaSetup:
    """A new authenticator secret and its QR code; it is on once a code from it is entered."""
    key = settings.secret_key.get_secret_value()
    setup = await mfa.start_setup(session, principal.user_id, key=key)
    return MfaSetup(
        secret=setup.secret, otpauth_uri=setup.otpauth_uri, qr_svg_data_uri=setup.qr_svg_data_uri
    )


@me_router.post("/enable", response_model=MfaEnabled, responses={**CONFLICT, **WRONG})
async def mfa_enable(
    body: MfaCode,
    session: DbSession,
    settings: AppSettings,
    limiter: AppRateLimiter,
    principal: Person,
) -> MfaEnabled:
    """Turn two-step sign-in on with a code; the recovery codes are shown only in this answer."""
    async with _wrong_codes_limited(limiter, settings.rate_limit_mfa, principal):
        codes = await mfa.enable(
            session,
            principal.user_id,
            body.code,
            now=utcnow(),
            key=settings.secret_key.get_secret_value(),
        )
    return MfaEnabled(recovery_codes=codes)


@me_router.post("/disable", status_code=204, responses={**CONFLICT, **WRONG})
async def mfa_disable(
    body: MfaCode,
    session: DbSession,
    settings: AppSettings,
    limiter: AppRateLimiter,
    principal: Person,
) -> Response:
    """Turn two-step sign-in off with a current code or a recovery code."""
    async with _wrong_codes_limited(limiter, settings.rate_limit_mfa, principal):
        await mfa.disable(
            session,
            principal.user_id,
            body.code,
            now=utcnow(),
            key=settings.secret_key.get_secret_value(),
        )
    return Response(status_code=204)


def _policy_out(policy: mfa_policy.MfaPolicy) -> MfaRolesOut:
    return MfaRolesOut(
        required_roles=[Role(r) for r in policy.required_roles],
        source=policy.source,
        updated_at=policy.updated_at,
        roles=list(Role),
    )


@policy_router.get("", response_model=MfaRolesOut)
async def get_mfa_roles(
    session: DbSession, settings: AppSettings, principal: UserAdmin
) -> MfaRolesOut:
    """The roles that must use two-step sign-in (admins)."""
    return _policy_out(await mfa_policy.current(session, settings))


@policy_router.put("", response_model=MfaRolesOut)
async def put_mfa_roles(
    body: MfaRolesIn, session: DbSession, settings: AppSettings, principal: UserAdmin
) -> MfaRolesOut:
    """Mark the roles that must use two-step sign-in (admins; audited).

    Someone holding a marked role without an authenticator set up is sent to Settings to set
    one up at their next sign-in (or token refresh), and can use nothing else until then.
    """
    policy = await mfa_policy.mark(
        session,
        settings,
        actor_id=principal.user_id,
        roles=[r.value for r in body.required_roles],
        now=utcnow(),
    )
    return _policy_out(policy)
