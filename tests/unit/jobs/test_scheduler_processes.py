"""Two OS processes, each timing the same schedule on one PostgreSQL (and Redis): a job due once
runs exactly once. The in-process races in test_scheduler.py share one interpreter; here each
instance has its own interpreter, event loop, APScheduler, connections and lock client."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from salesbot.jobs.models import JobRun
from salesbot.kit.db import Database, make_engine
from tests.conftest import Stack

ROOT = Path(__file__).resolve().parents[3]


def _start(stack: Stack, redis_url: str | None, data: Path, marker: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.unit.jobs.scheduler_child",
            stack.database_url,
            redis_url or "-",
            str(data),
            str(marker),
        ],
        cwd=ROOT,
        env={**os.environ, "SALESBOT_LOG_LEVEL": "WARNING"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    ("stack", "with_redis"),
    [("postgres", True), ("postgres", False)],
    indirect=["stack"],
    ids=["redis-lock", "advisory-lock"],
)
async def test_two_processes_run_a_job_due_once_exactly_once(
    stack: Stack, with_redis: bool, tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    redis_url = stack.redis_url if with_redis else None
    children = [_start(stack, redis_url, tmp_path / f"data{n}", marker) for n in (1, 2)]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        # Both are up: the job falls due a moment from now, at the same instant for each.
        due = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
        for child in children:
            assert child.stdin is not None
            child.stdin.write(due + "\n")
            child.stdin.flush()
        outputs = [child.communicate(timeout=90) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    lines = [out.splitlines() for out, _ in outputs]
    lock_kind = "redis" if with_redis else "postgres"
    assert all(f"lock {lock_kind} instance" in "\n".join(out) for out in lines)
    outcomes = sorted(
        line.split()[1] for out in lines for line in out if line.startswith("outcome")
    )
    # Both fired; one ran it, the other found it running elsewhere (or already run).
    assert len(outcomes) == 2 and outcomes.count("succeeded") == 1, outcomes
    assert set(outcomes) - {"succeeded"} <= {"busy", "already_run"}
    ran = marker.read_text().split()
    assert len(ran) == 1
    db = Database(make_engine(stack.database_url))
    try:
        async with db.sessions() as session:
            runs = (
                await session.scalars(select(JobRun).where(JobRun.schedule == "race.once"))
            ).all()
    finally:
        await db.dispose()
    assert [(r.status, r.summary) for r in runs] == [("succeeded", {"pid": int(ran[0])})]
    assert runs[0].instance.endswith(f":{ran[0]}")
