"""Two worker processes render the same booking order's documents at once: one renders, the
other waits on the deployment-wide lock and takes the first's documents (Redis lock, and the
PostgreSQL advisory lock without Redis).

The overlap is made certain, not left to timing: the first process pauses inside its render
until the second has found the lock busy (or, without the lock, has started rendering too).
The renders are counted by the generated file rows they store.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from salesbot.files.models import PURPOSE_GENERATED, FileRecord
from tests.api.booking_orders.conftest import World, act, to_hos_review
from tests.conftest import Stack

WAIT_S = 120.0  # a ceiling against a hang, never reached when the code is right


def _worker(role: str, bo_id: str, env: dict[str, str], rendering: Event, waiting: Event) -> None:
    """Run the `booking_orders.render` job as a worker process would."""
    os.environ.update(env)
    if "SALESBOT_REDIS_URL" not in env:
        os.environ.pop("SALESBOT_REDIS_URL", None)
    from salesbot.booking_orders import rendering as module
    from salesbot.booking_orders.tasks import render_documents
    from salesbot.kit import locks

    real_produce = module._produce

    async def produce(*args: Any, **kwargs: Any) -> Any:
        if role == "first":
            rendering.set()
            assert await asyncio.to_thread(waiting.wait, WAIT_S), "the second never came"
        else:
            waiting.set()  # rendering alongside the first: what the lock must prevent
        return await real_produce(*args, **kwargs)

    module._produce = produce
    if role == "second":
        assert rendering.wait(WAIT_S), "the first never started rendering"
        for kind in (locks.RedisLock, locks.AdvisoryLock):
            kind.acquire = _signalling(kind.acquire, waiting)  # type: ignore[method-assign]
    asyncio.run(render_documents(bo_id))


def _signalling(real: Any, waiting: Event) -> Any:
    async def acquire(self: Any, name: str, ttl_s: float) -> Any:
        held = await real(self, name, ttl_s)
        if held is None:
            waiting.set()  # busy: the first holds it
        return held

    return acquire


async def _generated(app: FastAPI) -> int:
    async with app.state.db.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(FileRecord)
            .where(FileRecord.purpose == PURPOSE_GENERATED)
        )
    return int(count or 0)


@pytest.mark.parametrize(
    ("stack", "with_redis"),
    [("postgres", True), ("postgres", False)],
    indirect=["stack"],
    ids=["redis-lock", "advisory-lock"],
)
async def test_two_processes_render_a_booking_order_once(
    client: httpx.AsyncClient, app: FastAPI, world: World, stack: Stack, with_redis: bool
) -> None:
    bo = await to_hos_review(client, world)
    approved = await act(client, world.hos, bo["id"], "approve")
    assert approved.status_code == 200, approved.text
    first_pdf = approved.json()["final_pdf_file"]["file_id"]
    before = await _generated(app)
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
    spawn = multiprocessing.get_context("spawn")
    rendering, waiting = spawn.Event(), spawn.Event()
    workers = [
        spawn.Process(target=_worker, args=(role, bo["id"], env, rendering, waiting))
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
    assert [w.exitcode for w in workers] == [0, 0]
    # One render's three documents (signed Excel, stamped original, final PDF), not two.
    assert await _generated(app) - before == 3
    after = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.hos.headers)
    body = after.json()
    assert body["final_pdf_file"]["file_id"] != first_pdf  # rendered again, once
