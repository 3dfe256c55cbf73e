"""The Redis outage pattern: fall back locally, log once, count, and use Redis again when back."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from redis.asyncio import Redis

import salesbot.kit.redis
from salesbot.kit.logging import configure_logging
from salesbot.kit.redis import REDIS_FALLBACKS, REDIS_OUTAGES, RedisFacade
from tests.conftest import REDIS_URL, require_service


@pytest.fixture
def redis_socket() -> Iterator[Path]:
    """A Unix socket path for a temporary redis-server: private to this test, so nothing else
    can answer there (a TCP port chosen as free could be taken before redis binds it)."""
    with tempfile.TemporaryDirectory(prefix="redis-") as folder:  # short: socket paths are
        yield Path(folder) / "redis.sock"  # limited to ~100 bytes


def _start_redis(path: Path) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed for the outage test")
    proc = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(path), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60  # guards against a hang only
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.settimeout(1)
                probe.connect(str(path))
                return proc
        except OSError:
            time.sleep(0.05)  # an external process: nothing to wait on but its socket
    proc.kill()
    proc.wait()
    pytest.fail("temporary redis-server did not start")


@pytest.fixture
def redis_process(redis_socket: Path) -> Iterator[tuple[Path, list[subprocess.Popen[bytes]]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield redis_socket, procs
    for proc in procs:
        proc.kill()
        proc.wait()


class Clock:
    """The facade's clock, moved by the test: the retry interval passes when the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


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
    redis_process: tuple[Path, list[subprocess.Popen[bytes]]],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, procs = redis_process
    clock = Clock()
    monkeypatch.setattr(salesbot.kit.redis, "time", SimpleNamespace(monotonic=clock.monotonic))
    configure_logging(json=True)  # route structlog through stdlib logging, as the app does
    logging.getLogger().addHandler(caplog.handler)
    facade = RedisFacade(f"unix://{path}?db=0", retry_interval=0.2)
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

        # Back: within the retry interval the fallback still serves; after it, Redis again.
        procs.append(_start_redis(path))
        assert not facade.available
        assert await facade.call(_get, _local) == "local"
        clock.now += 0.3
        await facade.call(lambda c: c.set("greeting", "back"), _local)
        assert await facade.call(_get, _local) == "back"
        assert facade.available
    finally:
        await facade.close()
