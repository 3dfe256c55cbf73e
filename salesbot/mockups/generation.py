"""Making mockups: recording a request (photo chosen, creatives remembered), then the work:
creatives, composition in a worker thread, the stored image; the row reports progress."""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Literal, cast

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.files import service as files
from salesbot.kit import locks
from salesbot.kit.db import engine_of, utcnow
from salesbot.kit.errors import AppError, NotFound
from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import counter
from salesbot.kit.storage import Storage
from salesbot.kit.tracing import traced
from salesbot.mockups import (
    compositor,
    creatives,
    photos,
    places,
    poster,
    repository,
    selection,
)
from salesbot.mockups.access import READER
from salesbot.mockups.errors import MOCKUP_NOT_FOUND, MockupRejected
from salesbot.mockups.frames import Frame
from salesbot.mockups.images import ImageProvider
from salesbot.mockups.memory import CreativeMemory
from salesbot.mockups.models import Mockup, MockupPhoto
from salesbot.mockups.raster import CompositeError, TimeOfDay
from salesbot.mockups.schemas import MockupCreate
from salesbot.settings import Settings

log = get_logger(__name__)

MOCKUPS_PRODUCED = counter("salesbot_mockups_produced_total", "Mockups produced")

Progress = Callable[[int, str], Awaitable[None]]


async def quiet(percent: int, message: str) -> None:
    return None


# --- the request ---------------------------------------------------------------------------------


def _pick(
    candidates: Sequence[MockupPhoto], body: MockupCreate, count: int, rng: random.Random
) -> MockupPhoto:
    if body.photo_id is not None:
        chosen = next((p for p in candidates if p.id == body.photo_id), None)
        if chosen is None:
            raise NotFound("That photo is not one of this location's mockup photos.")
        if not selection.qualifies(chosen.frame_count, count):
            raise selection.FrameCountError(
                selection.frame_count_message([chosen.frame_count], count)
            )
        return chosen
    return selection.choose_photo(
        candidates, count, rng, time_of_day=body.time_of_day, finish=body.finish, name=body.photo
    )


async def request_mockup(
    session: AsyncSession,
    principal: Principal,
    body: MockupCreate,
    *,
    memory: CreativeMemory,
    settings: Settings,
    rng: random.Random | None = None,
) -> Mockup:
    """Check the request, choose the photo and record a queued mockup; remembers the creatives."""
    place = await places.resolve(session, body.location)
    chosen = await creatives.for_request(session, principal, body, memory, settings)
    candidates = await repository.photos(session, [place.id])
    try:
        photo = _pick(candidates, body, chosen.count, rng or random.Random())
    except selection.PhotoSelectionError as exc:
        code = "frame_count" if isinstance(exc, selection.FrameCountError) else "no_photo"
        raise MockupRejected(str(exc), code=code) from None
    mockup = Mockup(
        owner_id=principal.user_id,
        location_id=place.id,
        location_key=place.key,
        location_name=place.display_name,
        photo_id=photo.id,
        photo_name=photo.name,
        time_of_day=photo.time_of_day,
        finish=photo.finish,
        creative_source=chosen.source,
        creative_file_ids=[str(f) for f in chosen.file_ids],
        prompt=chosen.prompt,
        output_format=body.format,
        status="queued",
        progress=0,
        message="Waiting to start",
    )
    session.add(mockup)
    await session.commit()
    await memory.remember(
        principal.user_id,
        mockup.id,
        chosen.file_ids if chosen.source == "upload" else (),
        chosen.prompt,
    )
    log.info("mockup_requested", mockup_id=str(mockup.id), location=place.key, photo=photo.name)
    return mockup


# --- the work ------------------------------------------------------------------------------------


async def _set(
    session: AsyncSession, mockup: Mockup, progress: Progress, percent: int, message: str
) -> None:
    mockup.progress = percent
    mockup.message = message
    await session.commit()
    await progress(percent, message)


def _compose(
    photo_data: bytes,
    frames: Sequence[Frame],
    creative_data: Sequence[bytes],
    time_of_day: str,
    fmt: Literal["jpeg", "png"],
    max_pixels: int,
) -> bytes:
    """Decode, place and encode in one thread call, so each big array is freed when done."""
    photo = photos.decode_photo(photo_data, max_pixels)
    decoded = [creatives.decode_creative(data, max_pixels) for data in creative_data]
    assigned = selection.assign_creatives(len(frames), decoded)
    jobs = [(f.points, f.settings, c) for f, c in zip(frames, assigned, strict=True)]
    # Painted in place: the decoded photo is the only full-size image ever held.
    result = compositor.composite(photo, jobs, cast(TimeOfDay, time_of_day), in_place=True)
    del photo, decoded, assigned, jobs
    return compositor.encode(result, fmt)


async def _photo_and_frames(
    session: AsyncSession, storage: Storage, mockup: Mockup
) -> tuple[bytes, list[Frame]]:
    if mockup.photo_id is None:
        raise MockupRejected("The photo for this mockup was deleted; please ask again.")
    photo, _ = await photos.get_photo(session, mockup.photo_id)
    frames = photos.saved_frames(photo)
    if not frames:
        raise MockupRejected("This photo has no frames marked any more; please ask again.")
    return await photos.photo_bytes(session, storage, photo), frames


@traced("render mockup")
async def _make(
    session: AsyncSession,
    storage: Storage,
    settings: Settings,
    mockup: Mockup,
    report: Progress,
    provider: ImageProvider | None,
) -> files.StoredFile:
    """The mockup's image, stored as its owner's file."""
    await report(5, "Reading the photo")
    photo_data, frames = await _photo_and_frames(session, storage, mockup)
    creative_data = await creatives.creative_data(
        session, storage, settings, mockup, frames, report, provider
    )
    if len(creative_data) > 1 and len(creative_data) != len(frames):
        raise MockupRejected(selection.frame_count_message([len(frames)], len(creative_data)))
    noun = "frame" if len(frames) == 1 else f"{len(frames)} frames"
    await report(40, f"Placing the creative on the {noun}")
    fmt: Literal["jpeg", "png"] = "png" if mockup.output_format == "png" else "jpeg"
    result = await to_thread.run_sync(
        _compose,
        photo_data,
        frames,
        creative_data,
        mockup.time_of_day,
        fmt,
        settings.max_image_pixels,
    )
    del photo_data, creative_data
    await report(90, "Saving the mockup")
    return await files.store_generated(
        session,
        storage,
        owner_id=mockup.owner_id or READER.user_id,
        name=f"{mockup.location_key}_mockup_{utcnow():%Y%m%d-%H%M%S}."
        + ("png" if fmt == "png" else "jpg"),
        data=result,
        content_type="image/png" if fmt == "png" else "image/jpeg",
    )


async def run_mockup(
    session: AsyncSession,
    storage: Storage,
    settings: Settings,
    mockup_id: uuid.UUID,
    *,
    progress: Progress = quiet,
    provider: ImageProvider | None = None,
) -> Mockup:
    """Make a recorded mockup: creatives, composition, the stored image; the row tells how it went.

    Refusals (a creative that cannot be read, a photo that is gone) end `failed` with the reason
    and are raised as `MockupRejected`; anything unexpected is raised as it is. One instance
    makes a mockup at a time: a second run of the same one (a redelivered job) waits for the
    first and returns its result instead of composing it again.
    """
    ttl_s = settings.job_time_limit_ms / 1000
    async with (
        locks.deployment_lock(settings.redis_dsn, engine_of(session)) as lock,
        locks.exclusive(lock, f"mockup:{mockup_id}", ttl_s=ttl_s, wait_s=ttl_s),
    ):
        return await _run_locked(session, storage, settings, mockup_id, progress, provider)


async def _run_locked(
    session: AsyncSession,
    storage: Storage,
    settings: Settings,
    mockup_id: uuid.UUID,
    progress: Progress,
    provider: ImageProvider | None,
) -> Mockup:
    mockup = await repository.get_mockup(session, mockup_id)
    if mockup is None:
        raise NotFound(MOCKUP_NOT_FOUND)
    if mockup.status == "done":
        return mockup
    mockup.status = "running"
    mockup.error = None
    report = partial(_set, session, mockup, progress)
    try:
        record = await _make(session, storage, settings, mockup, report, provider)
    except (MockupRejected, NotFound, CompositeError, poster.PosterError) as exc:
        message = exc.message if isinstance(exc, AppError) else str(exc)
        await _fail(session, mockup_id, message)
        raise MockupRejected(message) from None
    mockup.output_file_id = record.id
    mockup.status = "done"
    mockup.completed_at = utcnow()
    await report(100, "Done")
    MOCKUPS_PRODUCED.inc()
    log.info("mockup_done", mockup_id=str(mockup.id), size=record.size)
    return mockup


async def _fail(session: AsyncSession, mockup_id: uuid.UUID, message: str) -> None:
    # Takes the id, not the row: the rollback expires every loaded row, and reading an expired
    # row's attribute would need a synchronous database call (MissingGreenlet under asyncio).
    await session.rollback()
    fresh = await repository.get_mockup(session, mockup_id)
    if fresh is None:
        return
    fresh.status = "failed"
    fresh.error = message[:500]
    fresh.message = "Failed"
    fresh.completed_at = utcnow()
    await session.commit()
    log.info("mockup_failed", mockup_id=str(mockup_id))


async def mark_failed(session: AsyncSession, mockup_id: uuid.UUID, message: str) -> None:
    """Record a failure found outside `run_mockup` (a job out of retries)."""
    mockup = await repository.get_mockup(session, mockup_id)
    if mockup is not None and mockup.status != "done":
        await _fail(session, mockup_id, message)


async def mark_retrying(session: AsyncSession, mockup_id: uuid.UUID) -> None:
    mockup = await repository.get_mockup(session, mockup_id)
    if mockup is not None and mockup.status != "done":
        mockup.status = "queued"
        mockup.message = "Retrying after a problem"
        await session.commit()
