"""Background jobs for booking orders (run by `salesbot worker`, or in-process without Redis)."""

from __future__ import annotations

import uuid

from salesbot.booking_orders.rendering import render_approved
from salesbot.booking_orders.views import Env
from salesbot.files.service import storage_from_settings
from salesbot.jobs import job, job_runtime
from salesbot.kit.db import Database, make_engine


class RenderRetry(RuntimeError):
    """The documents could not be produced for a passing reason; Dramatiq retries the job."""


@job("booking_orders.render", max_retries=5, time_limit_ms=300_000)
async def render_documents(bo_id: str) -> None:
    """Produce the approval documents of a booking order again (after a storage outage).

    Jobs run on their own event loop, possibly in another process: they build their own engine
    and storage from their process's settings (`job_settings`), like any job.
    """
    settings = job_runtime().job_settings
    database = Database(
        make_engine(
            settings.effective_database_url,
            pool_size=2,
            max_overflow=0,
            pooler=settings.database_pooler,
        )
    )
    env = Env(settings=settings, storage=storage_from_settings(settings))
    try:
        async with database.sessions() as session:
            outcome = await render_approved(session, env, uuid.UUID(bo_id))
    finally:
        await database.dispose()
    if outcome == "retry":
        raise RenderRetry("booking order documents could not be stored yet")
