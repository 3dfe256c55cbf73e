"""Two worker processes run the same job at once, with the overlap made certain.

The first pauses inside the work (`pause`, a coroutine function replaced in that process only)
until the second has either found the deployment-wide lock busy or started the same work
itself (what the lock must prevent). No timing is involved: each side waits on an event the
other sets. Used to prove a render happens once however many instances are asked for it.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import os
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from salesbot.files.models import PURPOSE_GENERATED, FileRecord

if TYPE_CHECKING:  # the racing processes import this module: keep them off the test stack
    from fastapi import FastAPI

    from tests.conftest import Stack

WAIT_S = 120.0  # a ceiling against a hang, never reached when the code is right


def worker_env(app: FastAPI, stack: Stack, with_redis: bool) -> dict[str, str]:
    """What a worker process reads its configuration from."""
    settings = app.state.settings
    env = {
        "SALESBOT_ENVIRONMENT": "test",
        "SALESBOT_DATABASE_URL": stack.database_url,
        "SALESBOT_DATA_DIR": str(Path(settings.data_dir).resolve()),
        "SALESBOT_SECRET_KEY": settings.secret_key.get_secret_value(),
        "SALESBOT_LOG_LEVEL": "WARNING",
    }
    if with_redis:
        assert stack.redis_url is not None
        env["SALESBOT_REDIS_URL"] = stack.redis_url
    return env


async def generated_files(app: FastAPI) -> int:
    """How many generated files are stored: a render (or composition) adds its own."""
    async with app.state.db.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(FileRecord)
            .where(FileRecord.purpose == PURPOSE_GENERATED)
        )
    return int(count or 0)


def _resolve(path: str) -> tuple[Any, str]:
    module, _, name = path.partition(":")
    return importlib.import_module(module), name


def _signalling(real: Any, waiting: Event) -> Any:
    async def acquire(self: Any, name: str, ttl_s: float) -> Any:
        held = await real(self, name, ttl_s)
        if held is None:
            waiting.set()  # busy: the first holds it
        return held

    return acquire


def _worker(
    role: str,
    job: str,
    args: tuple[Any, ...],
    pause: str,
    env: dict[str, str],
    message_id: str | None,
    working: Event,
    waiting: Event,
) -> None:
    os.environ.update(env)
    if "SALESBOT_REDIS_URL" not in env:
        os.environ.pop("SALESBOT_REDIS_URL", None)
    from salesbot.kit import locks

    module, name = _resolve(pause)
    real = getattr(module, name)

    async def paused(*args: Any, **kwargs: Any) -> Any:
        if role == "first":
            working.set()
            assert await asyncio.to_thread(waiting.wait, WAIT_S), "the second never came"
        else:
            waiting.set()  # working alongside the first
        return await real(*args, **kwargs)

    setattr(module, name, paused)
    if role == "second":
        assert working.wait(WAIT_S), "the first never started"
        for kind in (locks.RedisLock, locks.AdvisoryLock):
            kind.acquire = _signalling(kind.acquire, waiting)  # type: ignore[method-assign]
    if message_id is not None:
        # What Dramatiq's CurrentMessage middleware sets while a worker runs the message.
        from dramatiq import Message
        from dramatiq.middleware import CurrentMessage

        CurrentMessage._MESSAGE.set(
            Message(
                queue_name="default",
                actor_name=job,
                args=args,
                kwargs={},
                options={},
                message_id=message_id,
            )
        )
    job_module, job_name = _resolve(job)
    # As in a worker process: the job runtime (broker, progress board) is up while jobs run.
    from salesbot.jobs.runtime import start_jobs
    from salesbot.settings import Settings

    runtime = start_jobs(Settings(), in_process_worker=False)
    try:
        asyncio.run(getattr(job_module, job_name)(*args))
    finally:
        runtime.close()


async def race(
    job: str,
    args: tuple[Any, ...],
    pause: str,
    env: dict[str, str],
    *,
    message_id: str | None = None,
) -> list[int | None]:
    """Run `job(*args)` in two fresh processes, the second while the first is in `pause`
    (both as deliveries of the message `message_id` when given); their exit codes."""
    spawn = multiprocessing.get_context("spawn")
    working, waiting = spawn.Event(), spawn.Event()
    workers = [
        spawn.Process(
            target=_worker,
            args=(role, job, args, pause, env, message_id, working, waiting),
        )
        for role in ("first", "second")
    ]
    for worker in workers:
        worker.start()
    try:
        for worker in workers:
            await asyncio.to_thread(worker.join, WAIT_S * 2)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
    return [worker.exitcode for worker in workers]
