"""Moving-window rate limits on Redis (shared by all instances) with an in-memory fallback.

When Redis is unreachable the limits keep working per process; the outage is logged once and
counted, and Redis is tried again after `retry_interval` seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from salesbot.kit.errors import RateLimited
from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import counter
from salesbot.kit.redis import OUTAGE_ERRORS

log = get_logger(__name__)
T = TypeVar("T")

RATE_LIMIT_FALLBACKS = counter(
    "salesbot_ratelimit_fallbacks_total",
    "Rate-limit checks served from memory because Redis was down",
)
RATE_LIMITED = counter("salesbot_rate_limited_total", "Requests refused by a rate limit", ["limit"])


class RateLimiter:
    def __init__(self, redis_url: str | None, *, retry_interval: float = 5.0) -> None:
        self.retry_interval = retry_interval
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._redis_storage: Storage | None = (
            RedisStorage(redis_url, implementation="redispy", socket_connect_timeout=1.0)
            if redis_url
            else None
        )
        self._redis = MovingWindowRateLimiter(self._redis_storage) if self._redis_storage else None
        self._down_since: float | None = None
        self._next_try = 0.0

    @property
    def using_redis(self) -> bool:
        return self._redis is not None and self._down_since is None

    def _choose(self) -> MovingWindowRateLimiter:
        if self._redis is None:
            return self._memory
        if self._down_since is not None and time.monotonic() < self._next_try:
            RATE_LIMIT_FALLBACKS.inc()
            return self._memory
        return self._redis

    async def _on(self, op: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        """Run `op` on Redis, or on memory when Redis is unreachable (then retried later)."""
        limiter = self._choose()
        try:
            result = await op(limiter)
        except (*OUTAGE_ERRORS, StorageError) as exc:
            if limiter is self._memory:
                raise
            now = time.monotonic()
            if self._down_since is None:
                self._down_since = now
                log.warning("ratelimit_redis_unavailable", error_type=type(exc).__name__)
            self._next_try = now + self.retry_interval
            RATE_LIMIT_FALLBACKS.inc()
            return await op(self._memory)
        if limiter is not self._memory and self._down_since is not None:
            log.info("ratelimit_redis_recovered")
            self._down_since = None
        return result

    async def _hit(self, item: RateLimitItem, key: str) -> tuple[bool, float]:
        async def hit(limiter: MovingWindowRateLimiter) -> tuple[bool, float]:
            allowed = await limiter.hit(item, key)
            reset = (await limiter.get_window_stats(item, key)).reset_time if not allowed else 0.0
            return allowed, reset

        return await self._on(hit)

    @staticmethod
    def refusal(name: str, reset: float) -> RateLimited:
        RATE_LIMITED.labels(limit=name).inc()
        retry_after = max(1, math.ceil(reset - time.time()))
        return RateLimited(
            "Too many attempts. Please wait a moment and try again.",
            details={"retry_after_s": retry_after},
            headers={"Retry-After": str(retry_after)},
        )

    async def check(self, name: str, limit: str, key: str) -> None:
        """Count one hit for `key` under `limit` (e.g. "5/minute"); raise RateLimited when over."""
        item = parse(limit)
        allowed, reset = await self._hit(item, f"{name}:{key}")
        if not allowed:
            raise self.refusal(name, reset)

    async def spent(self, name: str, limit: str, key: str) -> float | None:
        """Without counting: None while `key` has room under `limit`, else when it frees up."""
        item = parse(limit)

        async def test(limiter: MovingWindowRateLimiter) -> float | None:
            if await limiter.test(item, f"{name}:{key}"):
                return None
            return float((await limiter.get_window_stats(item, f"{name}:{key}")).reset_time)

        return await self._on(test)

    async def count(self, name: str, limit: str, key: str) -> None:
        """Count one hit for `key` without refusing (e.g. a failed sign-in)."""
        await self._hit(parse(limit), f"{name}:{key}")

    async def reset(self) -> None:
        await self._memory.storage.reset()
