"""Built-in access tokens: HS256 JWTs (opaque secrets are hashed by `users.credentials`)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from salesbot.kit.ids import new_id
from salesbot.kit.logging import get_logger

log = get_logger(__name__)

ACCESS_AUDIENCE = "salesbot"
ACCESS_ISSUER = "salesbot"
DEVICE_AUDIENCE = "salesbot-device"
ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or signed by someone else."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    mfa_enrolment_pending: bool = False


def create_access_token(
    user_id: uuid.UUID,
    *,
    secret: str,
    now: datetime,
    minutes: int,
    session_id: uuid.UUID | None = None,
    mfa_enrolment_pending: bool = False,
) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds.

    `sid` names the session (refresh-token family) so the token dies with it; without one a
    fresh id is used (a session nobody can revoke by device, only by its user's revocations).
    """
    claims = {
        "sub": str(user_id),
        "sid": str(session_id or new_id()),
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        "aud": ACCESS_AUDIENCE,
        "iss": ACCESS_ISSUER,
        "jti": new_id().hex,
        "typ": "access",
    }
    if mfa_enrolment_pending:
        claims["mfa"] = "enrol"  # a role that needs two-step sign-in, not set up yet
    return jwt.encode(claims, secret, algorithm=ALGORITHM), minutes * 60


def decode_access_token(token: str, *, secret: str) -> uuid.UUID:
    """The user id of a valid access token; anything else raises InvalidToken."""
    return decode_access_claims(token, secret=secret).user_id


def decode_access_claims(token: str, *, secret: str) -> AccessClaims:
    """User and session of a valid access token; anything else raises InvalidToken."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=ACCESS_AUDIENCE,
            issuer=ACCESS_ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss", "sid"]},
        )
        if claims.get("typ") != "access":
            raise InvalidToken("not an access token")
        return AccessClaims(
            uuid.UUID(str(claims["sub"])),
            uuid.UUID(str(claims["sid"])),
            mfa_enrolment_pending=claims.get("mfa") == "enrol",
        )
    except (jwt.PyJWTError, ValueError) as exc:
        raise InvalidToken(type(exc).__name__) from exc


def decode_unverified(token: str, *, allow_unverified: bool) -> dict[str, Any]:
    """Debugging only: claims WITHOUT a signature check. Never use for access decisions."""
    if allow_unverified is not True:
        raise PermissionError("decode_unverified needs allow_unverified=True")
    log.warning("unverified_token_decoded")
    claims: dict[str, Any] = jwt.decode(
        token, options={"verify_signature": False, "verify_exp": False, "verify_aud": False}
    )
    return claims


def email_digest(email: str) -> str:
    """A device token names the account by this digest, not the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def create_device_token(email: str, *, secret: str, now: datetime, days: int) -> str:
    """Proof that this browser signed in to the account before (lets it past the per-e-mail
    throttle): signed, long-lived, and useless without the password."""
    claims = {
        "eh": email_digest(email),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(days=days)).timestamp()),
        "aud": DEVICE_AUDIENCE,
        "iss": ACCESS_ISSUER,
        "typ": "device",
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def device_knows(token: str | None, email: str, *, secret: str) -> bool:
    """True when `token` is a valid device token issued at a sign-in to `email`."""
    if not token:
        return False
    try:
        claims = jwt.decode(
            token[:1000],
            secret,
            algorithms=[ALGORITHM],
            audience=DEVICE_AUDIENCE,
            issuer=ACCESS_ISSUER,
            options={"require": ["exp", "iat", "aud", "iss", "eh"]},
        )
    except jwt.PyJWTError:
        return False
    return claims.get("typ") == "device" and claims.get("eh") == email_digest(email)


def create_purpose_token(
    subject: str, purpose: str, *, secret: str, now: datetime, seconds: int, **extra: str
) -> str:
    """A short signed token for one step (e.g. `mfa`: the password was right, a code is next)."""
    claims = {
        **extra,
        "sub": subject,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + seconds,
        "aud": f"salesbot-{purpose}",
        "iss": ACCESS_ISSUER,
        "typ": purpose,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_purpose_token(token: str | None, purpose: str, *, secret: str) -> dict[str, Any]:
    """The claims of a valid token made for `purpose`; anything else raises InvalidToken."""
    if not token:
        raise InvalidToken("missing")
    try:
        claims: dict[str, Any] = jwt.decode(
            token[:2000],
            secret,
            algorithms=[ALGORITHM],
            audience=f"salesbot-{purpose}",
            issuer=ACCESS_ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(type(exc).__name__) from exc
    if claims.get("typ") != purpose:
        raise InvalidToken("wrong purpose")
    return claims
