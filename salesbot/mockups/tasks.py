"""Background mockups: `mockups.generate` makes a queued mockup when the request found no free slot.

The job runs with its process's settings (the app's or the worker's, `job_settings`), opens its own
database engine (jobs run on their own event loop), waits for one of this process's
composition slots and reports progress on the `mockups` row, where the requester polls it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from dramatiq.middleware import CurrentMessage

from salesbot.files.service import storage_from_settings
from salesbot.jobs import job, job_runtime
from salesbot.kit.db import Database, make_engine
from salesbot.kit.errors import NotFound
from salesbot.kit.lazy import lazy_module
from salesbot.kit.logging import get_logger
from salesbot.mockups.errors import UNEXPECTED, MockupRejected
from salesbot.mockups.slots import composition_slots

if TYPE_CHECKING:
    from salesbot.mockups import generation
else:
    # numpy and OpenCV load with the first mockup, not at start-up.
    generation = lazy_module("salesbot.mockups.generation")

log = get_logger(__name__)

MAX_RETRIES = 2


def _attempts_left() -> bool:
    message = CurrentMessage.get_current_message()
    retries = int(message.options.get("retries", 0)) if message is not None else MAX_RETRIES
    return retries < MAX_RETRIES


@job("mockups.generate", queue="default", max_retries=MAX_RETRIES)
async def generate_mockup(mockup_id: str) -> str | None:
    """Make the queued mockup `mockup_id`; its output file id, or None when it was refused."""
    settings = job_runtime().job_settings
    database = Database(
        make_engine(settings.effective_database_url, pooler=settings.database_pooler)
    )
    storage = storage_from_settings(settings)
    slots = composition_slots(settings.mockup_concurrency)
    target = uuid.UUID(mockup_id)

    async def progress(percent: int, message: str) -> None:
        log.info("mockup_progress", mockup_id=mockup_id, percent=percent, message=message)

    try:
        # Half the job's time limit at most, so the work itself still fits in it.
        await slots.wait(settings.job_time_limit_ms / 2000)
        try:
            async with database.sessions() as session:
                mockup = await generation.run_mockup(
                    session, storage, settings, target, progress=progress
                )
                return str(mockup.output_file_id)
        finally:
            slots.release()
    except MockupRejected as exc:
        # Already recorded on the row; retrying cannot change the answer.
        log.info("mockup_refused", mockup_id=mockup_id, reason=exc.message)
        return None
    except NotFound:
        log.info("mockup_gone", mockup_id=mockup_id)  # deleted meanwhile (e.g. its owner erased)
        return None
    except Exception:
        async with database.sessions() as session:
            if _attempts_left():
                await generation.mark_retrying(session, target)
            else:
                await generation.mark_failed(session, target, UNEXPECTED)
        raise
    finally:
        await database.dispose()
