"""Moving-window limits on memory and Redis, and the fallback when Redis dies mid-test."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesbot.kit.errors import RateLimited
from salesbot.kit.ratelimit import RATE_LIMIT_FALLBACKS, RateLimiter
from tests.conftest import REDIS_URL, require_service
from tests.unit.kit.test_redis_facade import _start_redis, redis_socket

__all__ = ["redis_socket"]  # a fixture, used below


async def _exhaust(limiter: RateLimiter, key: str) -> None:
    for _ in range(3):
        await limiter.check("t", "3/minute", key)
    with pytest.raises(RateLimited) as info:
        await limiter.check("t", "3/minute", key)
    assert 1 <= int(info.value.headers["Retry-After"]) <= 60


async def test_memory_storage_limits_per_key() -> None:
    limiter = RateLimiter(None)
    await _exhaust(limiter, "a")
    await limiter.check("t", "3/minute", "b")  # another key has its own window
    assert not limiter.using_redis


async def test_redis_storage_is_shared_between_instances() -> None:
    require_service("Redis", REDIS_URL, 6379)
    key = f"shared-{uuid.uuid4()}"
    first, second = RateLimiter(REDIS_URL), RateLimiter(REDIS_URL)
    for _ in range(3):
        await first.check("t", "3/minute", key)
    with pytest.raises(RateLimited):
        await second.check("t", "3/minute", key)
    assert second.using_redis


@pytest.fixture
def redis_proc(redis_socket: Path) -> Iterator[tuple[Path, list[subprocess.Popen[bytes]]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield redis_socket, procs
    for proc in procs:
        proc.kill()
        proc.wait()


async def test_falls_back_to_memory_when_redis_stops_and_returns(
    redis_proc: tuple[Path, list[subprocess.Popen[bytes]]],
) -> None:
    path, procs = redis_proc
    procs.append(_start_redis(path))
    limiter = RateLimiter(f"redis+unix://{path}", retry_interval=0.0)
    await limiter.check("t", "3/minute", "k")
    assert limiter.using_redis
    procs[0].kill()
    procs[0].wait()
    before = RATE_LIMIT_FALLBACKS._value.get()
    await _exhaust(limiter, "k2")  # still limited, now from memory
    assert not limiter.using_redis
    assert RATE_LIMIT_FALLBACKS._value.get() > before
    procs.append(_start_redis(path))
    await limiter.check("t", "3/minute", "k3")
    assert limiter.using_redis
