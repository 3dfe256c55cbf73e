"""Deployment-wide locks: Redis (token + expiry), PostgreSQL advisory, or in-process.

`held = await lock.acquire(name)` never waits: it answers at once whether this caller now holds
the lock; `await held.release()` gives it back. `exclusive(lock, name, ...)` waits for it instead,
for work two instances must not do twice: the second caller waits, then finds the first's result.
Three kinds, chosen by what the deployment has:

- `RedisLock`: redis-py's `Lock` (a random token stored with an expiry, released by a script that
  checks the token), so a crashed holder frees the lock when the expiry passes.
- `AdvisoryLock`: `pg_try_advisory_lock` on a connection held for as long as the lock is; the
  server frees it when that connection ends. Needs a session-pinned connection (not PgBouncer
  in transaction-pooling mode).
- `LocalLock`: a process-wide `threading.Lock` per name, for a single instance without either.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.asyncio.lock import Lock as RedisLockHandle
from redis.exceptions import LockError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from salesbot.kit.errors import ServiceUnavailable
from salesbot.kit.logging import get_logger
from salesbot.kit.redis import OUTAGE_ERRORS

log = get_logger(__name__)


class Held(ABC):
    """A lock this caller holds."""

    @abstractmethod
    async def release(self) -> None:
        """Give the lock back; losing it to its expiry meanwhile is logged, not raised."""


class DeploymentLock(ABC):
    kind: str

    @abstractmethod
    async def acquire(self, name: str, ttl_s: float) -> Held | None:
        """Take the lock without waiting: a `Held` when this caller got it, None when busy."""

    async def close(self) -> None:
        """Release the lock's own connections."""
        return None


class _HeldRedis(Held):
    def __init__(self, handle: RedisLockHandle, name: str) -> None:
        self._handle = handle
        self._name = name

    async def release(self) -> None:
        try:
            await self._handle.release()
        except LockError:
            # The expiry passed during the run and someone else may hold it now: theirs to keep.
            log.warning("lock_expired_before_release", lock=self._name)


class RedisLock(DeploymentLock):
    kind = "redis"

    def __init__(self, url: str, *, prefix: str = "salesbot:lock:") -> None:
        self._client: Redis = Redis.from_url(url, socket_connect_timeout=2.0, socket_timeout=5.0)
        self._prefix = prefix

    async def acquire(self, name: str, ttl_s: float) -> Held | None:
        handle = self._client.lock(self._prefix + name, timeout=ttl_s, blocking=False)
        if await handle.acquire():
            return _HeldRedis(handle, name)
        return None

    async def close(self) -> None:
        await self._client.aclose()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (the type pg_advisory_lock takes)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class _HeldAdvisory(Held):
    def __init__(self, conn: AsyncConnection, key: int) -> None:
        self._conn = conn
        self._key = key

    async def release(self) -> None:
        try:
            await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
        finally:
            # Closing the connection would free the lock anyway; the unlock makes it immediate
            # even when the pool keeps the connection.
            await self._conn.close()


class AdvisoryLock(DeploymentLock):
    kind = "postgres"

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def acquire(self, name: str, ttl_s: float) -> Held | None:
        key = advisory_key(name)
        conn = await self._engine.connect()
        try:
            got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
            # Autocommit-like: end the implicit transaction so the connection is not left
            # "idle in transaction" for the whole run; the session-level lock survives it.
            await conn.commit()
        except BaseException:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return None
        return _HeldAdvisory(conn, key)


_local_locks: dict[str, threading.Lock] = {}
_local_guard = threading.Lock()


class _HeldLocal(Held):
    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock

    async def release(self) -> None:
        self._lock.release()


class LocalLock(DeploymentLock):
    """Shared by every scheduler in this process (there is no other instance to exclude)."""

    kind = "local"

    async def acquire(self, name: str, ttl_s: float) -> Held | None:
        with _local_guard:
            lock = _local_locks.setdefault(name, threading.Lock())
        if lock.acquire(blocking=False):
            return _HeldLocal(lock)
        return None


def choose_lock(redis_url: str | None, engine: AsyncEngine) -> DeploymentLock:
    """Redis when configured, else PostgreSQL's advisory lock, else the in-process lock."""
    if redis_url:
        return RedisLock(redis_url)
    if engine.dialect.name == "postgresql":
        return AdvisoryLock(engine)
    return LocalLock()


class LockBusy(ServiceUnavailable):
    """`exclusive` waited its whole `wait_s` and the lock was still held by someone else
    (a 503 when it reaches a request: the same work is still going on elsewhere)."""

    def __init__(self, name: str) -> None:
        super().__init__("This is still being worked on elsewhere; try again in a moment.")
        self.lock = name


@asynccontextmanager
async def exclusive(
    lock: DeploymentLock, name: str, *, ttl_s: float, wait_s: float, poll_s: float = 0.05
) -> AsyncIterator[bool]:
    """Hold `name` for the block, waiting (polling with backoff) while another caller holds it.

    Yields whether the lock is really held: when the lock's store is unreachable (Redis down)
    the block runs unlocked, since doing the work twice beats not doing it. Raises `LockBusy`
    after `wait_s` of waiting.
    """
    held = await _wait_for(lock, name, ttl_s=ttl_s, wait_s=wait_s, poll_s=poll_s)
    if held is None:
        yield False
        return
    try:
        yield True
    finally:
        await held.release()


async def _wait_for(
    lock: DeploymentLock, name: str, *, ttl_s: float, wait_s: float, poll_s: float
) -> Held | None:
    """The lock once free (None when its store is unreachable); LockBusy after `wait_s`."""
    deadline = time.monotonic() + wait_s
    delay = poll_s
    while True:
        try:
            held = await lock.acquire(name, ttl_s)
        except OUTAGE_ERRORS as exc:
            log.warning("lock_unavailable", lock=name, error_type=type(exc).__name__)
            return None
        if held is not None:
            return held
        if time.monotonic() >= deadline:
            raise LockBusy(name)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 1.0)


@asynccontextmanager
async def deployment_lock(
    redis_url: str | None, engine: AsyncEngine
) -> AsyncIterator[DeploymentLock]:
    """`choose_lock` for one piece of work, its connections closed afterwards."""
    lock = choose_lock(redis_url, engine)
    try:
        yield lock
    finally:
        await lock.close()
