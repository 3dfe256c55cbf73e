"""Supabase-issued JWTs: HS256 with the project secret, or RS256/ES256 via a cached JWKS."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK

from salesbot.auth.tokens import InvalidToken
from salesbot.kit.logging import get_logger

log = get_logger(__name__)

ASYMMETRIC = ("RS256", "ES256")


@dataclass(frozen=True)
class SupabaseIdentity:
    subject: str
    email: str | None


class JwksCache:
    """Keys by `kid`; an unknown kid triggers a refetch at most once per `min_refetch_s`."""

    def __init__(self, url: str, *, min_refetch_s: float = 30.0, timeout_s: float = 5.0) -> None:
        self.url = url
        self.min_refetch_s = min_refetch_s
        self.timeout_s = timeout_s
        self._keys: dict[str, PyJWK] = {}
        self._last_fetch: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    def _fetch_sync(self) -> dict[str, PyJWK]:
        request = urllib.request.Request(self.url, headers={"Accept": "application/json"})  # noqa: S310
        # The URL is the operator's SALESBOT_AUTH_SUPABASE_JWKS_URL; settings allow http(s) only.
        with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310  # nosec B310
            document = json.loads(response.read(1_000_000))
        keys: dict[str, PyJWK] = {}
        for entry in document.get("keys", []):
            kid = entry.get("kid")
            if not isinstance(kid, str) or entry.get("use", "sig") != "sig":
                continue
            try:
                keys[kid] = PyJWK(entry)
            except jwt.PyJWTError:
                log.warning("jwks_key_skipped", kid=kid[:40])
        return keys

    async def key(self, kid: str) -> PyJWK:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid in self._keys:
                return self._keys[kid]
            now = time.monotonic()
            if self._last_fetch is not None and now - self._last_fetch < self.min_refetch_s:
                raise InvalidToken("unknown kid")
            self._last_fetch = now
            self.fetches += 1
            try:
                # urllib is blocking; keep it off the event loop.
                self._keys = await asyncio.to_thread(self._fetch_sync)
            except (OSError, ValueError) as exc:
                log.warning("jwks_fetch_failed", error_type=type(exc).__name__)
                raise InvalidToken("jwks unavailable") from exc
        if kid not in self._keys:
            raise InvalidToken("unknown kid")
        return self._keys[kid]


class SupabaseVerifier:
    def __init__(
        self,
        *,
        audience: str,
        issuer: str | None,
        hs_secret: str | None = None,
        jwks: JwksCache | None = None,
    ) -> None:
        self.audience = audience
        self.issuer = issuer
        self.hs_secret = hs_secret or None
        self.jwks = jwks

    async def verify(self, token: str) -> SupabaseIdentity:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed") from exc
        alg = header.get("alg")
        key: Any
        if alg == "HS256" and self.hs_secret:
            key, algorithms = self.hs_secret, ["HS256"]
        elif alg in ASYMMETRIC and self.jwks is not None:
            kid = header.get("kid")
            if not isinstance(kid, str) or not kid:
                raise InvalidToken("kid required")
            jwk = await self.jwks.key(kid)
            # The key decides the algorithm, never the token (no HS/RS confusion).
            if jwk.algorithm_name not in ASYMMETRIC or jwk.algorithm_name != alg:
                raise InvalidToken("algorithm mismatch")
            key, algorithms = jwk.key, [jwk.algorithm_name]
        else:
            raise InvalidToken("algorithm not accepted")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        email = claims.get("email")
        return SupabaseIdentity(
            subject=str(claims["sub"]), email=email if isinstance(email, str) else None
        )
