"""Creatives: which ones a request means (uploaded, described, or remembered), reading them,
and making one from a description (the image service, else a typographic poster)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.files import service as files
from salesbot.kit.errors import NotFound, ValidationFailed
from salesbot.kit.logging import get_logger
from salesbot.kit.storage import Storage
from salesbot.mockups import images, poster, repository
from salesbot.mockups.access import READER
from salesbot.mockups.errors import NOT_AN_IMAGE, NOTHING_TO_REUSE, MockupRejected, refused_on
from salesbot.mockups.frames import Frame
from salesbot.mockups.images import ImageProvider, ImageProviderError
from salesbot.mockups.memory import CreativeMemory
from salesbot.mockups.models import Mockup
from salesbot.mockups.schemas import MockupCreate
from salesbot.settings import Settings

log = get_logger(__name__)

Progress = Callable[[int, str], Awaitable[None]]

CREATIVE_MAX_BYTES = 50 * 1024 * 1024
POSTER_LONG_SIDE = 2048
POSTER_SHORT_MIN = 256


@dataclass(frozen=True)
class Creatives:
    source: Literal["upload", "ai", "poster"]
    file_ids: tuple[uuid.UUID, ...] = ()
    prompt: str | None = None

    @property
    def count(self) -> int:
        return len(self.file_ids) or 1


# --- shapes --------------------------------------------------------------------------------------


def frame_size(points: Sequence[Sequence[float]]) -> tuple[float, float]:
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


# --- reading -------------------------------------------------------------------------------------


async def creative_bytes(storage: Storage, record: files.StoredFile) -> bytes:
    if not record.is_image:
        raise MockupRejected(NOT_AN_IMAGE.format(name=record.safe_name))
    with refused_on(files.FileTooLargeToProcess):
        return await files.read_bytes(storage, record, max_bytes=CREATIVE_MAX_BYTES)


def decode_creative(data: bytes, max_pixels: int) -> Any:
    with refused_on(images.ImageDecodeError):
        return images.decode_creative(data, max_pixels)


# --- which creatives a request means -------------------------------------------------------------


async def _uploaded(
    session: AsyncSession, principal: Principal, file_ids: Sequence[uuid.UUID]
) -> tuple[uuid.UUID, ...]:
    records = await files.resolve_attachments(session, principal, file_ids)
    for record in records:
        if not record.is_image:
            raise MockupRejected(NOT_AN_IMAGE.format(name=record.safe_name))
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


async def for_request(
    session: AsyncSession,
    principal: Principal,
    body: MockupCreate,
    memory: CreativeMemory,
    settings: Settings,
) -> Creatives:
    """Uploaded files, else the description, else the remembered creatives."""
    if body.file_ids:
        return Creatives("upload", await _uploaded(session, principal, body.file_ids))
    prompt = " ".join((body.prompt or "").split())
    if prompt:
        return Creatives(_prompt_source(settings), (), prompt)
    # Nothing new given: the remembered creatives (asked for, or the only thing there is).
    return await _remembered(session, principal, memory, settings)


# --- the creatives of a recorded mockup ----------------------------------------------------------


def _configured_provider(settings: Settings) -> ImageProvider | None:
    try:
        return images.provider_from_settings(settings)
    except ImageProviderError as exc:
        log.warning("image_provider_misconfigured", reason=str(exc))
        return None


def _as_png(data: bytes) -> bytes:
    return images.png_bytes(images.decode_creative(data, 10**9))


async def _ai_creative(
    session: AsyncSession,
    storage: Storage,
    mockup: Mockup,
    provider: ImageProvider,
    size: tuple[float, float],
) -> bytes | None:
    """The image service's creative, stored as the user's file; None when the service fails."""
    shape = poster.orientation(*size)
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
        owner_id=mockup.owner_id or READER.user_id,
        name=f"{mockup.location_key}_creative.{ext}",
        data=data,
        content_type=content_type,
    )
    mockup.creative_file_ids = [str(record.id)]
    return data


async def _poster_creative(
    session: AsyncSession, storage: Storage, mockup: Mockup, size: tuple[float, float]
) -> bytes:
    width, height = poster_size(*size)
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


async def _stored(session: AsyncSession, storage: Storage, mockup: Mockup) -> list[bytes]:
    out = []
    for file_id in mockup.creative_file_ids or []:
        try:
            record = await files.get_for(session, READER, uuid.UUID(file_id))
        except NotFound:
            raise MockupRejected(
                "A creative of this mockup is no longer available; upload it again."
            ) from None
        out.append(await creative_bytes(storage, record))
    return out


async def creative_data(
    session: AsyncSession,
    storage: Storage,
    settings: Settings,
    mockup: Mockup,
    frames: Sequence[Frame],
    report: Progress,
    provider: ImageProvider | None,
) -> list[bytes]:
    """The creatives' bytes, in order: uploaded or remembered files, else made from the prompt."""
    if mockup.creative_file_ids:
        return await _stored(session, storage, mockup)
    # One creative fills every frame: shape it like the largest one.
    size = max((frame_size(f.points) for f in frames), key=lambda s: s[0] * s[1])
    if mockup.creative_source == "ai":
        chosen = provider or _configured_provider(settings)
        if chosen is not None:
            await report(20, "Asking the image service for the creative")
            data = await _ai_creative(session, storage, mockup, chosen, size)
            if data is not None:
                return [data]
        # The flow still works when the service is down: a typographic poster instead.
        mockup.creative_source = "poster"
    await report(25, "Drawing the creative")
    return [await _poster_creative(session, storage, mockup, size)]
