"""Mockups' front door: make a mockup now or queue it, follow it, and the caller's history.

Compositing is CPU-bound and memory-hungry, so it runs in a worker thread and at most
`SALESBOT_MOCKUP_CONCURRENCY` run at once per process (`slots.CompositionSlots`). A request
that finds every slot busy becomes a job; the `mockups` row is its progress report, so any
instance can answer "how far is it?". Photos and frames are in `photos.py`, creatives in
`creatives.py`, the work itself in `generation.py`. `UNEXPECTED`, `MockupRejected` and
`slots_of` are re-exported (`import x as x`) for the assistant tool, which uses this module only.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.files import service as files
from salesbot.kit.errors import NotFound
from salesbot.kit.logging import get_logger
from salesbot.kit.pagination import cursor_id, encode_cursor
from salesbot.kit.redis import RedisFacade
from salesbot.kit.storage import Storage
from salesbot.mockups import repository
from salesbot.mockups.access import READER
from salesbot.mockups.errors import MOCKUP_NOT_FOUND
from salesbot.mockups.errors import UNEXPECTED as UNEXPECTED
from salesbot.mockups.errors import MockupRejected as MockupRejected
from salesbot.mockups.generation import Progress, mark_failed, quiet, request_mockup, run_mockup
from salesbot.mockups.images import ImageProvider
from salesbot.mockups.memory import CreativeMemory
from salesbot.mockups.models import Mockup
from salesbot.mockups.presenters import mockup_out
from salesbot.mockups.schemas import MockupCreate, MockupOut
from salesbot.mockups.slots import CompositionSlots
from salesbot.mockups.slots import slots_of as slots_of
from salesbot.settings import Settings

log = get_logger(__name__)

Enqueue = Callable[..., Awaitable[str]]


def memory_of(state: Any) -> CreativeMemory:
    """The app's creative memory (made on first use; tests may put one with a fake clock)."""
    memory = getattr(state, "mockup_memory", None)
    if isinstance(memory, CreativeMemory):
        return memory
    redis: RedisFacade = state.redis
    memory = CreativeMemory(redis)
    state.mockup_memory = memory
    return memory


async def create_mockup(
    session: AsyncSession,
    storage: Storage,
    principal: Principal,
    body: MockupCreate,
    *,
    settings: Settings,
    memory: CreativeMemory,
    slots: CompositionSlots,
    enqueue: Enqueue,
    progress: Progress = quiet,
    provider: ImageProvider | None = None,
    rng: random.Random | None = None,
) -> Mockup:
    """Make the mockup now when a composition slot is free, else queue it as a job.

    The returned row is `done` (or `failed`) when made here, `queued` when a job will make it.
    """
    mockup = await request_mockup(
        session, principal, body, memory=memory, settings=settings, rng=rng
    )
    if not slots.try_acquire():
        await enqueue("mockups.generate", str(mockup.id))
        log.info("mockup_queued", mockup_id=str(mockup.id))
        return mockup
    try:
        return await run_mockup(
            session, storage, settings, mockup.id, progress=progress, provider=provider
        )
    except MockupRejected:
        raise
    except BaseException:
        # The row must not stay "running" for ever (also when the client went away); the
        # error itself is handled above us.
        with anyio.CancelScope(shield=True):
            await mark_failed(session, mockup.id, UNEXPECTED)
        raise
    finally:
        slots.release()


# --- following and history -----------------------------------------------------------------------


async def to_out(session: AsyncSession, mockup: Mockup) -> MockupOut:
    """The mockup as the API shows it, with its image's card once there is one."""
    if mockup.output_file_id is None:
        return mockup_out(mockup, None)
    try:
        record = await files.get_for(session, READER, mockup.output_file_id)
    except NotFound:
        return mockup_out(mockup, None)
    return mockup_out(mockup, files.file_card(record))


def _visible(principal: Principal, mockup: Mockup | None) -> Mockup:
    if mockup is None:
        raise NotFound(MOCKUP_NOT_FOUND)
    if mockup.owner_id != principal.user_id and not any(g.role == "admin" for g in principal.roles):
        raise NotFound(MOCKUP_NOT_FOUND)
    return mockup


async def get_mockup(session: AsyncSession, principal: Principal, mockup_id: uuid.UUID) -> Mockup:
    """A mockup its owner (or an admin) may see; NotFound for anyone else."""
    return _visible(principal, await repository.get_mockup(session, mockup_id))


async def list_mockups(
    session: AsyncSession, principal: Principal, *, cursor: str | None, limit: int
) -> tuple[list[MockupOut], str | None]:
    """The caller's mockups, newest first, and the next page's cursor."""
    before_id = cursor_id(cursor, "id")
    rows = await repository.mockups_of(
        session, principal.user_id, before_id=before_id, limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    outs = [await to_out(session, row) for row in rows]
    return outs, encode_cursor({"id": str(rows[-1].id)}) if more and rows else None


async def wait_for(
    session: AsyncSession,
    mockup: Mockup,
    progress: Progress,
    *,
    timeout_s: float,
    poll_s: float = 0.5,
) -> Mockup:
    """Follow a queued mockup's row until it is done or failed, passing its progress on."""
    last: tuple[int, str | None] = (-1, None)
    with anyio.move_on_after(timeout_s):
        while True:
            fresh = await repository.get_mockup(session, mockup.id)
            await session.commit()
            if fresh is None:
                raise NotFound(MOCKUP_NOT_FOUND)
            mockup = fresh
            if (mockup.progress, mockup.message) != last:
                last = (mockup.progress, mockup.message)
                await progress(mockup.progress, mockup.message or "")
            if mockup.status in ("done", "failed"):
                return mockup
            await anyio.sleep(poll_s)
    return mockup
