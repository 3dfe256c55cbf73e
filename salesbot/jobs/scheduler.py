"""Periodic jobs: APScheduler 3 times them, each tick runs once per deployment.

Every instance runs the same `Scheduler`; when a schedule fires, the instance
1. takes the schedule's deployment-wide lock (`kit.locks`: Redis, PostgreSQL advisory or
   in-process) without waiting — busy means another instance is running it, so this one skips;
2. claims the tick by inserting its `job_runs` row: (schedule, scheduled_for) is unique, so an
   instance whose clock is a little late, or that finds the lock free after the first finished,
   sees the tick already taken and skips;
3. runs the job and records the outcome and duration on that row.

A tick is the trigger's latest fire time not after now, so every instance names it alike.
Schedules are declared in one registry (`salesbot.ops.schedules.SCHEDULES`).
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from salesbot.jobs.models import JobRun
from salesbot.kit.db import Database, utcnow
from salesbot.kit.locks import DeploymentLock, Held, choose_lock
from salesbot.kit.logging import get_logger
from salesbot.settings import Settings, crontab_trigger

log = get_logger("salesbot.scheduler")

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
RUN_HISTORY = timedelta(days=90)


@dataclass(frozen=True)
class JobContext:
    """What a scheduled job gets: the settings, the database, and the tick it runs for."""

    settings: Settings
    db: Database
    scheduled_for: datetime


JobFn = Callable[[JobContext], Awaitable[Mapping[str, Any] | None]]
TriggerFactory = Callable[[Settings], BaseTrigger | None]


@dataclass(frozen=True)
class Schedule:
    """One entry of the registry: a name, when (None = off under these settings), what."""

    name: str
    trigger: TriggerFactory
    run: JobFn
    description: str
    # How long the deployment-wide lock may be held before it expires (Redis only).
    lock_ttl_s: float = 3600.0


def cron(expression: str) -> TriggerFactory:
    """A crontab line (minute hour day month weekday), in UTC."""
    trigger = crontab_trigger(expression)
    return lambda _settings: trigger


def every(seconds: int) -> TriggerFactory:
    """Every `seconds`, aligned to a fixed epoch so every instance computes the same ticks."""
    trigger = IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone=UTC)
    return lambda _settings: trigger


def cron_setting(read: Callable[[Settings], str | None]) -> TriggerFactory:
    """A crontab line taken from a setting; unset turns the schedule off."""

    def factory(settings: Settings) -> BaseTrigger | None:
        expression = read(settings)
        return crontab_trigger(expression) if expression else None

    return factory


def previous_fire_time(trigger: BaseTrigger, now: datetime) -> datetime | None:
    """The trigger's latest fire time not after `now` (None if it never fired)."""
    lookback = timedelta(seconds=1)
    while lookback <= timedelta(days=800):
        first: datetime | None = trigger.get_next_fire_time(None, now - lookback)
        if first is not None and first <= now:
            latest = first
            while True:
                following: datetime | None = trigger.get_next_fire_time(
                    latest, latest + timedelta(microseconds=1)
                )
                if following is None or following > now:
                    return latest.astimezone(UTC)
                latest = following
        lookback *= 2
    return None


def next_fire_time(trigger: BaseTrigger, now: datetime) -> datetime | None:
    fire: datetime | None = trigger.get_next_fire_time(None, now)
    return fire.astimezone(UTC) if fire is not None else None


Outcome = Literal["succeeded", "failed", "busy", "already_run"]


def _instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


class Scheduler:
    """Times the registry's schedules on this event loop and runs each tick once per deployment."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        schedules: Sequence[Schedule],
        *,
        lock: DeploymentLock | None = None,
        instance: str | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.lock = lock or choose_lock(settings.redis_dsn, db.engine)
        self.instance = instance or _instance_name()
        self.schedules = {s.name: s for s in schedules}
        self.triggers = {
            s.name: trigger for s in schedules if (trigger := s.trigger(settings)) is not None
        }
        self._aps: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[Any]] = set()

    def start(self) -> None:
        """Start timing on the running loop (a late tick within 10 minutes still runs, once)."""
        aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
        )
        for name, trigger in self.triggers.items():
            aps.add_job(self.fire, trigger=trigger, args=[name], id=name, name=name)
        aps.start()
        self._aps = aps
        log.info("scheduler_started", schedules=sorted(self.triggers), lock=self.lock.kind)

    async def shutdown(self) -> None:
        """Stop timing, cancel runs in progress (their rows read `interrupted` later)."""
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
            self._aps = None
        for task in list(self._running):
            task.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        await self.lock.close()

    async def fire(self, name: str, now: datetime | None = None) -> Outcome:
        """Run the tick of `name` that is due at `now` (what APScheduler calls)."""
        now = now or utcnow()
        tick = previous_fire_time(self.triggers[name], now) or now
        return await self.run_tick(name, tick)

    async def run_now(self, name: str) -> Outcome:
        """Run a schedule at once, as its own tick (the CLI's `jobs run`)."""
        if name not in self.schedules:
            raise KeyError(name)
        return await self.run_tick(name, utcnow())

    async def run_tick(self, name: str, tick: datetime) -> Outcome:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            return await self._locked_run(self.schedules[name], tick)
        finally:
            if task is not None:
                self._running.discard(task)

    async def _locked_run(self, schedule: Schedule, tick: datetime) -> Outcome:
        held: Held | None
        locked = True
        try:
            held = await self.lock.acquire(f"schedule:{schedule.name}", schedule.lock_ttl_s)
        except Exception as exc:
            # The run row alone still keeps the tick to one run; only overlap goes unguarded.
            log.warning(
                "schedule_lock_unavailable", schedule=schedule.name, error_type=type(exc).__name__
            )
            held, locked = None, False
        if locked and held is None:
            log.info("schedule_skipped", schedule=schedule.name, reason="running elsewhere")
            return "busy"
        try:
            run_id = await self._claim(schedule.name, tick, mark_stale=locked)
            if run_id is None:
                log.info("schedule_skipped", schedule=schedule.name, reason="tick already run")
                return "already_run"
            return await self._run(schedule, tick, run_id)
        finally:
            if held is not None:
                await held.release()

    async def _claim(self, name: str, tick: datetime, *, mark_stale: bool) -> Any:
        now = utcnow()
        async with self.db.sessions() as session:
            if mark_stale:
                # We hold the deployment-wide lock: a row still `running` lost its process.
                await session.execute(
                    update(JobRun)
                    .where(JobRun.schedule == name, JobRun.status == "running")
                    .values(status="interrupted", finished_at=now)
                )
            row = JobRun(
                schedule=name,
                scheduled_for=tick,
                started_at=now,
                status="running",
                summary={},
                instance=self.instance,
            )
            session.add(row)
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                return None
            return row.id

    async def _run(self, schedule: Schedule, tick: datetime, run_id: Any) -> Outcome:
        started = time.monotonic()
        log.info("schedule_started", schedule=schedule.name, tick=tick.isoformat())
        summary: Mapping[str, Any] | None = None
        error_type: str | None = None
        try:
            summary = await schedule.run(JobContext(self.settings, self.db, tick))
        except Exception as exc:
            error_type = type(exc).__name__
            log.error(
                "schedule_failed", schedule=schedule.name, error_type=error_type, exc_info=True
            )
        duration_ms = int((time.monotonic() - started) * 1000)
        status: Outcome = "failed" if error_type else "succeeded"
        now = utcnow()
        async with self.db.sessions() as session:
            await session.execute(
                update(JobRun)
                .where(JobRun.id == run_id)
                .values(
                    status=status,
                    finished_at=now,
                    duration_ms=duration_ms,
                    summary=dict(summary or {}),
                    error_type=error_type,
                )
            )
            await session.execute(
                delete(JobRun).where(
                    JobRun.schedule == schedule.name, JobRun.started_at < now - RUN_HISTORY
                )
            )
            await session.commit()
        log.info(
            "schedule_finished", schedule=schedule.name, status=status, duration_ms=duration_ms
        )
        return status


@dataclass(frozen=True)
class ScheduleStatus:
    name: str
    description: str
    trigger: str
    next_run: datetime | None
    last_run: JobRun | None


async def schedule_status(
    db: Database, settings: Settings, schedules: Sequence[Schedule], now: datetime
) -> list[ScheduleStatus]:
    """Each schedule with its next tick and its latest recorded run."""
    result: list[ScheduleStatus] = []
    async with db.sessions() as session:
        for schedule in schedules:
            trigger = schedule.trigger(settings)
            last = await session.scalar(
                select(JobRun)
                .where(JobRun.schedule == schedule.name)
                .order_by(JobRun.started_at.desc())
                .limit(1)
            )
            result.append(
                ScheduleStatus(
                    name=schedule.name,
                    description=schedule.description,
                    trigger=str(trigger) if trigger is not None else "off",
                    next_run=next_fire_time(trigger, now) if trigger is not None else None,
                    last_run=last,
                )
            )
    return result
