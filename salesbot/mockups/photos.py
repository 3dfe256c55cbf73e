"""Billboard photos: adding, listing, streaming and removing them, their frames, green-screen
detection and the studio's preview."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from anyio import to_thread
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.files import service as files
from salesbot.kit.clamd import ClamdClient
from salesbot.kit.db import utcnow
from salesbot.kit.errors import Conflict, NotFound
from salesbot.kit.lazy import lazy_module
from salesbot.kit.logging import get_logger
from salesbot.kit.storage import Storage
from salesbot.mockups import places, repository
from salesbot.mockups.access import READER, ensure_may_set_up
from salesbot.mockups.errors import PHOTO_NOT_FOUND, MockupRejected, refused_on
from salesbot.mockups.frames import Frame, FrameSettings, Quad, parse_frame
from salesbot.mockups.models import MockupPhoto
from salesbot.mockups.places import Place
from salesbot.mockups.presenters import frame_json, frame_out, photo_out
from salesbot.mockups.schemas import FrameOut, PhotoOut
from salesbot.mockups.slots import CompositionSlots

if TYPE_CHECKING:
    from salesbot.mockups import compositor, creatives, greenscreen, images, poster, raster
    from salesbot.mockups.raster import FrameJob, TimeOfDay
else:
    # numpy and OpenCV: loaded by the first image work, not by the proposals that only look up
    # a location's best photo (nor at start-up).
    compositor = lazy_module("salesbot.mockups.compositor")
    creatives = lazy_module("salesbot.mockups.creatives")
    greenscreen = lazy_module("salesbot.mockups.greenscreen")
    images = lazy_module("salesbot.mockups.images")
    poster = lazy_module("salesbot.mockups.poster")
    raster = lazy_module("salesbot.mockups.raster")

log = get_logger(__name__)

PHOTO_KINDS = {"jpeg": "jpg", "png": "png", "webp": "webp"}
PHOTO_MAX_BYTES = 120 * 1024 * 1024
PROBE_BYTES = 2 * 1024 * 1024
PHOTO_LIST_LIMIT = 500
TEST_CREATIVE_TEXT = "Your creative here"


# --- reading -------------------------------------------------------------------------------------


async def list_photos(session: AsyncSession, location: str | None = None) -> list[PhotoOut]:
    """Every photo (of one location when named), by location then number."""
    ids = None
    if location is not None and location.strip():
        found = await places.resolve(session, location, include_inactive=True)
        ids = [found.id]
    return [photo_out(p, place) for p, place in await photos_with_places(session, ids)]


async def photos_with_places(
    session: AsyncSession, location_ids: Sequence[uuid.UUID] | None
) -> list[tuple[MockupPhoto, Place]]:
    """Photos with their locations, by location key then number (all locations when None)."""
    rows = await repository.photos(session, location_ids)
    found = await places.by_ids(session, sorted({photo.location_id for photo in rows}))
    pairs = [(photo, found[photo.location_id]) for photo in rows if photo.location_id in found]
    pairs.sort(key=lambda pair: (pair[1].key, pair[0].number))
    return pairs[:PHOTO_LIST_LIMIT]


async def get_photo(session: AsyncSession, photo_id: uuid.UUID) -> tuple[MockupPhoto, Place]:
    photo = await repository.get_photo(session, photo_id)
    if photo is None:
        raise NotFound(PHOTO_NOT_FOUND)
    found = await places.by_ids(session, [photo.location_id])
    if photo.location_id not in found:
        raise NotFound(PHOTO_NOT_FOUND)
    return photo, found[photo.location_id]


async def _photo_for_setup(
    session: AsyncSession, principal: Principal, photo_id: uuid.UUID
) -> tuple[MockupPhoto, Place]:
    photo, place = await get_photo(session, photo_id)
    ensure_may_set_up(principal, place.company_id)
    return photo, place


async def best_photo(session: AsyncSession, location_id: uuid.UUID) -> MockupPhoto | None:
    """The photo that shows the site best on a proposal slide: a day photo before a night
    one, then the largest, then the first set up; None when the location has none."""
    rows = await repository.photos(session, [location_id])
    return min(
        rows,
        key=lambda p: (p.time_of_day != "day", -(p.width * p.height), p.number),
        default=None,
    )


async def photo_file(session: AsyncSession, photo: MockupPhoto) -> files.StoredFile:
    try:
        return await files.get_for(session, READER, photo.file_id)
    except NotFound:
        raise NotFound(
            f"The image of photo {photo.name} is no longer available; upload it again.",
            code="photo_image_missing",
        ) from None


async def photo_bytes(session: AsyncSession, storage: Storage, photo: MockupPhoto) -> bytes:
    return await _bytes_of(storage, await photo_file(session, photo))


async def _bytes_of(storage: Storage, record: files.StoredFile) -> bytes:
    with refused_on(files.FileTooLargeToProcess):
        return await files.read_bytes(storage, record, max_bytes=PHOTO_MAX_BYTES)


def decode_photo(data: bytes, max_pixels: int) -> Any:
    with refused_on(images.ImageDecodeError):
        return images.decode_photo(data, max_pixels)


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


# --- adding --------------------------------------------------------------------------------------


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
    place = await places.resolve(session, location, include_inactive=True)
    ensure_may_set_up(principal, place.company_id)
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
    new_photo = partial(
        MockupPhoto,
        location_id=place.id,
        file_id=record.id,
        sha256=record.sha256,
        time_of_day=time_of_day,
        finish=(finish or "other").strip().lower()[:40] or "other",
        width=info.width,
        height=info.height,
        frames=[],
        created_by=principal.user_id,
    )
    photo = await _insert_numbered(session, place, ext, record.id, record.sha256, new_photo)
    log.info("mockup_photo_added", photo_id=str(photo.id), location=place.key)
    return photo_out(photo, place)


async def _insert_numbered(
    session: AsyncSession,
    place: Place,
    ext: str,
    file_id: uuid.UUID,
    sha256: str,
    new_photo: Callable[..., MockupPhoto],
) -> MockupPhoto:
    """Commit a new photo with the location's next number and its name."""
    await files.share_with_company(session, file_id, place.company_id)
    for _attempt in range(3):
        number = await repository.next_number(session, place.id)
        photo = new_photo(number=number, name=f"{place.key}_{number}.{ext}")
        session.add(photo)
        try:
            await session.commit()
        except IntegrityError:
            # Someone added a photo of the same location at the same moment: take the next n.
            await session.rollback()
            if await repository.find_by_sha(session, place.id, sha256) is not None:
                raise Conflict("This photo was just set up by someone else.") from None
            await files.share_with_company(session, file_id, place.company_id)
            continue
        return photo
    raise Conflict("Several photos were added at once; please try again.")


async def _probe_stored(storage: Storage, record: files.StoredFile) -> images.ImageInfo:
    """The image's size from the head of the file (the whole file only when that fails)."""
    head = bytearray()
    async for chunk in await files.open_content(storage, record, 0, min(record.size, PROBE_BYTES)):
        head += chunk
    try:
        return await to_thread.run_sync(images.probe, bytes(head))
    except images.ImageDecodeError:
        if record.size <= PROBE_BYTES:
            raise MockupRejected("This file is not an image that can be read.") from None
    with refused_on(images.ImageDecodeError):
        return await to_thread.run_sync(images.probe, await _bytes_of(storage, record))


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
    scanner: ClamdClient | None = None,
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
        scanner=scanner,
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


# --- frames --------------------------------------------------------------------------------------


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


def saved_frames(photo: MockupPhoto) -> list[Frame]:
    return [parse_frame(f, photo.width, photo.height) for f in photo.frames or []]


async def set_frames(
    session: AsyncSession,
    principal: Principal,
    photo_id: uuid.UUID,
    raw_frames: Sequence[Mapping[str, Any]],
) -> PhotoOut:
    """Replace the photo's frames (validated, settings clamped, unknown settings refused)."""
    photo, place = await _photo_for_setup(session, principal, photo_id)
    frames = parse_frames(raw_frames, photo.width, photo.height)
    photo.frames = [frame_json(f) for f in frames]
    photo.updated_at = utcnow()
    await session.commit()
    log.info("mockup_frames_set", photo_id=str(photo.id), frames=len(frames))
    return photo_out(photo, place)


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
            await files.delete_file(session, storage, READER, file_id)
    log.info("mockup_photo_deleted", photo_id=str(photo_id))


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
    with refused_on(greenscreen.GreenScreenError):
        rgb = greenscreen.parse_colour(colour)
    data = await photo_bytes(session, storage, photo)
    await session.commit()  # hand the connection back while the CPU works

    def detect() -> list[Quad]:
        return greenscreen.detect_green(decode_photo(data, max_pixels), rgb, tolerance)

    await slots.wait()
    try:
        quads = await to_thread.run_sync(detect)
    finally:
        slots.release()
    defaults = FrameSettings().to_dict()
    return [frame_out(quad, defaults) for quad in quads]


# --- preview -------------------------------------------------------------------------------------


def _scaled(frame: Frame, scale: float) -> Frame:
    if scale == 1.0:
        return frame
    quad = cast(Quad, tuple((x * scale, y * scale) for x, y in frame.points))
    return Frame(points=quad, settings=frame.settings)


def _render_preview(
    data: bytes,
    frames: Sequence[Frame],
    creative_data: bytes | None,
    label: str,
    when: str,
    max_side: int,
    max_pixels: int,
) -> bytes:
    """The preview JPEG (in a worker thread): a test poster in each frame unless a creative."""
    image, scale = images.downscale(decode_photo(data, max_pixels), max_side)
    jobs: list[FrameJob] = []
    creative = creatives.decode_creative(creative_data, max_pixels) if creative_data else None
    for frame in frames:
        small = _scaled(frame, scale)
        if creative is None:
            w, h = creatives.poster_size(*creatives.frame_size(small.points))
            jobs.append((small.points, small.settings, poster.render_poster(label, w, h)))
        else:
            jobs.append((small.points, small.settings, creative))
    return compositor.encode(compositor.composite(image, jobs, cast("TimeOfDay", when)))


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
        else saved_frames(photo)
    )
    if not parsed:
        raise MockupRejected("Mark at least one frame on the photo to preview it.")
    creative_data = None
    if creative_file_id is not None:
        record = await files.get_for(session, principal, creative_file_id)
        creative_data = await creatives.creative_bytes(storage, record)
    data = await photo_bytes(session, storage, photo)
    await session.commit()
    when = time_of_day or photo.time_of_day
    label = (text or "").strip() or TEST_CREATIVE_TEXT
    await slots.wait()
    try:
        with refused_on(raster.CompositeError, poster.PosterError):
            return await to_thread.run_sync(
                _render_preview, data, parsed, creative_data, label, when, max_side, max_pixels
            )
    finally:
        slots.release()
