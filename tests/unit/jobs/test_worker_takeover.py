"""A SIGKILLed worker's job is run again by another worker, exactly once, within the tuned window.

Each test starts a private redis-server on a free port (never the shared one) and two worker
processes (`worker_child`) with a short heartbeat timeout; the window asserted is derived from
the configured timeouts, not a wall-clock race.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from salesbot.jobs.runtime import JobRuntime, start_jobs
from tests.conftest import REQUIRE_SERVICES
from tests.support.private_services import PrivateRedis, private_redis
from tests.unit.jobs.worker_child import JOB, settings_for

pytestmark = [pytest.mark.slow, pytest.mark.services]

ROOT = Path(__file__).resolve().parents[3]
HEARTBEAT_MS = 3_000
INTERVAL_MS = 500
RUN_S = 1.0  # the retry itself, and its pick-up at the next poll


@pytest.fixture
def server() -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        if REQUIRE_SERVICES:
            pytest.fail("redis-server is required for the worker takeover tests")
        pytest.skip("redis-server is not installed")
    with private_redis() as found:
        yield found


def _worker(server: PrivateRedis, data: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.unit.jobs.worker_child",
            server.url,
            str(data),
            str(HEARTBEAT_MS),
            str(INTERVAL_MS),
        ],
        cwd=ROOT,
        env={**os.environ, "SALESBOT_LOG_LEVEL": "WARNING"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def _pids(client: redis.Redis, key: str) -> list[int]:
    return [int(pid) for pid in client.lrange(key, 0, -1)]


def _wait_for(client: redis.Redis, key: str, count: int, limit_s: float) -> float:
    """Seconds until `key` holds `count` entries (fails after `limit_s`, never hangs)."""
    began = time.monotonic()
    while len(_pids(client, key)) < count:
        assert time.monotonic() - began < limit_s, f"{key} never reached {count}"
        time.sleep(0.02)
    return time.monotonic() - began


def _producer(server: PrivateRedis, data: Path) -> JobRuntime:
    settings = settings_for(server.url, data, HEARTBEAT_MS, INTERVAL_MS)
    return start_jobs(settings, in_process_worker=False)


def _stop(children: list[subprocess.Popen[str]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def test_a_sigkilled_workers_job_completes_once_on_another_worker(
    server: PrivateRedis, tmp_path: Path
) -> None:
    client = redis.Redis.from_url(server.url)
    children = [_worker(server, tmp_path / f"w{n}") for n in (1, 2)]
    producer = _producer(server, tmp_path / "producer")
    try:
        client.set("takeover:hold", 1)  # the first run holds until the kill has landed
        producer.send(JOB, server.url, 300)
        _wait_for(client, "takeover:started", 1, 60)
        victim_pid = _pids(client, "takeover:started")[0]
        victim = next(c for c in children if c.pid == victim_pid)
        survivor = next(c for c in children if c.pid != victim_pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        killed_at = time.monotonic()
        client.delete("takeover:hold")  # the retry runs straight through
        # Back on its queue once the victim's heartbeat is older than the timeout, at the next
        # maintenance (one interval), taken at the survivor's next poll. Twice the heartbeat
        # leaves room for a loaded machine and is still far below Dramatiq's default (60 s,
        # then maintenance on a random 0.1% of commands).
        window_s = 2 * HEARTBEAT_MS / 1000 + INTERVAL_MS / 1000 + RUN_S
        _wait_for(client, "takeover:done", 1, limit_s=10 * window_s)
        took = time.monotonic() - killed_at
        assert took <= window_s
        # Nothing runs it a third time: wait out another heartbeat timeout and a maintenance.
        time.sleep((HEARTBEAT_MS + 2 * INTERVAL_MS) / 1000)
        assert _pids(client, "takeover:started") == [victim_pid, survivor.pid]
        assert _pids(client, "takeover:done") == [survivor.pid]
    finally:
        producer.close()
        _stop(children)


def test_a_live_worker_running_past_the_heartbeat_timeout_keeps_its_job(
    server: PrivateRedis, tmp_path: Path
) -> None:
    """The other side of a short heartbeat: a long job on a healthy worker is not run twice."""
    client = redis.Redis.from_url(server.url)
    children = [_worker(server, tmp_path / f"w{n}") for n in (1, 2)]
    producer = _producer(server, tmp_path / "producer")
    try:
        seconds = 2 * HEARTBEAT_MS / 1000 + 2 * INTERVAL_MS / 1000
        client.set("takeover:hold", 1)
        producer.send(JOB, server.url, seconds)
        _wait_for(client, "takeover:done", 1, limit_s=60 + 4 * seconds)
        time.sleep(INTERVAL_MS / 1000 * 2)
        started = _pids(client, "takeover:started")
        assert len(started) == 1
        assert _pids(client, "takeover:done") == started
    finally:
        producer.close()
        _stop(children)
