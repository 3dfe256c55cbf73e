"""Background rendering: `proposals.render` produces and records a proposal on a worker.

The job runs with its worker's settings (the app's own with the in-process worker), opens its
own database engine (jobs run on their own event loop) and, given a tracking key, reports each
step and its outcome on the progress board, where the request that queued it follows it.
"""

from __future__ import annotations

import uuid
from typing import Any

from dramatiq.middleware import CurrentMessage

from salesbot.auth.service import principal_for
from salesbot.files.service import storage_from_settings
from salesbot.jobs import job, job_runtime
from salesbot.jobs.once import once_per_message
from salesbot.jobs.progress import Progress, Tracker, error_of
from salesbot.kit.db import Database, make_engine
from salesbot.kit.errors import AppError
from salesbot.kit.logging import get_logger
from salesbot.proposals import service
from salesbot.settings import Settings
from salesbot.users import service as users

log = get_logger(__name__)

MAX_RETRIES = 2
UNEXPECTED = {
    "status": 500,
    "code": "render_failed",
    "message": "The proposal could not be produced; please try again.",
    "details": None,
}


def _attempts_left() -> bool:
    message = CurrentMessage.get_current_message()
    retries = int(message.options.get("retries", 0)) if message is not None else MAX_RETRIES
    return retries < MAX_RETRIES


async def _produce(
    settings: Settings,
    owner_id: str,
    request: dict[str, Any],
    previous_id: str | None,
    progress: Progress,
    conversation_id: str | None = None,
) -> str | None:
    """Produce and record the proposal on this job's own engine (jobs have their own loop).

    A message delivered again (its worker looked gone) returns the proposal the first delivery
    made instead of making a second one.
    """
    database = Database(
        make_engine(settings.effective_database_url, pooler=settings.database_pooler)
    )

    async def work() -> str | None:
        return await _record(
            settings, database, owner_id, request, previous_id, progress, conversation_id
        )

    try:
        return await once_per_message(
            settings.redis_dsn, database.engine, work, ttl_s=settings.job_time_limit_ms / 1000
        )
    finally:
        await database.dispose()


async def _record(
    settings: Settings,
    database: Database,
    owner_id: str,
    request: dict[str, Any],
    previous_id: str | None,
    progress: Progress,
    conversation_id: str | None,
) -> str:
    storage = storage_from_settings(settings)
    async with database.sessions() as session:
        user = await users.get_user(session, uuid.UUID(owner_id))
        principal = principal_for(user, "job")
        data = service.parse_input(request)
        previous = None
        if previous_id is not None:
            previous = await service.get_proposal(session, principal, uuid.UUID(previous_id))
        proposal = await service.create_proposal(
            session,
            storage,
            principal,
            data,
            settings=settings,
            progress=progress,
            previous=previous,
            conversation_id=uuid.UUID(conversation_id) if conversation_id else None,
        )
        return str(proposal.id)


@job("proposals.render", queue="default", max_retries=MAX_RETRIES)
async def render_proposal(
    owner_id: str,
    request: dict[str, Any],
    previous_id: str | None = None,
    tracking: str | None = None,
    conversation_id: str | None = None,
) -> str | None:
    """Produce the proposal `request` (the API's JSON body) for `owner_id`; its id, or None.

    A request the rules refuse is logged and dropped (retrying cannot fix it); other failures
    are retried with backoff and end in the dead-letter queue.
    """
    runtime = job_runtime()
    seen = await runtime.board.aread(tracking) if tracking else None
    if seen is not None and seen.status == "done" and seen.result:
        return str(seen.result["proposal_id"])  # a redelivery after it was recorded
    tracker = Tracker(runtime.board, tracking, seen) if tracking else None
    settings = runtime.job_settings

    async def progress(percent: int, message: str) -> None:
        log.info("proposal_render_progress", percent=percent, message=message)
        if tracker is not None:
            await tracker.step(percent, message)

    try:
        proposal_id = await _produce(
            settings, owner_id, request, previous_id, progress, conversation_id
        )
        if tracker is not None:
            await tracker.done({"proposal_id": proposal_id})
        return proposal_id
    except AppError as exc:
        log.warning("proposal_render_refused", code=exc.code, reason=exc.message)
        if tracker is not None:
            await tracker.failed(error_of(exc))
        return None
    except Exception:
        if tracker is not None:
            if _attempts_left():
                await tracker.step(tracker.percent, "Something went wrong; trying again…")
            else:
                await tracker.failed(UNEXPECTED)
        raise
