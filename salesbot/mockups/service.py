"""Mockup rules: photo and frame setup, choosing a photo, creatives, compositing, history.

Compositing is CPU-bound and memory-hungry (an 8K photo is ~100 MB per copy), so it runs in a
worker thread, never on the event loop, and at most `SALESBOT_MOCKUP_CONCURRENCY` run at once
per process (`CompositionSlots`). A request that finds every slot busy becomes a job; the
`mockups` row is its progress report, so any instance can answer "how far is it?".
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal, cast

import anyio
from anyio import to_thread
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal, RoleGrant
from salesbot.files import service as files
from salesbot.files.models import FileRecord
from salesbot.kit.db import utcnow
from salesbot.kit.errors import (
    AppError,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from salesbot.kit.logging import get_logger
from salesbot.kit.pagination import decode_cursor, encode_cursor
from salesbot.kit.redis import RedisFacade
from salesbot.kit.storage import Storage
from salesbot.locations import service as locations
from salesbot.locations.models import Location
from salesbot.mockups import compositor, greenscreen, images, poster, repository, selection
from salesbot.mockups.compositor import TimeOfDay
from salesbot.mockups.frames import Frame, FrameSettings, Quad, parse_frame, parse_settings
from salesbot.mockups.images import ImageProvider, ImageProviderError
from salesbot.mockups.memory import CreativeMemory
from salesbot.mockups.models import Mockup, MockupPhoto
from salesbot.mockups.schemas import (
    FrameOut,
    FrameSettingsOut,
    MockupCreate,
    MockupOut,
    PhotoOut,
)
from salesbot.settings import Settings

log = get_logger(__name__)

Progress = Callable[[int, str], Awaitable[None]]
Enqueue = Callable[..., Awaitable[str]]

PHOTO_KINDS = {"jpeg": "jpg", "png": "png", "webp": "webp"}
PHOTO_MAX_BYTES = 120 * 1024 * 1024
PROBE_BYTES = 2 * 1024 * 1024
CREATIVE_MAX_BYTES = 50 * 1024 * 1024
POSTER_LONG_SIDE = 2048
POSTER_SHORT_MIN = 256
TEST_CREATIVE_TEXT = "Your creative here"
SLOT_WAIT_S = 120.0
PHOTO_NOT_FOUND = "Mockup photo not found."
MOCKUP_NOT_FOUND = "Mockup not found."
NOTHING_TO_REUSE = (
    "There is no recent creative to reuse (creatives are remembered for 30 minutes). "
    "Attach your creative or describe the artwork."
)
UNEXPECTED = "Something went wrong while making the mockup; please try again."
_SETUP_ROLES = frozenset({"coordinator", "hos"})

# Photos and creatives are read on behalf of whoever makes a mockup, not only their uploader.
_READER = Principal(
    user_id=uuid.UUID(int=0),
    email="system",
    name="Mockup reader",
    roles=(RoleGrant("admin"),),
    permissions=frozenset(),
    auth_method="system",
)


class MockupRejected(ValidationFailed):
    """The request cannot become a mockup; the message says why, for the salesperson."""

    code = "mockup_invalid"


async def _quiet(percent: int, message: str) -> None:
    return None


# --- composition slots -----------------------------------------------------------------------


class CompositionSlots:
    """At most `limit` compositions at once in this process (requests and in-process jobs)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._semaphore = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self.in_use = 0
        self.peak = 0

    def _taken(self) -> None:
        with self._lock:
            self.in_use += 1
            self.peak = max(self.peak, self.in_use)

    def try_acquire(self) -> bool:
        if not self._semaphore.acquire(blocking=False):
            return False
        self._taken()
        return True

    def acquire(self, timeout: float | None = None) -> bool:
        """Blocking: call from a worker thread, never on the event loop."""
        if not self._semaphore.acquire(timeout=timeout):
            return False
        self._taken()
        return True

    def release(self) -> None:
        with self._lock:
            self.in_use -= 1
        self._semaphore.release()

    async def wait(self, patience_s: float = SLOT_WAIT_S) -> None:
        """Take a slot, waiting in a thread; 503 when none frees up in time."""
        if self.try_acquire():
            return
        if not await to_thread.run_sync(self.acquire, patience_s):
            raise ServiceUnavailable(
                "Mockups are busy right now. Please try again in a moment.",
                headers={"Retry-After": "10"},
            )


_SLOTS: dict[int, CompositionSlots] = {}
_SLOTS_LOCK = threading.Lock()


def composition_slots(limit: int) -> CompositionSlots:
    """The process-wide slots for `limit` (the app and in-process jobs share them)."""
    with _SLOTS_LOCK:
        slots = _SLOTS.get(limit)
        if slots is None:
            slots = _SLOTS[limit] = CompositionSlots(limit)
        return slots


def slots_of(state: Any) -> CompositionSlots:
    slots = getattr(state, "mockup_slots", None)
    if isinstance(slots, CompositionSlots):
        return slots
    return composition_slots(state.settings.mockup_concurrency)


def memory_of(state: Any) -> CreativeMemory:
    """The app's creative memory (made on first use; tests may put one with a fake clock)."""
    memory = getattr(state, "mockup_memory", None)
    if isinstance(memory, CreativeMemory):
        return memory
    redis: RedisFacade = state.redis
    memory = CreativeMemory(redis)
    state.mockup_memory = memory
    return memory


# --- access ----------------------------------------------------------------------------------


def _setup_scope(principal: Principal) -> set[uuid.UUID] | None:
    """Companies whose photos the caller may set up; None means every company."""
    if any(g.role == "admin" for g in principal.roles):
        return None
    grants = [g for g in principal.roles if g.role in _SETUP_ROLES]
    if any(g.company_id is None for g in grants):
        return None
    return {g.company_id for g in grants if g.company_id is not None}


def ensure_may_set_up(principal: Principal, location: Location) -> None:
    scope = _setup_scope(principal)
    if scope is not None and location.company_id not in scope:
        raise Forbidden("You can set up mockup photos only for your company's locations.")


# --- shaping -----------------------------------------------------------------------------------


def frame_out(points: Sequence[Sequence[float]], settings: Mapping[str, int]) -> FrameOut:
    return FrameOut(
        points=[[float(x), float(y)] for x, y in points],
        settings=FrameSettingsOut(**parse_settings(settings).to_dict()),
    )


def _frame_json(frame: Frame) -> dict[str, Any]:
    return {"points": [[x, y] for x, y in frame.points], "settings": frame.settings.to_dict()}


def image_url(photo: MockupPhoto) -> str:
    return f"/api/mockups/photos/{photo.id}/image"


def photo_out(photo: MockupPhoto, location: Location) -> PhotoOut:
    return PhotoOut(
        id=photo.id,
        location_key=location.key,
        location_name=location.display_name,
        name=photo.name,
        time_of_day=photo.time_of_day,
        finish=photo.finish,
        width=photo.width,
        height=photo.height,
        frame_count=photo.frame_count,
        frames=[frame_out(f["points"], f["settings"]) for f in photo.frames or []],
        file_id=photo.file_id,
        image_url=image_url(photo),
        created_at=photo.created_at,
    )


def mockup_out(mockup: Mockup, file: FileRecord | None) -> MockupOut:
    return MockupOut(
        id=mockup.id,
        status=mockup.status,
        progress=mockup.progress,
        message=mockup.message,
        error=mockup.error,
        location_key=mockup.location_key,
        location_name=mockup.location_name,
        photo_id=mockup.photo_id,
        photo_name=mockup.photo_name,
        time_of_day=mockup.time_of_day,
        finish=mockup.finish,
        creative_source=mockup.creative_source,
        creative_file_ids=[uuid.UUID(f) for f in mockup.creative_file_ids or []],
        prompt=mockup.prompt,
        file=files.file_card(file) if file is not None else None,
        status_url=f"/api/mockups/{mockup.id}",
        created_at=mockup.created_at,
        completed_at=mockup.completed_at,
    )


async def output_file(session: AsyncSession, mockup: Mockup) -> FileRecord | None:
    if mockup.output_file_id is None:
        return None
    try:
        return await files.get_for(session, _READER, mockup.output_file_id)
    except NotFound:
        return None


async def to_out(session: AsyncSession, mockup: Mockup) -> MockupOut:
    return mockup_out(mockup, await output_file(session, mockup))


# --- photos --------------------------------------------------------------------------------------


async def list_photos(session: AsyncSession, location: str | None = None) -> list[PhotoOut]:
    """Every photo (of one location when named), by location then number."""
    ids = None
    if location is not None and location.strip():
        found = await locations.resolve(session, location, include_inactive=True)
        ids = [found.id]
    return [photo_out(p, loc) for p, loc in await repository.photos(session, ids)]


async def get_photo(session: AsyncSession, photo_id: uuid.UUID) -> tuple[MockupPhoto, Location]:
    row = await repository.get_photo(session, photo_id)
    if row is None:
        raise NotFound(PHOTO_NOT_FOUND)
    return row


async def _photo_for_setup(
    session: AsyncSession, principal: Principal, photo_id: uuid.UUID
) -> tuple[MockupPhoto, Location]:
    photo, location = await get_photo(session, photo_id)
    ensure_may_set_up(principal, location)
    return photo, location


async def photo_file(session: AsyncSession, photo: MockupPhoto) -> FileRecord:
    try:
        return await files.get_for(session, _READER, photo.file_id)
    except NotFound:
        raise NotFound(
            f"The image of photo {photo.name} is no longer available; upload it again.",
            code="photo_image_missing",
        ) from None


async def _photo_bytes(session: AsyncSession, storage: Storage, photo: MockupPhoto) -> bytes:
    return await _photo_bytes_of(storage, await photo_file(session, photo))


async def _photo_bytes_of(storage: Storage, record: FileRecord) -> bytes:
    try:
        return await files.read_bytes(storage, record, max_bytes=PHOTO_MAX_BYTES)
    except files.FileTooLargeToProcess as exc:
        raise MockupRejected(str(exc)) from None


async def add_photo(
    session: AsyncSession,
    storage: Storage,
    principal: Principal,
    *,
    location: str,
    file_id: uuid.UUID,
    time_of_day: str,
    finish: str = "other",
    max_pixels: int,
) -> PhotoOut:
    """Register an uploaded image as a photo of a location, named `{key}_{n}.{ext}`."""
    place = await locations.resolve(session, location, include_inactive=True)
    ensure_may_set_up(principal, place)
    record = await files.get_for(session, principal, file_id)
    ext = PHOTO_KINDS.get(record.kind)
    if ext is None:
        raise MockupRejected("A billboard photo must be a JPEG, PNG or WebP image.")
    existing = await repository.find_by_sha(session, place.id, record.sha256)
    if existing is not None:
        raise Conflict(
            f"This photo is already set up for {place.display_name} as {existing.name}.",
            code="photo_exists",
            details={"photo_id": str(existing.id)},
        )
    info = await _probe_stored(storage, record)
    if info.width * info.height > max_pixels:
        raise MockupRejected(
            f"The photo is too large ({info.width}×{info.height}); "
            f"the limit is {max_pixels // 1_000_000} megapixels."
        )
    file_id, sha256 = record.id, record.sha256
    await files.share_with_company(session, file_id, place.company_id)
    for _attempt in range(3):
        number = await repository.next_number(session, place.id)
        photo = MockupPhoto(
            location_id=place.id,
            file_id=file_id,
            number=number,
            name=f"{place.key}_{number}.{ext}",
            sha256=sha256,
            time_of_day=time_of_day,
            finish=(finish or "other").strip().lower()[:40] or "other",
            width=info.width,
            height=info.height,
            frames=[],
            created_by=principal.user_id,
        )
        session.add(photo)
        try:
            await session.commit()
        except IntegrityError:
            # Someone added a photo of the same location at the same moment: take the next n.
            await session.rollback()
            await session.refresh(place)  # the rollback expired it
            if await repository.find_by_sha(session, place.id, sha256) is not None:
                raise Conflict("This photo was just set up by someone else.") from None
            await files.share_with_company(session, file_id, place.company_id)
            continue
        log.info("mockup_photo_added", photo_id=str(photo.id), location=place.key)
        return photo_out(photo, place)
    raise Conflict("Several photos were added at once; please try again.")


async def _probe_stored(storage: Storage, record: FileRecord) -> images.ImageInfo:
    """The image's size from the head of the file (the whole file only when that fails)."""
    head = bytearray()
    async for chunk in await files.open_content(storage, record, 0, min(record.size, PROBE_BYTES)):
        head += chunk
    try:
        return await to_thread.run_sync(images.probe, bytes(head))
    except images.ImageDecodeError:
        if record.size <= PROBE_BYTES:
            raise MockupRejected("This file is not an image that can be read.") from None
    try:
        return await to_thread.run_sync(images.probe, await _photo_bytes_of(storage, record))
    except images.ImageDecodeError as exc:
        raise MockupRejected(str(exc)) from None


async def upload_photo(
    session: AsyncSession,
    storage: Storage,
    principal: Principal,
    *,
    filename: str,
    content_type: str | None,
    chunks: AsyncIterator[bytes],
    location: str,
    time_of_day: str,
    finish: str,
    tmp_dir: Path,
    max_bytes: int,
    max_pixels: int,
) -> PhotoOut:
    """Store an uploaded photo (checked like any upload) and add it to the location."""

    async def parts() -> AsyncIterator[files.UploadPart]:
        yield files.UploadPart(filename, content_type, chunks)

    records = await files.upload_stream(
        session,
        storage,
        owner_id=principal.user_id,
        parts=parts(),
        tmp_dir=tmp_dir,
        max_bytes=max_bytes,
        max_pixels=max_pixels,
        max_files=1,
    )
    file_id = records[0].id
    try:
        return await add_photo(
            session,
            storage,
            principal,
            location=location,
            file_id=file_id,
            time_of_day=time_of_day,
            finish=finish,
            max_pixels=max_pixels,
        )
    except Exception:
        # The upload was only for this photo: do not leave it behind.
        await session.rollback()
        await files.delete_file(session, storage, principal, file_id)
        raise


@dataclass(frozen=True)
class PhotoImage:
    name: str
    content_type: str
    size: int
    chunks: AsyncIterator[bytes]


async def photo_image(session: AsyncSession, storage: Storage, photo_id: uuid.UUID) -> PhotoImage:
    """The photo's bytes as a stream, with its name and type."""
    photo, _ = await get_photo(session, photo_id)
    record = await photo_file(session, photo)
    chunks = await files.open_content(storage, record)
    return PhotoImage(photo.name, record.content_type, record.size, chunks)


def parse_frames(raw_frames: Sequence[Mapping[str, Any]], width: int, height: int) -> list[Frame]:
    """Validated frames; a bad one fails with its number and the reason."""
    parsed = []
    for index, raw in enumerate(raw_frames):
        try:
            parsed.append(parse_frame(raw, width, height))
        except ValueError as exc:
            prefix = f"Frame {index + 1}: " if len(raw_frames) > 1 else ""
            raise MockupRejected(
                f"{prefix}{exc}", code="invalid_frame", details={"frame": index + 1}
            ) from None
    return parsed


async def set_frames(
    session: AsyncSession,
    principal: Principal,
    photo_id: uuid.UUID,
    raw_frames: Sequence[Mapping[str, Any]],
) -> PhotoOut:
    """Replace the photo's frames (validated, settings clamped, unknown settings refused)."""
    photo, location = await _photo_for_setup(session, principal, photo_id)
    frames = parse_frames(raw_frames, photo.width, photo.height)
    photo.frames = [_frame_json(f) for f in frames]
    photo.updated_at = utcnow()
    await session.commit()
    log.info("mockup_frames_set", photo_id=str(photo.id), frames=len(frames))
    return photo_out(photo, location)


async def delete_photo(
    session: AsyncSession, storage: Storage, principal: Principal, photo_id: uuid.UUID
) -> None:
    """Remove the photo; its image goes too unless another photo row uses the same file."""
    photo, _ = await _photo_for_setup(session, principal, photo_id)
    file_id = photo.file_id
    shared = await repository.other_uses_of_file(session, file_id, photo.id)
    await session.delete(photo)
    await session.commit()
    if not shared:
        with contextlib.suppress(NotFound):  # the file may have been deleted on its own
            await files.delete_file(session, storage, _READER, file_id)
    log.info("mockup_photo_deleted", photo_id=str(photo_id))


def _decode_photo(data: bytes, max_pixels: int) -> Any:
    try:
        return images.decode_photo(data, max_pixels)
    except images.ImageDecodeError as exc:
        raise MockupRejected(str(exc)) from None


async def detect_frames(
    session: AsyncSession,
    storage: Storage,
    principal: Principal,
    photo_id: uuid.UUID,
    *,
    colour: str,
    tolerance: int,
    slots: CompositionSlots,
    max_pixels: int,
) -> list[FrameOut]:
    """Candidate frames where the photo shows the screen colour (not saved)."""
    photo, _ = await _photo_for_setup(session, principal, photo_id)
    try:
        rgb = greenscreen.parse_colour(colour)
    except greenscreen.GreenScreenError as exc:
        raise MockupRejected(str(exc)) from None
    data = await _photo_bytes(session, storage, photo)
    await session.commit()  # hand the connection back while the CPU works

    def detect() -> list[Quad]:
        return greenscreen.detect_green(_decode_photo(data, max_pixels), rgb, tolerance)

    await slots.wait()
    try:
        quads = await to_thread.run_sync(detect)
    finally:
        slots.release()
    defaults = FrameSettings().to_dict()
    return [frame_out(quad, defaults) for quad in quads]


# --- preview -------------------------------------------------------------------------------------


def _frame_size(points: Sequence[Sequence[float]]) -> tuple[float, float]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = ((float(p[0]), float(p[1])) for p in points)
    width = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, ((x2 - x3) ** 2 + (y2 - y3) ** 2) ** 0.5)
    height = max(((x3 - x0) ** 2 + (y3 - y0) ** 2) ** 0.5, ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5)
    return width, height


def poster_size(frame_width: float, frame_height: float) -> tuple[int, int]:
    """A poster canvas in the frame's aspect ratio, its longer side POSTER_LONG_SIDE."""
    ratio = max(frame_width, 1.0) / max(frame_height, 1.0)
    ratio = min(max(ratio, 1 / 8), 8.0)
    if ratio >= 1:
        return POSTER_LONG_SIDE, max(POSTER_SHORT_MIN, round(POSTER_LONG_SIDE / ratio))
    return max(POSTER_SHORT_MIN, round(POSTER_LONG_SIDE * ratio)), POSTER_LONG_SIDE


def _scaled(frame: Frame, scale: float) -> Frame:
    if scale == 1.0:
        return frame
    quad = cast(Quad, tuple((x * scale, y * scale) for x, y in frame.points))
    return Frame(points=quad, settings=frame.settings)


async def preview(
    session: AsyncSession,
    storage: Storage,
    principal: Principal,
    *,
    photo_id: uuid.UUID,
    frames: Sequence[Mapping[str, Any]] | None,
    time_of_day: str | None,
    creative_file_id: uuid.UUID | None,
    text: str | None,
    max_side: int,
    slots: CompositionSlots,
    max_pixels: int,
) -> bytes:
    """A JPEG of the photo with a test poster (or the given creative) in every frame."""
    photo, _ = await _photo_for_setup(session, principal, photo_id)
    parsed = (
        parse_frames(frames, photo.width, photo.height)
        if frames is not None
        else [parse_frame(f, photo.width, photo.height) for f in photo.frames or []]
    )
    if not parsed:
        raise MockupRejected("Mark at least one frame on the photo to preview it.")
    creative_data = None
    if creative_file_id is not None:
        record = await files.get_for(session, principal, creative_file_id)
        creative_data = await _creative_bytes(storage, record)
    data = await _photo_bytes(session, storage, photo)
    await session.commit()
    when = time_of_day or photo.time_of_day
    label = (text or "").strip() or TEST_CREATIVE_TEXT

    def render() -> bytes:
        image, scale = images.downscale(_decode_photo(data, max_pixels), max_side)
        jobs: list[compositor.FrameJob] = []
        creative = _decode_creative(creative_data, max_pixels) if creative_data else None
        for frame in parsed:
            small = _scaled(frame, scale)
            if creative is None:
                w, h = poster_size(*_frame_size(small.points))
                jobs.append((small.points, small.settings, poster.render_poster(label, w, h)))
            else:
                jobs.append((small.points, small.settings, creative))
        return compositor.encode(compositor.composite(image, jobs, cast(TimeOfDay, when)))

    await slots.wait()
    try:
        return await to_thread.run_sync(render)
    except (compositor.CompositeError, poster.PosterError) as exc:
        raise MockupRejected(str(exc)) from None
    finally:
        slots.release()


async def _creative_bytes(storage: Storage, record: FileRecord) -> bytes:
    if not record.is_image:
        raise MockupRejected(
            f"A creative must be an image (JPEG, PNG, WebP…); {record.safe_name} is not."
        )
    try:
        return await files.read_bytes(storage, record, max_bytes=CREATIVE_MAX_BYTES)
    except files.FileTooLargeToProcess as exc:
        raise MockupRejected(str(exc)) from None


def _decode_creative(data: bytes, max_pixels: int) -> Any:
    try:
        return images.decode_creative(data, max_pixels)
    except images.ImageDecodeError as exc:
        raise MockupRejected(str(exc)) from None


# --- generation: the request ---------------------------------------------------------------------


@dataclass(frozen=True)
class Creatives:
    source: Literal["upload", "ai", "poster"]
    file_ids: tuple[uuid.UUID, ...] = ()
    prompt: str | None = None

    @property
    def count(self) -> int:
        return len(self.file_ids) or 1


async def _uploaded(
    session: AsyncSession, principal: Principal, file_ids: Sequence[uuid.UUID]
) -> tuple[uuid.UUID, ...]:
    records = await files.resolve_attachments(session, principal, file_ids)
    for record in records:
        if not record.is_image:
            raise MockupRejected(
                f"A creative must be an image (JPEG, PNG, WebP…); {record.safe_name} is not."
            )
    return tuple(record.id for record in records)


def _prompt_source(settings: Settings) -> Literal["ai", "poster"]:
    return "ai" if (settings.image_model or "").strip() else "poster"


async def _remembered(
    session: AsyncSession, principal: Principal, memory: CreativeMemory, settings: Settings
) -> Creatives:
    item = await memory.recall(principal.user_id)
    if item is None:
        raise MockupRejected(NOTHING_TO_REUSE, code="no_previous_creative")
    if item.file_ids:
        try:
            return Creatives("upload", await _uploaded(session, principal, item.file_ids))
        except ValidationFailed:
            raise MockupRejected(NOTHING_TO_REUSE, code="no_previous_creative") from None
    previous = await repository.get_mockup(session, item.mockup_id)
    if previous is not None and previous.creative_source == "ai":
        if previous.status in ("queued", "running"):
            raise MockupRejected(
                "Your last mockup is still being made; try again when it is ready.",
                code="previous_in_progress",
            )
        if previous.status == "done" and previous.creative_file_ids:
            # The same AI artwork, not a new one: "show it on Jawhara" means this creative.
            ids = tuple(uuid.UUID(f) for f in previous.creative_file_ids)
            return Creatives("ai", ids, item.prompt)
    if item.prompt:
        # Posters are redrawn for the new frame's shape; they come out the same design.
        return Creatives(_prompt_source(settings), (), item.prompt)
    raise MockupRejected(NOTHING_TO_REUSE, code="no_previous_creative")


async def _creatives(
    session: AsyncSession,
    principal: Principal,
    body: MockupCreate,
    memory: CreativeMemory,
    settings: Settings,
) -> Creatives:
    if body.file_ids:
        return Creatives("upload", await _uploaded(session, principal, body.file_ids))
    prompt = " ".join((body.prompt or "").split())
    if prompt:
        return Creatives(_prompt_source(settings), (), prompt)
    # Nothing new given: the remembered creatives (asked for, or the only thing there is).
    return await _remembered(session, principal, memory, settings)


def _pick(
    photos: Sequence[MockupPhoto], body: MockupCreate, count: int, rng: random.Random
) -> MockupPhoto:
    if body.photo_id is not None:
        chosen = next((p for p in photos if p.id == body.photo_id), None)
        if chosen is None:
            raise NotFound("That photo is not one of this location's mockup photos.")
        if not selection.qualifies(chosen.frame_count, count):
            raise selection.FrameCountError(
                selection.frame_count_message([chosen.frame_count], count)
            )
        return chosen
    return selection.choose_photo(
        photos, count, rng, time_of_day=body.time_of_day, finish=body.finish, name=body.photo
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
    place = await locations.resolve(session, body.location)
    creatives = await _creatives(session, principal, body, memory, settings)
    photos = [photo for photo, _ in await repository.photos(session, [place.id])]
    try:
        photo = _pick(photos, body, creatives.count, rng or random.Random())
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
        creative_source=creatives.source,
        creative_file_ids=[str(f) for f in creatives.file_ids],
        prompt=creatives.prompt,
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
        creatives.file_ids if creatives.source == "upload" else (),
        creatives.prompt,
    )
    log.info("mockup_requested", mockup_id=str(mockup.id), location=place.key, photo=photo.name)
    return mockup


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
    progress: Progress = _quiet,
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


# --- generation: the work ------------------------------------------------------------------------


async def _set(
    session: AsyncSession, mockup: Mockup, progress: Progress, percent: int, message: str
) -> None:
    mockup.progress = percent
    mockup.message = message
    await session.commit()
    await progress(percent, message)


def _configured_provider(settings: Settings) -> ImageProvider | None:
    try:
        return images.provider_from_settings(settings)
    except ImageProviderError as exc:
        log.warning("image_provider_misconfigured", reason=str(exc))
        return None


async def _ai_creative(
    session: AsyncSession,
    storage: Storage,
    mockup: Mockup,
    provider: ImageProvider,
    frame_size: tuple[float, float],
) -> bytes | None:
    """The image service's creative, stored as the user's file; None when the service fails."""
    shape = poster.orientation(*frame_size)
    try:
        data = await provider.generate(poster.creative_prompt(mockup.prompt or "", shape), shape)
        info = await to_thread.run_sync(images.probe, data)
    except (ImageProviderError, images.ImageDecodeError) as exc:
        log.warning("mockup_ai_creative_failed", mockup_id=str(mockup.id), reason=str(exc))
        return None
    ext, content_type = {
        "JPEG": ("jpg", "image/jpeg"),
        "WEBP": ("webp", "image/webp"),
    }.get(info.format, ("png", "image/png"))
    if content_type == "image/png" and info.format != "PNG":
        data = await to_thread.run_sync(_as_png, data)
    record = await files.store_generated(
        session,
        storage,
        owner_id=mockup.owner_id or _READER.user_id,
        name=f"{mockup.location_key}_creative.{ext}",
        data=data,
        content_type=content_type,
    )
    mockup.creative_file_ids = [str(record.id)]
    return data


def _as_png(data: bytes) -> bytes:
    return images.png_bytes(images.decode_creative(data, 10**9))


async def _poster_creative(
    session: AsyncSession, storage: Storage, mockup: Mockup, frame_size: tuple[float, float]
) -> bytes:
    width, height = poster_size(*frame_size)
    data = await to_thread.run_sync(poster.render_poster_png, mockup.prompt or "", width, height)
    if mockup.owner_id is not None:
        record = await files.store_generated(
            session,
            storage,
            owner_id=mockup.owner_id,
            name=f"{mockup.location_key}_creative.png",
            data=data,
            content_type="image/png",
        )
        mockup.creative_file_ids = [str(record.id)]
    return data


async def _creative_data(
    session: AsyncSession,
    storage: Storage,
    settings: Settings,
    mockup: Mockup,
    frames: Sequence[Frame],
    progress: Progress,
    provider: ImageProvider | None,
) -> list[bytes]:
    """The creatives' bytes, in order: uploaded or remembered files, else made from the prompt."""
    if mockup.creative_file_ids:
        out = []
        for file_id in mockup.creative_file_ids:
            try:
                record = await files.get_for(session, _READER, uuid.UUID(file_id))
            except NotFound:
                raise MockupRejected(
                    "A creative of this mockup is no longer available; upload it again."
                ) from None
            out.append(await _creative_bytes(storage, record))
        return out
    # One creative fills every frame: shape it like the largest one.
    size = max((_frame_size(f.points) for f in frames), key=lambda s: s[0] * s[1])
    if mockup.creative_source == "ai":
        chosen = provider or _configured_provider(settings)
        if chosen is not None:
            await _set(session, mockup, progress, 20, "Asking the image service for the creative")
            data = await _ai_creative(session, storage, mockup, chosen, size)
            if data is not None:
                return [data]
        # The flow still works when the service is down: a typographic poster instead.
        mockup.creative_source = "poster"
    await _set(session, mockup, progress, 25, "Drawing the creative")
    return [await _poster_creative(session, storage, mockup, size)]


def _compose(
    photo_data: bytes,
    frames: Sequence[Frame],
    creatives: Sequence[bytes],
    time_of_day: str,
    fmt: Literal["jpeg", "png"],
    max_pixels: int,
) -> bytes:
    """Decode, place and encode in one thread call, so each big array is freed when done."""
    photo = _decode_photo(photo_data, max_pixels)
    decoded = [_decode_creative(data, max_pixels) for data in creatives]
    assigned = selection.assign_creatives(len(frames), decoded)
    jobs = [(f.points, f.settings, c) for f, c in zip(frames, assigned, strict=True)]
    result = compositor.composite(photo, jobs, cast(TimeOfDay, time_of_day))
    del photo, decoded, assigned, jobs
    return compositor.encode(result, fmt)


async def run_mockup(
    session: AsyncSession,
    storage: Storage,
    settings: Settings,
    mockup_id: uuid.UUID,
    *,
    progress: Progress = _quiet,
    provider: ImageProvider | None = None,
) -> Mockup:
    """Make a recorded mockup: creatives, composition, the stored image; the row tells how it went.

    Refusals (a creative that cannot be read, a photo that is gone) end `failed` with the reason
    and are raised as `MockupRejected`; anything unexpected is raised as it is.
    """
    mockup = await repository.get_mockup(session, mockup_id)
    if mockup is None:
        raise NotFound(MOCKUP_NOT_FOUND)
    if mockup.status == "done":
        return mockup
    mockup.status = "running"
    mockup.error = None
    try:
        await _set(session, mockup, progress, 5, "Reading the photo")
        if mockup.photo_id is None:
            raise MockupRejected("The photo for this mockup was deleted; please ask again.")
        photo, _ = await get_photo(session, mockup.photo_id)
        frames = [parse_frame(f, photo.width, photo.height) for f in photo.frames or []]
        if not frames:
            raise MockupRejected("This photo has no frames marked any more; please ask again.")
        photo_data = await _photo_bytes(session, storage, photo)
        creatives = await _creative_data(
            session, storage, settings, mockup, frames, progress, provider
        )
        if len(creatives) > 1 and len(creatives) != len(frames):
            raise MockupRejected(selection.frame_count_message([len(frames)], len(creatives)))
        noun = "frame" if len(frames) == 1 else f"{len(frames)} frames"
        await _set(session, mockup, progress, 40, f"Placing the creative on the {noun}")
        fmt: Literal["jpeg", "png"] = "png" if mockup.output_format == "png" else "jpeg"
        result = await to_thread.run_sync(
            _compose,
            photo_data,
            frames,
            creatives,
            mockup.time_of_day,
            fmt,
            settings.max_image_pixels,
        )
        del photo_data, creatives
        await _set(session, mockup, progress, 90, "Saving the mockup")
        record = await files.store_generated(
            session,
            storage,
            owner_id=mockup.owner_id or _READER.user_id,
            name=f"{mockup.location_key}_mockup_{utcnow():%Y%m%d-%H%M%S}."
            + ("png" if fmt == "png" else "jpg"),
            data=result,
            content_type="image/png" if fmt == "png" else "image/jpeg",
        )
    except (MockupRejected, NotFound, compositor.CompositeError, poster.PosterError) as exc:
        message = exc.message if isinstance(exc, AppError) else str(exc)
        await _fail(session, mockup, message)
        raise MockupRejected(message) from None
    mockup.output_file_id = record.id
    mockup.status = "done"
    mockup.completed_at = utcnow()
    await _set(session, mockup, progress, 100, "Done")
    log.info("mockup_done", mockup_id=str(mockup.id), size=record.size)
    return mockup


async def _fail(session: AsyncSession, mockup: Mockup, message: str) -> None:
    await session.rollback()
    fresh = await repository.get_mockup(session, mockup.id)
    if fresh is None:
        return
    fresh.status = "failed"
    fresh.error = message[:500]
    fresh.message = "Failed"
    fresh.completed_at = utcnow()
    await session.commit()
    log.info("mockup_failed", mockup_id=str(mockup.id))


async def mark_failed(session: AsyncSession, mockup_id: uuid.UUID, message: str) -> None:
    """Record a failure found outside `run_mockup` (a job out of retries)."""
    mockup = await repository.get_mockup(session, mockup_id)
    if mockup is not None and mockup.status != "done":
        await _fail(session, mockup, message)


async def mark_retrying(session: AsyncSession, mockup_id: uuid.UUID) -> None:
    mockup = await repository.get_mockup(session, mockup_id)
    if mockup is not None and mockup.status != "done":
        mockup.status = "queued"
        mockup.message = "Retrying after a problem"
        await session.commit()


# --- history -------------------------------------------------------------------------------------


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
    after = decode_cursor(cursor)
    before_id = None
    if after is not None:
        try:
            before_id = uuid.UUID(str(after.get("id")))
        except ValueError:
            raise ValidationFailed(
                "The page cursor is not valid; start from the first page."
            ) from None
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


# --- demo data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPhoto:
    location_key: str
    time_of_day: Literal["day", "night"]
    finish: str
    screens: tuple[Quad, ...]
    settings: Mapping[str, int]


_LANDMARK: Quad = ((520.0, 180.0), (1180.0, 220.0), (1170.0, 560.0), (530.0, 590.0))
_JAWHARA: tuple[Quad, ...] = (
    ((300.0, 150.0), (620.0, 170.0), (610.0, 760.0), (310.0, 770.0)),
    ((900.0, 170.0), (1220.0, 150.0), (1210.0, 770.0), (910.0, 760.0)),
)
DEMO_SIZE = (1600, 1000)
DEMO_PHOTOS = (
    DemoPhoto("the_landmark", "day", "gold", (_LANDMARK,), {"edge_blur": 3, "depth": 18}),
    DemoPhoto("the_landmark", "night", "gold", (_LANDMARK,), {"edge_blur": 3, "depth": 22}),
    DemoPhoto("jawhara", "day", "silver", _JAWHARA, {"edge_blur": 3, "vignette": 15}),
    DemoPhoto("jawhara", "night", "silver", _JAWHARA[:1], {"edge_blur": 3, "depth": 20}),
)


async def ensure_demo_photos(
    session: AsyncSession, storage: Storage, *, owner_id: uuid.UUID
) -> int:
    """Synthetic billboard photos with frames for the demo locations; idempotent.

    The images are drawn (a street with green-screen billboards), so nothing is downloaded;
    the same drawing gives the same bytes, which is how a second run knows it is done.
    """
    added = 0
    for demo in DEMO_PHOTOS:
        try:
            place = await locations.get_location(session, demo.location_key)
        except NotFound:
            continue
        night = demo.time_of_day == "night"
        data = await to_thread.run_sync(
            partial(images.render_demo_photo, *DEMO_SIZE, list(demo.screens), night=night)
        )
        if await repository.find_by_sha(session, place.id, hashlib.sha256(data).hexdigest()):
            continue
        record = await files.store_generated(
            session,
            storage,
            owner_id=owner_id,
            name=f"{place.key}_{demo.time_of_day}.jpg",
            data=data,
            content_type="image/jpeg",
            company_id=place.company_id,
        )
        width, height = DEMO_SIZE
        frames = parse_frames(
            [{"points": quad, "settings": dict(demo.settings)} for quad in demo.screens],
            width,
            height,
        )
        number = await repository.next_number(session, place.id)
        session.add(
            MockupPhoto(
                location_id=place.id,
                file_id=record.id,
                number=number,
                name=f"{place.key}_{number}.jpg",
                sha256=record.sha256,
                time_of_day=demo.time_of_day,
                finish=demo.finish,
                width=width,
                height=height,
                frames=[_frame_json(f) for f in frames],
                created_by=owner_id,
            )
        )
        await session.commit()
        added += 1
    return added
