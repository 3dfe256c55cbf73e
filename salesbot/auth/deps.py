"""Request authentication (`CurrentUser`) and the one authorisation dependency, `require(perm)`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from salesbot.auth import service
from salesbot.auth.revocation import SessionRevocations
from salesbot.auth.service import ClientInfo, Principal
from salesbot.auth.supabase import SupabaseVerifier
from salesbot.kit.csrf import CSRF_COOKIE, CSRF_HEADER, csrf_ok
from salesbot.kit.db import Database, ReadSession, utcnow
from salesbot.kit.deps import AppRateLimiter, AppSettings
from salesbot.kit.errors import ErrorBody, Forbidden, Unauthorized
from salesbot.kit.request_context import current_client_ip, set_user_id
from salesbot.users.permissions import is_known

ACCESS_COOKIE = "salesbot_access"
REFRESH_COOKIE = "salesbot_refresh"

# Documented on every protected route so clients (and the schema fuzzer) know these answers.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not signed in, or the token is not valid"},
    403: {"model": ErrorBody, "description": "Signed in without the needed permission"},
}

MFA_ENROL = "Your role needs two-step sign-in. Set it up under Settings first."
CSRF_FAILED = "Your session check failed. Please reload the page and try again."

# Declared so the OpenAPI document says how to authenticate (and the schema fuzzer signs in);
# `current_principal` reads the headers itself, as it also accepts the web UI's cookie.
BEARER_SCHEME = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description="An access token from POST /api/auth/login (or a Supabase JWT when enabled)",
    auto_error=False,
)
API_KEY_SCHEME = APIKeyHeader(
    name="X-API-Key",
    scheme_name="apiKey",
    description="An API key made under Settings → API keys (for integrations)",
    auto_error=False,
)


def caller_ip() -> str:
    """The client IP the request middleware resolved (trusted proxies honoured): rate-limit key."""
    return current_client_ip() or "unknown"


async def get_revocations(request: Request) -> SessionRevocations:
    revocations: SessionRevocations = request.app.state.revocations
    return revocations


Revocations = Annotated[SessionRevocations, Depends(get_revocations)]


def client_info(request: Request) -> ClientInfo:
    """The caller's IP and User-Agent, recorded on the session it signs in."""
    return ClientInfo(ip=current_client_ip(), user_agent=request.headers.get("user-agent"))


def check_csrf(request: Request) -> None:
    if not csrf_ok(
        request.method, request.cookies.get(CSRF_COOKIE), request.headers.get(CSRF_HEADER)
    ):
        raise Forbidden(CSRF_FAILED, code="csrf_failed")


async def current_principal(
    request: Request,
    reads: ReadSession,
    settings: AppSettings,
    limiter: AppRateLimiter,
    revocations: Revocations,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER_SCHEME)],
    _api_key: Annotated[str | None, Security(API_KEY_SCHEME)],
) -> Principal:
    """Who is calling: X-API-Key, then Bearer, then the web UI's cookie (with CSRF)."""
    supabase: SupabaseVerifier | None = request.app.state.supabase
    api_key = request.headers.get("x-api-key")
    authorization = request.headers.get("authorization", "")
    cookie = request.cookies.get(ACCESS_COOKIE)
    if api_key:
        # The one way in that writes (the key's last use), through a session of its own: a
        # read endpoint's request then builds no write session it never uses (~60 µs).
        database: Database = request.app.state.db
        async with database.sessions() as session:
            principal = await service.principal_from_api_key(session, api_key, now=utcnow())
    elif authorization[:7].lower() == "bearer ":
        principal = await service.principal_from_bearer(
            reads,
            settings,
            authorization[7:].strip(),
            method="bearer",
            supabase=supabase,
            revocations=revocations,
        )
    elif cookie:
        principal = await service.principal_from_bearer(
            reads, settings, cookie, method="cookie", supabase=None, revocations=revocations
        )
        # Cookies ride along on cross-site requests; the header proves our own page sent it.
        check_csrf(request)
    else:
        raise Unauthorized(service.NOT_SIGNED_IN)
    # Hand the connection back: a writing endpoint takes its own through `DbSession`, so a
    # request never holds two.
    await reads.close()
    set_user_id(str(principal.user_id))
    request.state.principal = principal
    await limiter.check("api", settings.rate_limit_api, str(principal.user_id))
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


class require:
    """Dependency that admits only principals holding `permission`."""

    def __init__(self, permission: str) -> None:
        if not is_known(permission):
            raise ValueError(f"unknown permission {permission!r}")
        self.permission = permission

    async def __call__(self, principal: CurrentUser) -> Principal:
        if not principal.has(self.permission):
            raise Forbidden("You do not have permission to do this.")
        if principal.mfa_enrolment_pending and self.permission != "account:self":
            raise Forbidden(MFA_ENROL, code="mfa_enrolment_required")
        return principal
