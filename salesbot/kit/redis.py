"""Redis facade: optional pooled client with a health probe and the outage fallback pattern.

Every user of Redis goes through `RedisFacade.call(op, fallback)`: when Redis is not configured
or currently down, the fallback serves the request; an outage is logged once and counted, and
Redis is tried again after `retry_interval` seconds so it is used as soon as it returns.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import counter

T = TypeVar("T")
log = get_logger(__name__)

REDIS_FALLBACKS = counter(
    "salesbot_redis_fallbacks_total", "Operations served by a local fallback because Redis was down"
)
REDIS_OUTAGES = counter("salesbot_redis_outages_total", "Times Redis was found unreachable")

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)


class RedisFacade:
    def __init__(self, url: str | None, *, retry_interval: float = 5.0, max_connections: int = 50):
        self.url = url
        self.retry_interval = retry_interval
        self.client: Redis | None = (
            Redis.from_url(
                url,
                max_connections=max_connections,
                socket_connect_timeout=1.0,
                socket_timeout=2.0,
                health_check_interval=30,
            )
            if url
            else None
        )
        self._down_since: float | None = None
        self._next_try = 0.0

    @property
    def configured(self) -> bool:
        return self.client is not None

    @property
    def available(self) -> bool:
        """Configured and not inside a known outage (or due for a retry)."""
        if self.client is None:
            return False
        return self._down_since is None or time.monotonic() >= self._next_try

    def _mark_down(self, exc: BaseException) -> None:
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
            REDIS_OUTAGES.inc()
            log.warning("redis_unavailable", error_type=type(exc).__name__)
        self._next_try = now + self.retry_interval

    def _mark_up(self) -> None:
        if self._down_since is not None:
            log.info("redis_recovered", outage_s=round(time.monotonic() - self._down_since, 1))
        self._down_since = None

    async def call(
        self,
        op: Callable[[Redis], Awaitable[T]],
        fallback: Callable[[], Awaitable[T]],
    ) -> T:
        """Run `op` on Redis, or `fallback` when Redis is not configured or unreachable."""
        if self.client is None:
            return await fallback()
        if not self.available:
            REDIS_FALLBACKS.inc()
            return await fallback()
        try:
            result = await op(self.client)
        except OUTAGE_ERRORS as exc:
            self._mark_down(exc)
            REDIS_FALLBACKS.inc()
            return await fallback()
        self._mark_up()
        return result

    async def ping(self) -> bool:
        """Health probe; also ends an outage early when Redis answers."""
        if self.client is None:
            return False
        try:
            ok = bool(await self.client.ping())
        except OUTAGE_ERRORS as exc:
            self._mark_down(exc)
            return False
        self._mark_up()
        return ok

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
