"""Fault drill: a job worker is SIGKILLed mid-job; a new worker takes over.

Starts a private redis-server (temporary folder, free port), prepares an embedded SQLite
database (`salesbot migrate`, `demo`), queues N `proposals.render` jobs (each renders and records
one proposal for its own client name), starts `salesbot worker`, SIGKILLs it as soon as it has
started a job, and starts a second worker at once.

Goal: every job completes exactly once (one proposal per client name: none lost, none twice).
Prints the counts, the time from the kill until the killed job is retried and until it is
completed by the second worker, against the window the settings promise: the broker gives a
dead worker's unacknowledged messages back once its heartbeat is older than
`SALESBOT_JOB_HEARTBEAT_TIMEOUT_MS` (10 s), at the next maintenance
(`SALESBOT_JOB_MAINTENANCE_INTERVAL_MS`, 1 s). Stock Dramatiq: 60 s, then maintenance on a
random 0.1% of broker commands (about 70 s measured here before the tuning).

Run: PYTHONPATH=. .venv/bin/python benchmarks/faults/worker_sigkill.py [--jobs 4] [--timeout-s 420]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import select

from salesbot.jobs.runtime import start_jobs
from salesbot.kit.db import Database, make_engine
from salesbot.proposals.models import Proposal
from salesbot.settings import Settings
from salesbot.users.models import User
from tests.support.private_services import private_redis

CLI = [sys.executable, "-m", "salesbot.cli"]
PREFIX = "Fault drill client"


def _request(number: int) -> dict[str, Any]:
    start = (date.today() + timedelta(days=30)).isoformat()
    entry = {
        "location": "szr_unipole",
        "start_date": start,
        "durations": ["2 weeks"],
        "net_rates": ["100000"],
        "production_fee": "5000",
    }
    return {"kind": "separate", "client_name": f"{PREFIX} {number}", "proposals": [entry]}


async def _owner_id(database: Database) -> str:
    async with database.sessions() as session:
        user_id = await session.scalar(
            select(User.id).where(User.email == "sales@demo.salesbot.dev")
        )
    return str(user_id)


async def _proposals(database: Database) -> Counter[str]:
    async with database.sessions() as session:
        names = await session.scalars(
            select(Proposal.client_name).where(Proposal.client_name.like(f"{PREFIX}%"))
        )
        return Counter(names)


def _started(log: Path) -> list[str]:
    """Message ids of the jobs a worker has started, from its log."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        if "job_started" in line:
            match = re.search(r"message_id[\"'=: ]+([0-9a-f-]{36})", line)
            if match:
                found.append(match.group(1))
    return found


def _worker(log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    out = log.open("w")
    return subprocess.Popen(
        [*CLI, "worker", "--threads", "1"], env=env, stdout=out, stderr=subprocess.STDOUT
    )


def drill(folder: Path, redis_url: str, jobs: int, timeout_s: float) -> int:
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "development",
        "SALESBOT_DATA_DIR": str(folder / "data"),
        "SALESBOT_REDIS_URL": redis_url,
        "SALESBOT_LOG_LEVEL": "INFO",
    }
    env.pop("SALESBOT_DATABASE_URL", None)
    os.environ.update(env)
    os.environ.pop("SALESBOT_DATABASE_URL", None)
    for step in ("migrate", "demo"):
        subprocess.run([*CLI, step], env=env, check=True, capture_output=True)
    settings = Settings()
    database = Database(make_engine(settings.effective_database_url))
    owner = asyncio.run(_owner_id(database))
    runtime = start_jobs(settings, in_process_worker=False)
    ids = [runtime.send("proposals.render", owner, _request(n)) for n in range(jobs)]
    client_of = {message_id: f"{PREFIX} {n}" for n, message_id in enumerate(ids)}
    print(f"queued {len(ids)} proposals.render jobs on the private Redis")

    first_log, second_log = folder / "worker-1.log", folder / "worker-2.log"
    began = time.monotonic()
    first = _worker(first_log, env)
    while not _started(first_log):
        if first.poll() is not None or time.monotonic() - began > 180:
            print(first_log.read_text()[-2000:])
            raise RuntimeError("the first worker started no job")
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = time.monotonic()
    in_flight = _started(first_log)
    done_at_kill = sum(asyncio.run(_proposals(database)).values())
    print(
        f"worker 1 SIGKILLed {killed_at - began:.2f}s after its start, mid-job "
        f"(jobs started: {len(in_flight)}, proposals recorded so far: {done_at_kill})"
    )

    second = _worker(second_log, env)
    retried_at: float | None = None
    finished_at: float | None = None
    killed_done_at: float | None = None
    killed_clients = {client_of[m] for m in in_flight if m in client_of}
    try:
        while time.monotonic() - killed_at < timeout_s:
            if retried_at is None and set(in_flight) & set(_started(second_log)):
                retried_at = time.monotonic()
                print(f"killed job retried by worker 2 after {retried_at - killed_at:.1f}s")
            counts = asyncio.run(_proposals(database))
            if killed_done_at is None and killed_clients and killed_clients <= set(counts):
                killed_done_at = time.monotonic()
                print(f"killed job completed by worker 2 after {killed_done_at - killed_at:.1f}s")
            if len(counts) == jobs and retried_at is not None:
                finished_at = time.monotonic()
                break
            time.sleep(0.5)
        time.sleep(2)  # anything still running twice would show up now
        counts = asyncio.run(_proposals(database))
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
        runtime.close()
        asyncio.run(database.dispose())

    twice = {name: n for name, n in counts.items() if n > 1}
    missing = jobs - len(counts)
    print(
        f"\njobs queued: {jobs}   completed once: {sum(1 for n in counts.values() if n == 1)}"
        f"   completed twice or more: {len(twice)}   never completed: {missing}"
    )
    starts = Counter(_started(first_log) + _started(second_log))
    print(
        f"job starts (all workers): {sum(starts.values())} for {len(starts)} messages; "
        f"started more than once: {sum(1 for n in starts.values() if n > 1)} (the killed one)"
    )
    if retried_at is not None:
        print(f"time from SIGKILL to the retry: {retried_at - killed_at:.1f}s")
    window_s = (settings.job_heartbeat_timeout_ms + settings.job_maintenance_interval_ms) / 1000
    print(
        f"tuned takeover window (heartbeat timeout + maintenance interval): {window_s:.1f}s; "
        "stock Dramatiq: 60 s + maintenance on a random 0.1% of commands"
    )
    if killed_done_at is not None:
        took = killed_done_at - killed_at
        print(f"time from SIGKILL to the killed job's completion: {took:.1f}s")
    if finished_at is not None:
        print(f"time from SIGKILL to every job done: {finished_at - killed_at:.1f}s")
    ok = not twice and missing == 0 and retried_at is not None and killed_done_at is not None
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--timeout-s", type=float, default=420.0)
    args = parser.parse_args()
    with private_redis() as redis, tempfile.TemporaryDirectory() as tmp:
        return drill(Path(tmp), redis.url, args.jobs, args.timeout_s)


if __name__ == "__main__":
    sys.exit(main())
