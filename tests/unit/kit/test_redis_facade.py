"""The Redis outage pattern: fall back locally, log once, count, and use Redis again when back."""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from salesbot.kit.logging import configure_logging
from salesbot.kit.redis import REDIS_FALLBACKS, REDIS_OUTAGES, RedisFacade
from tests.conftest import REDIS_URL, require_service
from tests.live_server import free_port


@pytest.fixture
def spare_port() -> int:
    return free_port()


def _start_redis(port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed for the outage test")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            import socket

            with socket.create_connection(("127.0.0.1", port), 0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    pytest.fail("temporary redis-server did not start")


@pytest.fixture
def redis_process(spare_port: int) -> Iterator[tuple[int, list[subprocess.Popen[bytes]]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield spare_port, procs
    for proc in procs:
        proc.kill()
        proc.wait()


async def _get(client: Redis) -> str:
    value = await client.get("greeting")
    return value.decode() if isinstance(value, bytes) else "missing"


async def _local() -> str:
    return "local"


async def test_not_configured_always_uses_fallback() -> None:
    facade = RedisFacade(None)
    assert not facade.configured
    assert await facade.call(_get, _local) == "local"
    assert await facade.ping() is False


async def test_configured_redis_serves(caplog: pytest.LogCaptureFixture) -> None:
    require_service("Redis", REDIS_URL, 6379)
    facade = RedisFacade(REDIS_URL)
    try:
        assert await facade.ping()
        await facade.call(lambda c: c.set("greeting", "hello"), _local)
        assert await facade.call(_get, _local) == "hello"
    finally:
        await facade.call(lambda c: c.delete("greeting"), _local)
        await facade.close()


async def test_outage_falls_back_logs_once_counts_and_recovers(
    redis_process: tuple[int, list[subprocess.Popen[bytes]]], caplog: pytest.LogCaptureFixture
) -> None:
    port, procs = redis_process
    configure_logging(json=True)  # route structlog through stdlib logging, as the app does
    logging.getLogger().addHandler(caplog.handler)
    facade = RedisFacade(f"redis://127.0.0.1:{port}/0", retry_interval=0.2)
    outages_before = REDIS_OUTAGES._value.get()
    fallbacks_before = REDIS_FALLBACKS._value.get()
    try:
        # Down: every call is served locally; the outage is counted once.
        for _ in range(5):
            assert await facade.call(_get, _local) == "local"
        assert REDIS_OUTAGES._value.get() == outages_before + 1
        assert REDIS_FALLBACKS._value.get() == fallbacks_before + 5
        outage_logs = [r for r in caplog.records if "redis_unavailable" in str(r.msg)]
        assert len(outage_logs) == 1

        # Back: after the retry interval the facade talks to Redis again.
        procs.append(_start_redis(port))
        await asyncio.sleep(0.3)
        await facade.call(lambda c: c.set("greeting", "back"), _local)
        assert await facade.call(_get, _local) == "back"
        assert facade.available
    finally:
        await facade.close()
