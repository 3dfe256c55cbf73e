"""One deployment instance for the two-process scheduler race (run by test_scheduler_processes).

`python -m tests.unit.jobs.scheduler_child DATABASE_URL REDIS_URL|- DATA_DIR MARKER`: imports
everything, prints `ready`, reads the due time (ISO) from stdin, then times one schedule due at
that moment with the real `Scheduler` (APScheduler, the lock `choose_lock` picks for these
settings) and prints `outcome <what fire returned>` before it exits.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from apscheduler.triggers.date import DateTrigger

from salesbot.jobs.scheduler import JobContext, Outcome, Schedule, Scheduler
from salesbot.kit.db import Database, make_engine
from salesbot.settings import Settings

HOLD_S = 1.5  # the job outlasts any gap between the two processes' timers


class Reporting(Scheduler):
    async def fire(self, name: str, now: datetime | None = None) -> Outcome:
        outcome = await super().fire(name, now)
        print(f"outcome {outcome}", flush=True)
        return outcome


def _job(marker: Path) -> Any:
    async def run(ctx: JobContext) -> Mapping[str, Any]:
        with marker.open("a") as fh:  # O_APPEND: concurrent lines never interleave
            fh.write(f"{os.getpid()}\n")
        await asyncio.sleep(HOLD_S)
        return {"pid": os.getpid()}

    return run


async def main(database_url: str, redis_url: str | None, data_dir: Path, marker: Path) -> None:
    settings = Settings(
        _env_file=None,
        environment="test",
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
    )
    db = Database(make_engine(database_url))
    print("ready", flush=True)
    due = datetime.fromisoformat((await asyncio.to_thread(sys.stdin.readline)).strip())
    trigger = DateTrigger(run_date=due)
    schedule = Schedule("race.once", lambda _s: trigger, _job(marker), "due once", lock_ttl_s=30)
    scheduler = Reporting(settings, db, [schedule])
    print(f"lock {scheduler.lock.kind} instance {scheduler.instance}", flush=True)
    scheduler.start()
    wait = (due - datetime.now(due.tzinfo)).total_seconds() + HOLD_S + 3
    await asyncio.sleep(max(wait, 0))
    await scheduler.shutdown()
    await db.dispose()


if __name__ == "__main__":
    url, redis, data, mark = sys.argv[1:5]
    asyncio.run(main(url, None if redis == "-" else redis, Path(data), Path(mark)))
