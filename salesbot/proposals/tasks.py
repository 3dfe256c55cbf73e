"""Background rendering: `proposals.render` produces and records a proposal on a worker.

The job reads its configuration from the environment like any worker process, opens its own
database engine (jobs run on their own event loop) and reports progress as log events.
"""

from __future__ import annotations

import uuid
from typing import Any

from salesbot.auth.service import principal_for
from salesbot.files.service import storage_from_settings
from salesbot.jobs import job
from salesbot.jobs.once import once_per_message
from salesbot.kit.db import Database, make_engine
from salesbot.kit.errors import AppError
from salesbot.kit.logging import get_logger
from salesbot.proposals import service
from salesbot.settings import Settings
from salesbot.users import service as users

log = get_logger(__name__)


@job("proposals.render", queue="default", max_retries=2)
async def render_proposal(
    owner_id: str, request: dict[str, Any], previous_id: str | None = None
) -> str | None:
    """Produce the proposal `request` (the API's JSON body) for `owner_id`; its id, or None.

    A request the rules refuse is logged and dropped (retrying cannot fix it); other failures
    are retried with backoff and end in the dead-letter queue. A message delivered again (its
    worker looked gone) returns the proposal the first delivery made instead of a second one.
    """
    settings = Settings()
    database = Database(
        make_engine(settings.effective_database_url, pooler=settings.database_pooler)
    )

    async def work() -> str | None:
        return await _render(settings, database, owner_id, request, previous_id)

    try:
        return await once_per_message(
            settings.redis_dsn, database.engine, work, ttl_s=settings.job_time_limit_ms / 1000
        )
    finally:
        await database.dispose()


async def _render(
    settings: Settings,
    database: Database,
    owner_id: str,
    request: dict[str, Any],
    previous_id: str | None,
) -> str | None:
    storage = storage_from_settings(settings)

    async def progress(percent: int, message: str) -> None:
        log.info("proposal_render_progress", percent=percent, message=message)

    try:
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
            )
            return str(proposal.id)
    except AppError as exc:
        log.warning("proposal_render_refused", code=exc.code, reason=exc.message)
        return None
