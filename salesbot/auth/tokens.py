"""Built-in access tokens: HS256 JWTs (opaque secrets are hashed by `users.credentials`)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt

from salesbot.kit.ids import new_id
from salesbot.kit.logging import get_logger

log = get_logger(__name__)

ACCESS_AUDIENCE = "salesbot"
ACCESS_ISSUER = "salesbot"
ALGORITHM = "HS256"


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or signed by someone else."""


def create_access_token(
    user_id: uuid.UUID, *, secret: str, now: datetime, minutes: int
) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    claims = {
        "sub": str(user_id),
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        "aud": ACCESS_AUDIENCE,
        "iss": ACCESS_ISSUER,
        "jti": new_id().hex,
        "typ": "access",
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), minutes * 60


def decode_access_token(token: str, *, secret: str) -> uuid.UUID:
    """The user id of a valid access token; anything else raises InvalidToken."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=ACCESS_AUDIENCE,
            issuer=ACCESS_ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
        if claims.get("typ") != "access":
            raise InvalidToken("not an access token")
        return uuid.UUID(str(claims["sub"]))
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
