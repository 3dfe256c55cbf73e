"""Sign-in, invites, personal API keys and the audit log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from salesbot.auth import service
from salesbot.auth.deps import (
    ACCESS_COOKIE,
    AUTH_RESPONSES,
    REFRESH_COOKIE,
    check_csrf,
    request_ip,
    require,
)
from salesbot.auth.schemas import (
    AcceptedUser,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    AuditEventOut,
    AuditPage,
    DevLoginRequest,
    InviteAccept,
    InviteCreate,
    InviteCreated,
    InviteOut,
    LoginRequest,
    MeResponse,
    PasswordChange,
    RefreshRequest,
    RoleOut,
    TokenResponse,
)
from salesbot.auth.service import IssuedTokens, Principal
from salesbot.kit.csrf import CSRF_COOKIE, new_csrf_token
from salesbot.kit.db import DbSession, utcnow
from salesbot.kit.errors import ErrorBody, Unauthorized
from salesbot.kit.ratelimit import RateLimiter
from salesbot.settings import Environment, Settings
from salesbot.users import audit
from salesbot.users import service as users
from salesbot.users.models import ApiKey, Invite

PUBLIC_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Sign-in failed"}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "Not found"}}

router = APIRouter(prefix="/api/auth", tags=["auth"])
invites_router = APIRouter(prefix="/api/invites", tags=["invites"])
me_router = APIRouter(prefix="/api/me", tags=["me"], responses=AUTH_RESPONSES)
audit_router = APIRouter(prefix="/api/audit", tags=["audit"], responses=AUTH_RESPONSES)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.ratelimiter
    return limiter


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


def _token_response(response: Response, settings: Settings, issued: IssuedTokens) -> TokenResponse:
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
    body: LoginRequest, request: Request, response: Response, session: DbSession
) -> TokenResponse:
    """Sign in with e-mail and password; sets the web UI's cookies and returns the tokens."""
    settings = _settings(request)
    ip = request_ip(request)
    limiter = _limiter(request)
    await limiter.check("login_ip", settings.rate_limit_login, ip)
    await limiter.check("login_email", settings.rate_limit_login, body.email.strip().lower()[:320])
    _, issued = await service.login(
        session, settings, email=body.email, password=body.password, ip=ip, now=utcnow()
    )
    return _token_response(response, settings, issued)


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
    request: Request, response: Response, session: DbSession, body: RefreshRequest | None = None
) -> TokenResponse:
    """Exchange a refresh token (body or cookie) for new tokens; the old one is spent."""
    settings = _settings(request)
    token = _refresh_source(request, body)
    if not token:
        raise Unauthorized(service.SESSION_EXPIRED, code="session_expired")
    _, issued = await service.refresh(
        session, settings, refresh_token=token, ip=request_ip(request), now=utcnow()
    )
    return _token_response(response, settings, issued)


@router.post(
    "/logout",
    status_code=204,
    responses={403: {"model": ErrorBody, "description": "CSRF check failed"}},
)
async def logout(
    request: Request, response: Response, session: DbSession, body: RefreshRequest | None = None
) -> Response:
    """End this session: its refresh chain is revoked and the cookies cleared."""
    token = _refresh_source(request, body)
    await service.logout(
        session, refresh_token=token, principal=None, ip=request_ip(request), now=utcnow()
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
    )


def dev_login_router() -> APIRouter:
    """Registered only in development with SALESBOT_DEV_LOGIN=true."""
    dev = APIRouter(prefix="/api/auth", tags=["auth"])

    @dev.post("/dev-login", response_model=TokenResponse, responses=PUBLIC_RESPONSES)
    async def dev_login(
        body: DevLoginRequest, request: Request, response: Response, session: DbSession
    ) -> TokenResponse:
        """Development only: sign in as a seeded user without a password."""
        settings = _settings(request)
        _, issued = await service.dev_login(
            session, settings, email=body.email, ip=request_ip(request), now=utcnow()
        )
        return _token_response(response, settings, issued)

    return dev


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


InviteAdmin = Annotated[Principal, Depends(require("invites:manage"))]


@invites_router.post(
    "",
    response_model=InviteCreated,
    status_code=201,
    responses={**AUTH_RESPONSES, 409: {"model": ErrorBody, "description": "Already a user"}},
)
async def create_invite(
    body: InviteCreate, request: Request, session: DbSession, principal: InviteAdmin
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
        ip=request_ip(request),
    )
    link = f"{_settings(request).public_url.rstrip('/')}/invite#token={token}"
    return InviteCreated(**_invite_out(invite, now).model_dump(), token=token, link=link)


@invites_router.get("", response_model=list[InviteOut], responses=AUTH_RESPONSES)
async def list_invites(session: DbSession, principal: InviteAdmin) -> list[InviteOut]:
    """Invitations, newest first."""
    now = utcnow()
    return [_invite_out(i, now) for i in await users.list_invites(session)]


@invites_router.delete("/{invite_id}", status_code=204, responses={**AUTH_RESPONSES, **NOT_FOUND})
async def revoke_invite(
    invite_id: uuid.UUID, request: Request, session: DbSession, principal: InviteAdmin
) -> Response:
    """Revoke an invitation so its link stops working."""
    await users.revoke_invite(
        session,
        actor_id=principal.user_id,
        invite_id=invite_id,
        now=utcnow(),
        ip=request_ip(request),
    )
    return Response(status_code=204)


@invites_router.post("/accept", response_model=AcceptedUser, status_code=201, responses=NOT_FOUND)
async def accept_invite(body: InviteAccept, request: Request, session: DbSession) -> AcceptedUser:
    """Accept an invitation: creates the account with the invited roles."""
    settings = _settings(request)
    ip = request_ip(request)
    await _limiter(request).check("invite_accept", settings.rate_limit_invite_accept, ip)
    user = await users.accept_invite(
        session, token=body.token, name=body.name, password=body.password, now=utcnow(), ip=ip
    )
    return AcceptedUser(id=user.id, email=user.email, name=user.name)


def _key_out(row: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=list(row.scopes),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


SelfUser = Annotated[Principal, Depends(require("account:self"))]


@me_router.post("/password", status_code=204, responses={422: {"model": ErrorBody}})
async def change_password(
    body: PasswordChange,
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, Depends(require("account:self"))],
) -> Response:
    """Change your password; all your sessions end and must sign in again."""
    limiter: RateLimiter = request.app.state.ratelimiter
    await limiter.check("password", "5/minute", str(principal.user_id))
    await users.change_password(
        session,
        principal.user_id,
        current_password=body.current_password,
        new_password=body.new_password,
        ip=request_ip(request),
        now=utcnow(),
    )
    result = Response(status_code=204)
    _clear_cookies(result)
    return result


@me_router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
async def create_api_key(
    body: ApiKeyCreate, request: Request, session: DbSession, principal: SelfUser
) -> ApiKeyCreated:
    """Create an API key limited to the chosen permissions; the key is shown only once."""
    row, key = await users.create_api_key(
        session,
        user_id=principal.user_id,
        held=principal.permissions,
        name=body.name,
        scopes=body.scopes,
        days=body.days,
        now=utcnow(),
        ip=request_ip(request),
    )
    return ApiKeyCreated(**_key_out(row).model_dump(), key=key)


@me_router.get("/api-keys", response_model=list[ApiKeyOut])
async def list_api_keys(session: DbSession, principal: SelfUser) -> list[ApiKeyOut]:
    """Your API keys (never the keys themselves)."""
    return [_key_out(r) for r in await users.list_api_keys(session, principal.user_id)]


@me_router.delete("/api-keys/{key_id}", status_code=204, responses=NOT_FOUND)
async def revoke_api_key(
    key_id: uuid.UUID, request: Request, session: DbSession, principal: SelfUser
) -> Response:
    """Revoke one of your API keys."""
    await users.revoke_api_key(
        session, user_id=principal.user_id, key_id=key_id, now=utcnow(), ip=request_ip(request)
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
    since: datetime | None = None,
    until: datetime | None = None,
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
