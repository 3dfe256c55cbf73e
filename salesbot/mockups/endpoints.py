"""Mockups API: billboard photos and frames (coordinators, admins), previews, and generation.

`POST /api/mockups` makes the mockup before answering (201) when a composition slot is free;
otherwise it answers 202 with a queued mockup whose `status_url` reports progress until the
image is ready. Compositing always runs in worker threads, never on the event loop.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.files.service import virus_scanner
from salesbot.jobs import enqueue
from salesbot.kit.db import DbSession
from salesbot.kit.deps import AppSettings, AppStorage
from salesbot.kit.errors import AppError, ErrorBody, PayloadTooLarge, ValidationFailed
from salesbot.kit.lazy import lazy_module
from salesbot.kit.pagination import Page
from salesbot.kit.storage import Storage, content_disposition
from salesbot.mockups.presenters import photo_out
from salesbot.mockups.schemas import (
    DetectGreenIn,
    DetectGreenOut,
    FramesIn,
    MockupCreate,
    MockupOut,
    PhotoFields,
    PhotoFromFile,
    PhotoOut,
    PreviewIn,
)
from salesbot.mockups.slots import slots_of
from salesbot.settings import Settings

if TYPE_CHECKING:
    from salesbot.mockups import photos, service
else:
    # Compositing brings numpy and OpenCV: loaded by the first mockup request, not at start-up.
    photos = lazy_module("salesbot.mockups.photos")
    service = lazy_module("salesbot.mockups.service")

router = APIRouter(prefix="/api/mockups", tags=["mockups"], responses=AUTH_RESPONSES)
SetUp = Annotated[Principal, Depends(require("mockups:setup"))]
Generator = Annotated[Principal, Depends(require("mockups:generate"))]

FILE_FIELD = "file"
_FORM_FIELDS = ("location", "time_of_day", "finish")


def _errors(*pairs: tuple[int, str]) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody, "description": text} for status, text in pairs}


_PHOTO_404 = _errors((404, "No such photo"))
_BUSY = _errors((503, "Every composition slot stayed busy; try again shortly"))
_REFUSED = _errors(
    (422, "Invalid frames or settings (unknown keys are named), or an unusable image")
)


class UnsupportedBody(AppError):
    status_code = 415
    code = "unsupported_media_type"


# --- photos ----------------------------------------------------------------------------------

_PHOTO_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": PhotoFromFile.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FILE_FIELD, "location", "time_of_day"],
                    "properties": {
                        FILE_FIELD: {
                            "type": "string",
                            "format": "binary",
                            "description": "The billboard photo (JPEG, PNG or WebP)",
                        },
                        "location": {"type": "string", "maxLength": 200},
                        "time_of_day": {"type": "string", "enum": ["day", "night"]},
                        "finish": {"type": "string", "maxLength": 40},
                    },
                }
            },
        },
    }
}


async def _capped(stream: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    received = 0
    async for chunk in stream:
        received += len(chunk)
        if received > limit:
            raise PayloadTooLarge(
                f"The photo is larger than the limit ({limit // (1024 * 1024)} MB)."
            )
        yield chunk


async def _upload_chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(1024 * 1024):
        yield chunk


def _validation_failed(exc: ValidationError) -> ValidationFailed:
    details = [
        {"field": ".".join(str(p) for p in err["loc"]) or "body", "message": err["msg"]}
        for err in exc.errors()
    ][:20]
    first = details[0] if details else {"field": "body", "message": "invalid"}
    return ValidationFailed(f"Please check {first['field']}: {first['message']}", details=details)


async def _photo_from_form(
    request: Request,
    session: DbSession,
    principal: Principal,
    settings: Settings,
    storage: Storage,
) -> PhotoOut:
    limit = settings.max_upload_mb * 1024 * 1024
    parser = MultiPartParser(
        request.headers,
        _capped(request.stream(), limit + 64 * 1024),
        max_files=1,
        max_fields=len(_FORM_FIELDS),
        max_part_size=1024,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ValidationFailed(str(exc), code="malformed_upload") from None
    except ClientDisconnect:
        raise ValidationFailed("The upload was interrupted; please try again.") from None
    try:
        upload = form.get(FILE_FIELD)
        if not isinstance(upload, UploadFile):
            raise ValidationFailed(f"Send the photo in a form field named '{FILE_FIELD}'.")
        unknown = [key for key in form if key not in (*_FORM_FIELDS, FILE_FIELD)]
        if unknown:
            raise ValidationFailed(f"Unknown form field '{unknown[0][:40]}'.")
        fields = {key: form.get(key) for key in _FORM_FIELDS if form.get(key) is not None}
        try:
            meta = PhotoFields.model_validate(fields)
        except ValidationError as exc:
            raise _validation_failed(exc) from None
        return await photos.upload_photo(
            session,
            storage,
            principal,
            filename=upload.filename or "photo",
            content_type=upload.content_type,
            chunks=_upload_chunks(upload),
            location=meta.location,
            time_of_day=meta.time_of_day,
            finish=meta.finish,
            tmp_dir=settings.tmp_dir,
            max_bytes=limit,
            max_pixels=settings.max_image_pixels,
            scanner=virus_scanner(settings),
        )
    finally:
        await form.close()


@router.post(
    "/photos",
    status_code=201,
    response_model=PhotoOut,
    openapi_extra=_PHOTO_BODY,
    responses={
        **_errors(
            (404, "Unknown location or file"),
            (409, "This photo is already set up for the location"),
            (413, "The photo is larger than the upload limit"),
            (415, "Not JSON or multipart/form-data, or not an allowed image type"),
            (422, "Missing fields, or an unusable image"),
            (503, "The configured virus scanner did not answer"),
        ),
    },
)
async def add_photo(
    request: Request,
    session: DbSession,
    principal: SetUp,
    settings: AppSettings,
    storage: AppStorage,
) -> PhotoOut:
    """Add a billboard photo to a location: upload it (multipart) or name an uploaded file.

    JSON: `{file_id, location, time_of_day, finish}`; multipart: the same fields and the image
    in `file`. The photo is named `{location key}_{n}.{ext}`; mark its frames next.
    """
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        return await _photo_from_form(request, session, principal, settings, storage)
    if not content_type.startswith("application/json"):
        raise UnsupportedBody("Send JSON with a file_id, or the photo as multipart/form-data.")
    try:
        body = PhotoFromFile.model_validate_json(await request.body())
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            raise AppError("The request body is not valid JSON.", code="malformed_json") from None
        raise _validation_failed(exc) from None
    return await photos.add_photo(
        session,
        storage,
        principal,
        location=body.location,
        file_id=body.file_id,
        time_of_day=body.time_of_day,
        finish=body.finish,
        max_pixels=settings.max_image_pixels,
    )


@router.get("/photos", response_model=list[PhotoOut], responses=_errors((404, "Unknown location")))
async def list_photos(
    session: DbSession,
    principal: Generator,
    location: Annotated[str | None, Query(max_length=200, description="Key, name or alias")] = None,
) -> list[PhotoOut]:
    """Billboard photos with their frames, of one location or all."""
    return await photos.list_photos(session, location)


@router.get("/photos/{photo_id}", response_model=PhotoOut, responses=_PHOTO_404)
async def get_photo(photo_id: uuid.UUID, session: DbSession, principal: Generator) -> PhotoOut:
    """One photo with its frames."""
    return photo_out(*await photos.get_photo(session, photo_id))


@router.get(
    "/photos/{photo_id}/image",
    response_class=Response,
    responses={
        **_PHOTO_404,
        200: {
            "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
            "description": "The photo",
        },
    },
)
async def photo_image(
    photo_id: uuid.UUID, session: DbSession, principal: Generator, storage: AppStorage
) -> Response:
    """The photo itself, for the mockup studio."""
    image = await photos.photo_image(session, storage, photo_id)
    return StreamingResponse(
        image.chunks,
        media_type=image.content_type,
        headers={
            "Content-Length": str(image.size),
            "Content-Disposition": content_disposition(image.name, "inline"),
            "Cache-Control": "private, max-age=300",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.put(
    "/photos/{photo_id}/frames",
    response_model=PhotoOut,
    responses={**_PHOTO_404, **_REFUSED},
)
async def set_frames(
    photo_id: uuid.UUID, body: FramesIn, session: DbSession, principal: SetUp
) -> PhotoOut:
    """Replace the photo's frames: four corners each (any order) and look settings.

    Settings out of range are clamped (edge_blur made odd); unknown settings are refused with
    their name. An empty list removes every frame.
    """
    raw = [frame.model_dump(exclude_none=True) for frame in body.frames]
    return await photos.set_frames(session, principal, photo_id, raw)


@router.post(
    "/photos/{photo_id}/detect-green",
    response_model=DetectGreenOut,
    responses={**_PHOTO_404, **_BUSY, **_errors((422, "Invalid colour or tolerance"))},
)
async def detect_green(
    photo_id: uuid.UUID,
    request: Request,
    session: DbSession,
    principal: SetUp,
    settings: AppSettings,
    storage: AppStorage,
    body: DetectGreenIn | None = None,
) -> DetectGreenOut:
    """Find screen-coloured areas (default green) and return them as candidate frames."""
    body = body or DetectGreenIn()
    frames = await photos.detect_frames(
        session,
        storage,
        principal,
        photo_id,
        colour=body.colour,
        tolerance=body.tolerance,
        slots=slots_of(request.app.state),
        max_pixels=settings.max_image_pixels,
    )
    return DetectGreenOut(frames=frames)


@router.post(
    "/preview",
    response_class=Response,
    responses={
        **_PHOTO_404,
        **_BUSY,
        **_REFUSED,
        200: {"content": {"image/jpeg": {}}, "description": "The photo with the creative placed"},
    },
)
async def preview(
    body: PreviewIn,
    request: Request,
    session: DbSession,
    principal: SetUp,
    settings: AppSettings,
    storage: AppStorage,
) -> Response:
    """Render the photo with the given (or saved) frames and a test poster or given creative."""
    data = await photos.preview(
        session,
        storage,
        principal,
        photo_id=body.photo_id,
        frames=[f.model_dump(exclude_none=True) for f in body.frames]
        if body.frames is not None
        else None,
        time_of_day=body.time_of_day,
        creative_file_id=body.creative_file_id,
        text=body.text,
        max_side=body.max_side,
        slots=slots_of(request.app.state),
        max_pixels=settings.max_image_pixels,
    )
    return Response(content=data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.delete("/photos/{photo_id}", status_code=204, response_class=Response, responses=_PHOTO_404)
async def delete_photo(
    photo_id: uuid.UUID, session: DbSession, principal: SetUp, storage: AppStorage
) -> Response:
    """Remove a photo and its image; mockups made from it are kept."""
    await photos.delete_photo(session, storage, principal, photo_id)
    return Response(status_code=204)


# --- mockups ---------------------------------------------------------------------------------


@router.post(
    "",
    response_model=MockupOut,
    status_code=201,
    responses={
        202: {"model": MockupOut, "description": "Queued: follow `status_url` until done"},
        **_errors(
            (404, "Unknown location, photo or creative"),
            (
                422,
                "Cannot be made, e.g. `This location's photos have 2 or 3 frames; you sent 4 "
                "creatives. Send 1, 2 or 3.`",
            ),
        ),
    },
)
async def create_mockup(
    body: MockupCreate,
    request: Request,
    session: DbSession,
    principal: Generator,
    settings: AppSettings,
    storage: AppStorage,
) -> Response:
    """Place creatives (uploaded `file_ids`, a `prompt`, or your last ones) on a billboard photo.

    1 creative fills every frame; N creatives fill N frames and only photos with exactly N
    frames qualify. `time_of_day`, `finish` or `photo_id` narrow the photo; otherwise one of
    the location's photos is picked at random.
    """
    state = request.app.state
    mockup = await service.create_mockup(
        session,
        storage,
        principal,
        body,
        settings=settings,
        memory=service.memory_of(state),
        slots=slots_of(state),
        enqueue=enqueue,
    )
    out = await service.to_out(session, mockup)
    status = 202 if out.status in ("queued", "running") else 201
    headers = {"Location": out.status_url} if status == 202 else {}
    return JSONResponse(out.model_dump(mode="json"), status_code=status, headers=headers)


@router.get("", response_model=Page[MockupOut])
async def list_mockups(
    session: DbSession,
    principal: Generator,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[MockupOut]:
    """Your mockups, newest first."""
    items, next_cursor = await service.list_mockups(session, principal, cursor=cursor, limit=limit)
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.get("/{mockup_id}", response_model=MockupOut, responses=_errors((404, "No such mockup")))
async def get_mockup(mockup_id: uuid.UUID, session: DbSession, principal: Generator) -> MockupOut:
    """A mockup's status and progress, and its image once done."""
    return await service.to_out(session, await service.get_mockup(session, principal, mockup_id))
