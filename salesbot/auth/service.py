"""Sign-in rules: login, refresh rotation with reuse detection, logout, and who a request is."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth import mfa, mfa_policy, tokens
from salesbot.auth.revocation import SessionRevocations
from salesbot.auth.supabase import SupabaseVerifier
from salesbot.kit.errors import Forbidden, Unauthorized
from salesbot.kit.ids import new_id
from salesbot.settings import Settings
from salesbot.users import audit, repository
from salesbot.users.credentials import (
    hash_password,
    hash_secret,
    needs_rehash,
    new_secret,
    verify_password,
)
from salesbot.users.models import ApiKey, AuthSession, RefreshToken, User
from salesbot.users.permissions import permissions_for

LOGIN_FAILED = "The e-mail or password is incorrect."
SESSION_EXPIRED = "Your session has expired. Please sign in again."
NOT_SIGNED_IN = "Please sign in to continue."
SESSION_ENDED = "You were signed out. Please sign in again."
NO_ACCOUNT = "Your account does not have access to this workspace. Ask an admin for an invite."


@dataclass(frozen=True)
class RoleGrant:
    role: str
    company_id: uuid.UUID | None = None
    company_code: str | None = None


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    user_id: uuid.UUID
    email: str
    name: str
    roles: tuple[RoleGrant, ...]
    permissions: frozenset[str]
    auth_method: str  # bearer | cookie | api_key | supabase
    api_key_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None  # the signed-in device (None for API keys, Supabase)
    # A role that needs two-step sign-in, not set up yet: only the own-account routes answer.
    mfa_enrolment_pending: bool = False
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def companies_for(self, role: str) -> set[uuid.UUID]:
        return {g.company_id for g in self.roles if g.role == role and g.company_id}


def principal_for(
    user: User | repository.Caller,
    method: str,
    *,
    scopes: list[str] | None = None,
    api_key_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    mfa_enrolment_pending: bool = False,
) -> Principal:
    grants = (
        tuple(RoleGrant(*r) for r in user.roles)
        if isinstance(user, repository.Caller)
        else tuple(
            RoleGrant(r.role, r.company_id, r.company.code if r.company else None)
            for r in user.roles
        )
    )
    granted = permissions_for(g.role for g in grants)
    if scopes is not None:
        granted = granted & frozenset(scopes)  # a key never exceeds its owner's current rights
    return Principal(
        user_id=user.id,
        email=user.email,
        name=user.name,
        roles=grants,
        permissions=granted,
        auth_method=method,
        api_key_id=api_key_id,
        session_id=session_id,
        mfa_enrolment_pending=mfa_enrolment_pending,
    )


@dataclass(frozen=True)
class ClientInfo:
    """Where a sign-in comes from, shown under Settings → Signed-in devices."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_at: datetime


async def _touch_session(
    session: AsyncSession,
    user: User,
    sid: uuid.UUID,
    client: ClientInfo,
    now: datetime,
    expires_at: datetime,
) -> None:
    """The device row of a session: made at sign-in, refreshed (last seen) at each rotation."""
    row = await repository.auth_session(session, sid)
    if row is None:
        row = AuthSession(id=sid, user_id=user.id)
        session.add(row)
    row.ip = client.ip[:64] if client.ip else None
    row.user_agent = client.user_agent[:300] if client.user_agent else None
    row.last_seen_at = now
    row.expires_at = expires_at


async def _issue(
    session: AsyncSession,
    settings: Settings,
    user: User,
    now: datetime,
    client: ClientInfo,
    family_id: uuid.UUID | None = None,
) -> IssuedTokens:
    sid = family_id or new_id()
    access, expires_in = tokens.create_access_token(
        user.id,
        secret=settings.secret_key.get_secret_value(),
        now=now,
        minutes=settings.access_token_minutes,
        session_id=sid,
        mfa_enrolment_pending=await _enrolment_pending(session, settings, user),
    )
    refresh = new_secret("rt_")
    expires_at = now + timedelta(days=settings.refresh_token_days)
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=sid,
            token_hash=hash_secret(refresh),
            expires_at=expires_at,
        )
    )
    await _touch_session(session, user, sid, client, now, expires_at)
    return IssuedTokens(access, expires_in, refresh, expires_at)


async def login(
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    now: datetime,
    client: ClientInfo,
    mfa_device: str | None = None,
) -> tuple[User, IssuedTokens]:
    """One generic failure for unknown e-mail, wrong password and inactive account.

    With a second factor on (and this browser not remembered for it), a right password answers
    MfaRequired carrying a 5-minute token for `complete_mfa`.
    """
    user = await repository.user_by_email(session, email[:320])
    ok = await verify_password(user.password_hash if user else None, password[:256])
    if user is None or not ok or not user.is_active:
        tried = audit.ActorRef(user.id, email[:320].strip().lower()) if user else None
        audit.record(session, tried, "login_failed")
        await session.commit()
        raise Unauthorized(LOGIN_FAILED, code="login_failed")
    if user.password_hash and needs_rehash(user.password_hash):
        # Hashed under older argon2 parameters: upgrade now, while we hold the plain password.
        user.password_hash = await hash_password(password[:256])
    await _ask_second_factor(session, settings, user, now, mfa_device)
    user.last_login_at = now
    issued = await _issue(session, settings, user, now, client)
    audit.record(session, audit.ActorRef(user.id, user.email), "login")
    await session.commit()
    return user, issued


async def _enrolment_pending(
    session: AsyncSession, settings: Settings, user: User | repository.Caller
) -> bool:
    """A role an admin marked (salesbot.auth.mfa_policy) and no authenticator set up yet."""
    required = await mfa_policy.required_roles(session, settings)
    if isinstance(user, repository.Caller):
        names = {role for role, _, _ in user.roles}
    else:
        names = {r.role for r in user.roles}
    if not required or not names & set(required):
        return False
    return not await mfa.enabled(session, user.id)


async def enrolment_pending(session: AsyncSession, settings: Settings, user: User) -> bool:
    """Whether the user's role needs two-step sign-in that is not set up yet (other channels,
    such as Slack, refuse such accounts as the web does)."""
    return await _enrolment_pending(session, settings, user)


MFA_TOKEN_SECONDS = 300
MFA_ASK = "Enter the 6-digit code from your authenticator app (or a recovery code)."
MFA_EXPIRED = "The sign-in step timed out. Please sign in again."


async def _ask_second_factor(
    session: AsyncSession, settings: Settings, user: User, now: datetime, device: str | None
) -> None:
    row = await mfa.factor(session, user.id)
    if row is None or row.enabled_at is None:
        return
    secret = settings.secret_key.get_secret_value()
    try:
        claims = tokens.decode_purpose_token(device, "mfa_device", secret=secret)
        if claims["sub"] == str(user.id) and claims.get("fd") == mfa.device_digest(row):
            return  # this browser was remembered for 30 days
    except tokens.InvalidToken:
        pass
    await session.commit()  # keeps a password rehash
    token = tokens.create_purpose_token(
        str(user.id), "mfa", secret=secret, now=now, seconds=MFA_TOKEN_SECONDS
    )
    raise mfa.MfaRequired(MFA_ASK, details={"mfa_token": token})


async def complete_mfa(
    session: AsyncSession,
    settings: Settings,
    *,
    mfa_token: str,
    code: str,
    now: datetime,
    client: ClientInfo,
) -> tuple[User, IssuedTokens, str | None]:
    """The second step of a sign-in: tokens, and a remembered-device token when asked."""
    secret = settings.secret_key.get_secret_value()
    try:
        user_id = uuid.UUID(tokens.decode_purpose_token(mfa_token, "mfa", secret=secret)["sub"])
    except (tokens.InvalidToken, ValueError):
        raise Unauthorized(MFA_EXPIRED, code="mfa_expired") from None
    user = await repository.user_by_id(session, user_id)
    row = await mfa.factor(session, user_id)
    if user is None or not user.is_active or row is None or row.enabled_at is None:
        raise Unauthorized(MFA_EXPIRED, code="mfa_expired")
    used = await mfa.check(session, row, code[:40], now=now, key=secret)
    if used is None:
        audit.record(session, audit.ActorRef(user.id, user.email), "mfa_failed")
        await session.commit()
        raise Unauthorized(mfa.WRONG_CODE, code="wrong_code")
    user.last_login_at = now
    issued = await _issue(session, settings, user, now, client)
    audit.record(session, audit.ActorRef(user.id, user.email), "login", details={"mfa": used})
    await session.commit()
    device = tokens.create_purpose_token(
        str(user.id),
        "mfa_device",
        secret=secret,
        now=now,
        seconds=settings.mfa_remember_days * 86_400,
        fd=mfa.device_digest(row),
    )
    return user, issued, device


async def dev_login(
    session: AsyncSession, settings: Settings, *, email: str, now: datetime, client: ClientInfo
) -> tuple[User, IssuedTokens]:
    user = await repository.user_by_email(session, email[:320])
    if user is None or not user.is_active:
        raise Unauthorized(LOGIN_FAILED, code="login_failed")
    issued = await _issue(session, settings, user, now, client)
    audit.record(session, audit.ActorRef(user.id, user.email), "dev_login")
    await session.commit()
    return user, issued


async def refresh(
    session: AsyncSession,
    settings: Settings,
    *,
    refresh_token: str,
    now: datetime,
    client: ClientInfo,
    revocations: SessionRevocations,
) -> tuple[User, IssuedTokens]:
    """Rotate: the old token is spent; presenting a spent token revokes its whole family."""
    row = await repository.refresh_by_hash(session, hash_secret(refresh_token[:200]))
    if row is None:
        raise Unauthorized(SESSION_EXPIRED, code="session_expired")
    if row.rotated_at is not None or row.revoked_at is not None:
        if row.rotated_at is not None and row.revoked_at is None:
            # A spent token came back: someone holds a copy. End every session of this chain.
            ended = await repository.revoke_family(session, row.family_id, now, "refresh_reuse")
            audit.record(
                session,
                audit.ActorRef(row.user_id),
                "refresh_reuse",
                audit.Target("refresh_family", row.family_id),
            )
            await session.commit()
            await revocations.publish(ended)
        raise Unauthorized(SESSION_EXPIRED, code="session_expired")
    user = await repository.user_by_id(session, row.user_id)
    if row.expires_at <= now or user is None or not user.is_active:
        raise Unauthorized(SESSION_EXPIRED, code="session_expired")
    row.rotated_at = now
    issued = await _issue(session, settings, user, now, client, family_id=row.family_id)
    await session.commit()
    return user, issued


async def logout(
    session: AsyncSession,
    settings: Settings,
    *,
    refresh_token: str | None,
    access_token: str | None,
    now: datetime,
    revocations: SessionRevocations,
) -> None:
    """End the session named by the refresh token and/or the access token presented."""
    row = (
        await repository.refresh_by_hash(session, hash_secret(refresh_token[:200]))
        if refresh_token
        else None
    )
    claims = _claims_or_none(settings, access_token)
    ended: list[uuid.UUID] = []
    if row is not None:
        ended += await repository.revoke_family(session, row.family_id, now, "logout")
    if claims is not None and claims.session_id not in ended:
        ended += await repository.revoke_family(session, claims.session_id, now, "logout")
    actor = row.user_id if row else (claims.user_id if claims else None)
    if actor is not None:
        audit.record(session, audit.ActorRef(actor), "logout")
    await session.commit()
    await revocations.publish(ended)


def _claims_or_none(settings: Settings, token: str | None) -> tokens.AccessClaims | None:
    if not token:
        return None
    try:
        return tokens.decode_access_claims(token, secret=settings.secret_key.get_secret_value())
    except tokens.InvalidToken:
        return None


async def _active_user(session: AsyncSession, user_id: uuid.UUID) -> repository.Caller:
    user = await repository.caller(session, user_id)
    if user is None:
        raise Unauthorized(NOT_SIGNED_IN)
    if not user.is_active:
        raise Forbidden("This account is deactivated.", code="account_inactive")
    return user


async def principal_from_bearer(
    session: AsyncSession,
    settings: Settings,
    token: str,
    *,
    method: str,
    supabase: SupabaseVerifier | None,
    revocations: SessionRevocations,
) -> Principal:
    """Built-in access token first; with Supabase configured, a Supabase token second."""
    try:
        claims = tokens.decode_access_claims(token, secret=settings.secret_key.get_secret_value())
    except tokens.InvalidToken:
        if supabase is None or method != "bearer":
            raise Unauthorized(SESSION_EXPIRED, code="invalid_token") from None
        try:
            identity = await supabase.verify(token)
        except tokens.InvalidToken:
            raise Unauthorized(SESSION_EXPIRED, code="invalid_token") from None
        user = await repository.user_by_email(session, identity.email or "")
        if user is None or not user.is_active:
            raise Forbidden(NO_ACCOUNT, code="no_account") from None
        return principal_for(user, "supabase")
    if await revocations.is_revoked(session, claims.session_id):
        raise Unauthorized(SESSION_ENDED, code="session_revoked")
    caller = revocations.known_caller(claims.session_id)
    if caller is None or caller.id != claims.user_id:
        caller = await _active_user(session, claims.user_id)
        if not claims.mfa_enrolment_pending:  # enrolling changes what it may do: never kept
            revocations.keep_caller(claims.session_id, caller)
    # Only a pending token costs a look: once set up, the next request is let through.
    pending = claims.mfa_enrolment_pending and await _enrolment_pending(session, settings, caller)
    return principal_for(
        caller, method, session_id=claims.session_id, mfa_enrolment_pending=pending
    )


async def principal_from_api_key(session: AsyncSession, key: str, *, now: datetime) -> Principal:
    row: ApiKey | None = await repository.api_key_by_hash(session, hash_secret(key[:200]))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized("This API key is not valid (unknown, expired or revoked).")
    user = await _active_user(session, row.user_id)
    row.last_used_at = now
    await session.commit()
    return principal_for(user, "api_key", scopes=list(row.scopes), api_key_id=row.id)
