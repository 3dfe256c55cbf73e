"""Scheduled jobs: each tick runs once per deployment, whatever the number of instances.

Two `Scheduler` objects stand for two instances: each has its own database engine (its own
connections) and its own lock client, and they race for the same ticks.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from salesbot.jobs.models import JobRun
from salesbot.jobs.scheduler import (
    EPOCH,
    JobContext,
    Schedule,
    Scheduler,
    every,
    previous_fire_time,
    schedule_status,
)
from salesbot.kit.db import Database, make_engine
from salesbot.kit.locks import AdvisoryLock, DeploymentLock, Held, LocalLock, RedisLock
from salesbot.settings import Settings, crontab_trigger
from tests.conftest import REDIS_URL, Stack, make_settings


@dataclass
class Recorder:
    """What the job saw: one entry per execution, keyed by tick."""

    ticks: list[datetime] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event | None = None
    fail: bool = False

    async def __call__(self, ctx: JobContext) -> Mapping[str, Any]:
        self.ticks.append(ctx.scheduled_for)
        self.started.set()
        if self.release is not None:
            await self.release.wait()
        if self.fail:
            raise RuntimeError("the job broke")
        return {"runs": len(self.ticks)}


class NoLock(DeploymentLock):
    """Grants every request: leaves the run row as the only guard."""

    kind = "none"

    async def acquire(self, name: str, ttl_s: float) -> Held | None:
        class _Free(Held):
            async def release(self) -> None:
                return None

        return _Free()


def _lock(kind: str, db: Database) -> DeploymentLock:
    if kind == "redis":
        return RedisLock(REDIS_URL)
    if kind == "advisory":
        return AdvisoryLock(db.engine)
    if kind == "none":
        return NoLock()
    return LocalLock()


@dataclass
class Pair:
    first: Scheduler
    second: Scheduler
    recorder: Recorder
    settings: Settings


async def _pair(stack: Stack, settings: Settings, lock_kind: str, recorder: Recorder) -> Pair:
    schedule = Schedule("test.tick", every(60), recorder, "a test job", lock_ttl_s=30)
    made = []
    for instance in ("instance-a", "instance-b"):
        db = Database(make_engine(stack.database_url))
        made.append(
            Scheduler(settings, db, [schedule], lock=_lock(lock_kind, db), instance=instance)
        )
    return Pair(made[0], made[1], recorder, settings)


# Each database with the locks a deployment on it would use, plus no lock at all (the run row
# alone must still hold a tick to one run).
LOCKS = pytest.mark.parametrize(
    ("stack", "lock_kind"),
    [
        ("sqlite", "local"),
        ("sqlite", "none"),
        ("postgres", "redis"),
        ("postgres", "advisory"),
        ("postgres", "none"),
    ],
    indirect=["stack"],
)


@pytest.fixture
async def pair(stack: Stack, settings: Settings, lock_kind: str) -> AsyncIterator[Pair]:
    made = await _pair(stack, settings, lock_kind, Recorder())
    yield made
    for scheduler in (made.first, made.second):
        await scheduler.shutdown()
        await scheduler.db.dispose()


async def _rows(db: Database) -> list[JobRun]:
    async with db.sessions() as session:
        return list(await session.scalars(select(JobRun).order_by(JobRun.scheduled_for)))


def test_previous_fire_time_names_the_tick_alike_for_every_instance() -> None:
    hourly = crontab_trigger("15 * * * *")
    today = datetime.now(UTC).replace(hour=10, minute=14, second=59, microsecond=0)
    monday = today + timedelta(days=(7 - today.weekday()) % 7)  # the clock: a coming Monday
    assert previous_fire_time(hourly, monday) == monday.replace(hour=9, minute=15, second=0)
    tick = monday.replace(minute=15, second=0)
    assert previous_fire_time(hourly, monday + timedelta(seconds=1)) == tick
    # An instance whose clock is a few seconds late still names the same tick.
    assert previous_fire_time(hourly, monday + timedelta(seconds=4)) == tick
    # Crontab's weekday numbers: 0 and 7 are Sunday (APScheduler alone would read Monday).
    sunday_2am = (monday - timedelta(days=1)).replace(hour=2, minute=0, second=0)
    assert previous_fire_time(crontab_trigger("0 2 * * 0"), monday) == sunday_2am
    assert previous_fire_time(crontab_trigger("0 2 * * 7"), monday) == sunday_2am
    assert previous_fire_time(crontab_trigger("0 2 * * 1-5"), monday) == monday.replace(
        hour=2, minute=0, second=0
    )
    interval = IntervalTrigger(seconds=90, start_date=EPOCH, timezone=UTC)
    aligned = previous_fire_time(interval, monday)
    assert aligned is not None and aligned <= monday < aligned + timedelta(seconds=90)
    assert (aligned - EPOCH).total_seconds() % 90 == 0


@LOCKS
async def test_racing_instances_run_each_tick_once(pair: Pair) -> None:
    base = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    ticks = [base + timedelta(minutes=n) for n in range(5)]
    outcomes: list[str] = []
    for tick in ticks:
        now = tick + timedelta(seconds=1)
        outcomes += await asyncio.gather(
            pair.first.fire("test.tick", now), pair.second.fire("test.tick", now)
        )
    assert Counter(pair.recorder.ticks) == dict.fromkeys(ticks, 1)
    assert outcomes.count("succeeded") == len(ticks)
    skipped = [o for o in outcomes if o != "succeeded"]
    assert len(skipped) == len(ticks) and set(skipped) <= {"already_run", "busy"}
    rows = await _rows(pair.first.db)
    assert [r.scheduled_for for r in rows] == ticks
    assert all(r.status == "succeeded" and r.duration_ms is not None for r in rows)


@pytest.mark.parametrize(
    ("stack", "lock_kind"),
    [("sqlite", "local"), ("postgres", "redis"), ("postgres", "advisory")],
    indirect=["stack"],
)
async def test_a_tick_still_running_elsewhere_is_not_started_again(pair: Pair) -> None:
    pair.recorder.release = asyncio.Event()
    now = datetime.now(UTC)
    running = asyncio.create_task(pair.first.fire("test.tick", now))
    await pair.recorder.started.wait()
    # The second instance finds the deployment-wide lock taken.
    assert await pair.second.fire("test.tick", now) == "busy"
    pair.recorder.release.set()
    assert await running == "succeeded"
    # Afterwards the lock is free, but the tick is already claimed.
    assert await pair.second.fire("test.tick", now) == "already_run"
    assert len(pair.recorder.ticks) == 1


async def test_failure_is_recorded_and_listed(stack: Stack, settings: Settings) -> None:
    made = await _pair(stack, settings, "local", Recorder(fail=True))
    try:
        assert await made.first.fire("test.tick") == "failed"
        rows = await _rows(made.first.db)
        assert [(r.status, r.error_type, r.instance) for r in rows] == [
            ("failed", "RuntimeError", "instance-a")
        ]
        listed = await schedule_status(
            made.first.db, settings, list(made.first.schedules.values()), datetime.now(UTC)
        )
        assert listed[0].last_run is not None and listed[0].last_run.status == "failed"
        assert listed[0].next_run is not None and listed[0].next_run > datetime.now(UTC)
    finally:
        await made.first.shutdown()
        await made.second.shutdown()
        await made.first.db.dispose()
        await made.second.db.dispose()


async def test_run_left_running_by_a_dead_process_reads_interrupted(
    stack: Stack, settings: Settings
) -> None:
    made = await _pair(stack, settings, "local", Recorder())
    try:
        before = datetime.now(UTC) - timedelta(hours=2)
        async with made.first.db.sessions() as session:
            session.add(
                JobRun(
                    schedule="test.tick",
                    scheduled_for=before,
                    started_at=before,
                    status="running",
                    summary={},
                    instance="gone:1",
                )
            )
            await session.commit()
        assert await made.second.fire("test.tick") == "succeeded"
        statuses = [(r.instance, r.status) for r in await _rows(made.first.db)]
        assert statuses == [("gone:1", "interrupted"), ("instance-b", "succeeded")]
    finally:
        for scheduler in (made.first, made.second):
            await scheduler.shutdown()
            await scheduler.db.dispose()


async def test_apscheduler_timing_two_instances_one_run_per_tick(
    stack: Stack, settings: Settings
) -> None:
    """The real timer: two started schedulers, a one-second schedule, three ticks."""
    recorder = Recorder()
    schedule = Schedule("test.every_second", every(1), recorder, "fast test job", lock_ttl_s=30)
    lock_kind = "redis" if stack.redis_url else "local"
    schedulers = []
    for instance in ("instance-a", "instance-b"):
        db = Database(make_engine(stack.database_url))
        schedulers.append(
            Scheduler(settings, db, [schedule], lock=_lock(lock_kind, db), instance=instance)
        )
    try:
        for scheduler in schedulers:
            scheduler.start()
        deadline = asyncio.get_running_loop().time() + 60  # a ceiling against a hang only
        while len(set(recorder.ticks)) < 3 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
    finally:
        for scheduler in schedulers:
            await scheduler.shutdown()
    rows = await _rows(schedulers[0].db)
    for scheduler in schedulers:
        await scheduler.db.dispose()
    assert len(set(recorder.ticks)) >= 3
    assert max(Counter(recorder.ticks).values()) == 1
    assert len({r.scheduled_for for r in rows}) == len(rows) >= 3


def test_scheduler_is_off_under_tests_and_on_elsewhere(tmp_path: Any) -> None:
    stack = Stack("sqlite", "sqlite+aiosqlite:///unused.db", None)
    assert make_settings(stack, tmp_path).runs_scheduler is False
    assert make_settings(stack, tmp_path, environment="development").runs_scheduler is True
    assert make_settings(stack, tmp_path, scheduler_enabled=True).runs_scheduler is True


def test_backup_schedule_must_be_a_crontab_line(tmp_path: Any) -> None:
    stack = Stack("sqlite", "sqlite+aiosqlite:///unused.db", None)
    assert make_settings(stack, tmp_path, backup_schedule=" 0 2 * * * ").backup_schedule == (
        "0 2 * * *"
    )
    with pytest.raises(ValueError, match="crontab"):
        make_settings(stack, tmp_path, backup_schedule="every night")


async def test_the_app_times_the_registry_while_it_runs(tmp_path: Any) -> None:
    from salesbot.app import create_app
    from salesbot.migrations.runner import upgrade

    stack = Stack("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'app.db'}", None)
    await asyncio.to_thread(upgrade, stack.database_url)
    app = create_app(make_settings(stack, tmp_path / "data", scheduler_enabled=True))
    async with app.router.lifespan_context(app):
        scheduler: Scheduler = app.state.scheduler
        assert "sessions.purge_expired" in scheduler.triggers
        assert "backup" not in scheduler.triggers  # no SALESBOT_BACKUP_SCHEDULE
        assert scheduler._aps is not None and scheduler._aps.get_job("sessions.purge_expired")
    assert scheduler._aps is None


async def test_an_unreachable_lock_still_runs_each_tick_once(
    stack: Stack, settings: Settings
) -> None:
    """Redis down: the tick runs (maintenance must not stop) and the run row keeps it single."""
    recorder = Recorder()
    schedule = Schedule("test.tick", every(60), recorder, "a test job")
    schedulers = []
    for instance in ("instance-a", "instance-b"):
        db = Database(make_engine(stack.database_url))
        dead = RedisLock("redis://127.0.0.1:1/0")  # nothing listens on port 1
        schedulers.append(Scheduler(settings, db, [schedule], lock=dead, instance=instance))
    try:
        now = datetime.now(UTC)
        outcomes = await asyncio.gather(*(s.fire("test.tick", now) for s in schedulers))
    finally:
        for scheduler in schedulers:
            await scheduler.shutdown()
    rows = await _rows(schedulers[0].db)
    for scheduler in schedulers:
        await scheduler.db.dispose()
    assert sorted(outcomes) == ["already_run", "succeeded"]
    assert len(recorder.ticks) == 1 and len(rows) == 1
