"""Slack request verification: the v0 signature, a fresh timestamp, and each request once.

Slack signs `v0:{timestamp}:{body}` with the app's signing secret (HMAC-SHA256). A request is
accepted only when that signature matches, the timestamp is within `max_age_s` of now, and
the same signed request has not been seen before (a captured request replayed inside the
window is refused too). Refusals never echo what was sent.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping

from redis.asyncio import Redis
from slack_sdk.signature import SignatureVerifier

from salesbot.kit.errors import Unauthorized
from salesbot.kit.redis import RedisFacade

NOT_FROM_SLACK = "This request did not come from Slack."
STALE = "This Slack request is too old or was already received."


class SlackRequestCheck:
    """Verifies signed requests; remembers accepted signatures for twice the allowed age."""

    def __init__(
        self,
        signing_secret: str,
        redis: RedisFacade,
        *,
        max_age_s: int = 300,
        clock: Callable[[], float] = time.time,
        prefix: str = "salesbot:slack:seen",
    ) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._redis = redis
        self._max_age_s = max_age_s
        self._clock = clock
        self._prefix = prefix
        self._seen: dict[str, float] = {}

    async def check(self, headers: Mapping[str, str], body: bytes) -> None:
        """Raise Unauthorized unless the request is Slack's, fresh and new."""
        timestamp = headers.get("x-slack-request-timestamp", "")
        signature = headers.get("x-slack-signature", "")
        if not timestamp.isdigit() or not signature.startswith("v0=") or len(signature) > 100:
            raise Unauthorized(NOT_FROM_SLACK, code="slack_signature")
        expected = self._verifier.generate_signature(timestamp=timestamp, body=body) or ""
        if not hmac.compare_digest(expected, signature):
            raise Unauthorized(NOT_FROM_SLACK, code="slack_signature")
        if abs(self._clock() - int(timestamp)) > self._max_age_s:
            raise Unauthorized(STALE, code="slack_replay")
        if not await self._first_time(hashlib.sha256(signature.encode()).hexdigest()):
            raise Unauthorized(STALE, code="slack_replay")

    async def _first_time(self, digest: str) -> bool:
        ttl = self._max_age_s * 2

        async def op(client: Redis) -> bool:
            return bool(await client.set(f"{self._prefix}:{digest}", "1", nx=True, ex=ttl))

        async def local() -> bool:
            now = self._clock()
            for key in [k for k, until in self._seen.items() if until < now]:
                del self._seen[key]
            if digest in self._seen:
                return False
            self._seen[digest] = now + ttl
            return True

        return await self._redis.call(op, local)
