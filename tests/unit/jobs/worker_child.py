"""A `salesbot worker`-like process for the takeover tests (run by test_worker_takeover).

`python -m tests.unit.jobs.worker_child REDIS_URL DATA_DIR HEARTBEAT_MS INTERVAL_MS`: starts a
Redis-broker worker with those timeouts, prints `ready` and runs until killed. Its one test job,
`test.takeover.hold`, appends this process's pid to `takeover:started`, holds while the key
`takeover:hold` exists (at most the given seconds) and appends its pid to `takeover:done` (all
in the same Redis), so the test sees who ran what, how often.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import redis

from salesbot.jobs.runtime import job, start_jobs
from salesbot.settings import Settings

JOB = "test.takeover.hold"
QUEUE = "takeover"


@job(JOB, queue=QUEUE, max_retries=3)
def hold(redis_url: str, seconds: float) -> None:
    client = redis.Redis.from_url(redis_url)
    client.rpush("takeover:started", os.getpid())
    until = time.monotonic() + seconds
    while client.exists("takeover:hold") and time.monotonic() < until:
        time.sleep(0.02)
    client.rpush("takeover:done", os.getpid())


def settings_for(redis_url: str, data_dir: Path, heartbeat_ms: int, interval_ms: int) -> Settings:
    return Settings(
        _env_file=None,
        environment="test",
        data_dir=data_dir,
        redis_url=redis_url,
        job_heartbeat_timeout_ms=heartbeat_ms,
        job_maintenance_interval_ms=interval_ms,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
    )


def main(redis_url: str, data_dir: Path, heartbeat_ms: int, interval_ms: int) -> None:
    settings = settings_for(redis_url, data_dir, heartbeat_ms, interval_ms)
    start_jobs(settings, in_process_worker=True)
    print("ready", flush=True)
    threading.Event().wait()  # until SIGKILL or SIGTERM


if __name__ == "__main__":
    url, data, heartbeat, interval = sys.argv[1:5]
    main(url, Path(data), int(heartbeat), int(interval))
