"""Sign-in sessions and the signed-in user's own account: password and personal API keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from salesbot.auth import service, sessions, tokens
from salesbot.auth.deps import (
    ACCESS_COOKIE,
    AUTH_RESPONSES,
    MFA_ENROL,
    REFRESH_COOKIE,
    Revocations,
    caller_ip,
    check_csrf,
    client_info,
    require,
)
from salesbot.auth.devices import describe
from salesbot.auth.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    DevLoginRequest,
    LoginRequest,
    MeResponse,
    PasswordChange,
    RefreshRequest,
    RoleOut,
    SessionOut,
    TokenResponse,
)
from salesbot.auth.service import IssuedTokens, Principal
from salesbot.auth.throttle import LoginThrottle
from salesbot.kit.csrf import CSRF_COOKIE, new_csrf_token
from salesbot.kit.db import DbSession, utcnow
from salesbot.kit.deps import AppRateLimiter, AppSettings
from salesbot.kit.errors import NOT_FOUND_RESPONSES, ErrorBody, Forbidden, Unauthorized
from salesbot.settings import Environment, Settings
from salesbot.users import service as users
from salesbot.users.models import ApiKey, AuthSession

PUBLIC_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Sign-in failed"}
}
DEVICE_COOKIE = "salesbot_device"
MFA_DEVICE_COOKIE = "salesbot_mfa_device"

router = APIRouter(prefix="/api/auth", tags=["auth"])
me_router = APIRouter(prefix="/api/me", tags=["me"], responses=AUTH_RESPONSES)


def _set_cookies(response: Response, settings: Settings, issued: IssuedTokens) -> str:
    secure = settings.environment is not Environment.development
    csrf = new_csrf_token()
    response.set_cookie(
        ACCESS_COOKIE,
        issued.access_token,
        max_age=issued.expires_in,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        issued.refresh_token,
        max_age=settings.refresh_token_days * 86_400,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/api/auth",
    )
    # Readable by the page's script, which echoes it in X-CSRF-Token.
    response.set_cookie(CSRF_COOKIE, csrf, httponly=False, secure=secure, samesite="lax", path="/")
    return csrf


def token_response(response: Response, settings: Settings, issued: IssuedTokens) -> TokenResponse:
    csrf = _set_cookies(response, settings, issued)
    return TokenResponse(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        csrf_token=csrf,
    )


def _clear_cookies(response: Response) -> None:
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path="/api/auth")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.post("/login", response_model=TokenResponse, responses=PUBLIC_RESPONSES)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    limiter: AppRateLimiter,
) -> TokenResponse:
    """Sign in with e-mail and password; sets the web UI's cookies and returns the tokens.

    Failed attempts are throttled per (IP, e-mail), per e-mail and per IP; past the per-e-mail
    limit a browser that signed in to the account before may still sign in.
    """
    email = body.email.strip().lower()[:320]
    request.state.login_email = email  # for the audit entry of a refusal
    secret = settings.secret_key.get_secret_value()
    throttle = LoginThrottle(limiter, settings)
    known = tokens.device_knows(request.cookies.get(DEVICE_COOKIE), email, secret=secret)
    await throttle.guard(caller_ip(), email, known_device=known)
    now = utcnow()
    try:
        _, issued = await service.login(
            session,
            settings,
            email=body.email,
            password=body.password,
            now=now,
            client=client_info(request),
            mfa_device=request.cookies.get(MFA_DEVICE_COOKIE),
        )
    except Unauthorized:
        await throttle.failed(caller_ip(), email)
        raise
    set_device_cookie(response, settings, email, now)
    return token_response(response, settings, issued)


def set_device_cookie(response: Response, settings: Settings, email: str, now: datetime) -> None:
    """The "signed in here before" cookie that lets its owner past the per-e-mail throttle."""
    days = settings.login_device_days
    secret = settings.secret_key.get_secret_value()
    response.set_cookie(
        DEVICE_COOKIE,
        tokens.create_device_token(email, secret=secret, now=now, days=days),
        max_age=days * 86_400,
        httponly=True,
        secure=settings.environment is not Environment.development,
        samesite="lax",
        path="/api/auth",
    )


def _refresh_source(request: Request, body: RefreshRequest | None) -> str | None:
    if body is not None and body.refresh_token:
        return body.refresh_token
    cookie = request.cookies.get(REFRESH_COOKIE)
    if cookie:
        check_csrf(request)
    return cookie


@router.post(
    "/refresh",
    response_model=TokenResponse,
    responses={**PUBLIC_RESPONSES, 403: {"model": ErrorBody, "description": "CSRF check failed"}},
)
async def refresh(
    request: Request,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    revocations: Revocations,
    body: RefreshRequest | None = None,
) -> TokenResponse:
    """Exchange a refresh token (body or cookie) for new tokens; the old one is spent."""
    token = _refresh_source(request, body)
    if not token:
        raise Unauthorized(service.SESSION_EXPIRED, code="session_expired")
    _, issued = await service.refresh(
        session,
        settings,
        refresh_token=token,
        now=utcnow(),
        client=client_info(request),
        revocations=revocations,
    )
    return token_response(response, settings, issued)


@router.post(
    "/logout",
    status_code=204,
    responses={403: {"model": ErrorBody, "description": "CSRF check failed"}},
)
async def logout(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    revocations: Revocations,
    body: RefreshRequest | None = None,
) -> Response:
    """End this session at once: its refresh chain and access tokens stop working."""
    token = _refresh_source(request, body)
    authorization = request.headers.get("authorization", "")
    access = (
        authorization[7:].strip()
        if authorization[:7].lower() == "bearer "
        else request.cookies.get(ACCESS_COOKIE)
    )
    await service.logout(
        session,
        settings,
        refresh_token=token,
        access_token=access,
        now=utcnow(),
        revocations=revocations,
    )
    result = Response(status_code=204)
    _clear_cookies(result)
    return result


@router.get("/me", response_model=MeResponse, responses=AUTH_RESPONSES)
async def me(principal: Annotated[Principal, Depends(require("account:self"))]) -> MeResponse:
    """The signed-in user, their roles and permissions."""
    return MeResponse(
        id=principal.user_id,
        email=principal.email,
        name=principal.name,
        roles=[RoleOut(role=g.role, company=g.company_code) for g in principal.roles],
        permissions=sorted(principal.permissions),
        auth_method=principal.auth_method,
        mfa_enrolment_required=principal.mfa_enrolment_pending,
    )


def dev_login_router() -> APIRouter:
    """Registered only in development with SALESBOT_DEV_LOGIN=true."""
    dev = APIRouter(prefix="/api/auth", tags=["auth"])

    @dev.post("/dev-login", response_model=TokenResponse, responses=PUBLIC_RESPONSES)
    async def dev_login(
        body: DevLoginRequest,
        request: Request,
        response: Response,
        session: DbSession,
        settings: AppSettings,
    ) -> TokenResponse:
        """Development only: sign in as a seeded user without a password."""
        _, issued = await service.dev_login(
            session, settings, email=body.email, now=utcnow(), client=client_info(request)
        )
        return token_response(response, settings, issued)

    return dev


def _key_out(row: ApiKey) -> ApiKeyOut:
    return ApiKeyOut.model_validate(row, from_attributes=True)


SelfUser = Annotated[Principal, Depends(require("account:self"))]


@me_router.post("/password", status_code=204, responses={422: {"model": ErrorBody}})
async def change_password(
    body: PasswordChange,
    session: DbSession,
    limiter: AppRateLimiter,
    revocations: Revocations,
    principal: SelfUser,
) -> Response:
    """Change your password; all your sessions end at once and must sign in again."""
    await limiter.check("password", "5/minute", str(principal.user_id))
    ended = await users.change_password(
        session,
        principal.user_id,
        current_password=body.current_password,
        new_password=body.new_password,
        now=utcnow(),
    )
    await revocations.publish(ended)
    result = Response(status_code=204)
    _clear_cookies(result)
    return result


def _session_out(row: AuthSession, current: uuid.UUID | None) -> SessionOut:
    return SessionOut(
        id=row.id,
        device=describe(row.user_agent),
        user_agent=row.user_agent,
        ip=row.ip,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        current=row.id == current,
    )


@me_router.get("/sessions", response_model=list[SessionOut])
async def list_sessions(session: DbSession, principal: SelfUser) -> list[SessionOut]:
    """Your signed-in devices, most recently seen first; `current` marks this one."""
    rows = await sessions.list_sessions(session, principal.user_id, now=utcnow())
    return [_session_out(r, principal.session_id) for r in rows]


@me_router.delete("/sessions/{session_id}", status_code=204, responses=NOT_FOUND_RESPONSES)
async def sign_out_session(
    session_id: uuid.UUID, session: DbSession, revocations: Revocations, principal: SelfUser
) -> Response:
    """Sign one of your devices out at once (this one included)."""
    await sessions.sign_out_device(
        session,
        user_id=principal.user_id,
        session_id=session_id,
        now=utcnow(),
        revocations=revocations,
    )
    return Response(status_code=204)


@me_router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
async def create_api_key(
    body: ApiKeyCreate, session: DbSession, principal: SelfUser
) -> ApiKeyCreated:
    """Create an API key limited to the chosen permissions; the key is shown only once."""
    if principal.mfa_enrolment_pending:
        raise Forbidden(MFA_ENROL, code="mfa_enrolment_required")
    row, key = await users.create_api_key(
        session,
        user_id=principal.user_id,
        held=principal.permissions,
        name=body.name,
        scopes=body.scopes,
        days=body.days,
        now=utcnow(),
    )
    return ApiKeyCreated(**_key_out(row).model_dump(), key=key)


@me_router.get("/api-keys", response_model=list[ApiKeyOut])
async def list_api_keys(session: DbSession, principal: SelfUser) -> list[ApiKeyOut]:
    """Your API keys (never the keys themselves)."""
    return [_key_out(r) for r in await users.list_api_keys(session, principal.user_id)]


@me_router.delete("/api-keys/{key_id}", status_code=204, responses=NOT_FOUND_RESPONSES)
async def revoke_api_key(key_id: uuid.UUID, session: DbSession, principal: SelfUser) -> Response:
    """Revoke one of your API keys."""
    await users.revoke_api_key(session, user_id=principal.user_id, key_id=key_id, now=utcnow())
    return Response(status_code=204)
