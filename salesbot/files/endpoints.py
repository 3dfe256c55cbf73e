"""Files API: streamed multipart upload, metadata, authorised download with ranges, delete.

Files are addressed by id only; no route takes a path or a name to find a file.
"""

from __future__ import annotations

import re
import uuid
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.files import service
from salesbot.files.schemas import FileOut, Purpose
from salesbot.kit.db import DbSession
from salesbot.kit.errors import AppError, ErrorBody
from salesbot.kit.pagination import Page
from salesbot.kit.storage import Storage, content_disposition
from salesbot.settings import Settings

if TYPE_CHECKING:
    from salesbot.files.models import FileRecord

router = APIRouter(prefix="/api/files", tags=["files"], responses=AUTH_RESPONSES)
Uploader = Annotated[Principal, Depends(require("files:upload"))]
Reader = Annotated[Principal, Depends(require("files:read"))]
Deleter = Annotated[Principal, Depends(require("files:delete"))]

FIELD_NAME = "files"
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such file, or not yours"}
}
_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


class UnsupportedUpload(AppError):
    status_code = 415
    code = "unsupported_media_type"


class MalformedUpload(AppError):
    status_code = 422
    code = "malformed_upload"


class UploadInterrupted(AppError):
    status_code = 400
    code = "upload_interrupted"


class RangeNotSatisfiable(AppError):
    status_code = 416
    code = "range_not_satisfiable"


def _storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


def file_out(record: FileRecord) -> FileOut:
    return FileOut(
        id=record.id,
        name=record.safe_name,
        original_name=record.original_name,
        kind=record.kind,
        content_type=record.content_type,
        size=record.size,
        sha256=record.sha256,
        purpose=record.purpose,
        created_at=record.created_at,
        download_url=service.download_url(record),
        preview_url=service.preview_url(record),
    )


class _MultipartBody:
    """A multipart/form-data body as file parts whose bytes stream in as they arrive.

    python-multipart's push parser is fed one received chunk at a time, so memory stays at
    about one chunk however large the files are (unlike `request.form()`, which spools).
    """

    def __init__(self, body: AsyncIterator[bytes], boundary: bytes) -> None:
        self._body = body
        self._events: deque[tuple[str, Any]] = deque()
        self._finished_body = False
        self._headers: list[tuple[bytes, bytes]] = []
        self._name = b""
        self._value = b""
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )

    def _on_part_begin(self) -> None:
        self._headers = []

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers.append((self._name.lower(), self._value))
        self._name = self._value = b""

    def _on_headers_finished(self) -> None:
        self._events.append(("part", self._headers))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if end > start:
            self._events.append(("data", data[start:end]))

    def _on_part_end(self) -> None:
        self._events.append(("part_end", None))

    def _on_end(self) -> None:
        self._events.append(("end", None))

    async def _next(self) -> tuple[str, Any]:
        while not self._events:
            if self._finished_body:
                raise MalformedUpload("The upload ended before it was complete.")
            try:
                chunk = await anext(self._body)
            except StopAsyncIteration:
                self._finished_body = True
                continue
            try:
                self._parser.write(chunk)
            except MultipartParseError:
                raise MalformedUpload("The upload is not a valid multipart form.") from None
        return self._events.popleft()

    async def _part_data(self) -> AsyncIterator[bytes]:
        while True:
            event, value = await self._next()
            if event == "part_end":
                return
            if event != "data":
                raise MalformedUpload("The upload is not a valid multipart form.")
            yield value

    async def parts(self) -> AsyncIterator[service.UploadPart]:
        while True:
            event, value = await self._next()
            if event == "end":
                return
            if event != "part":
                raise MalformedUpload("The upload is not a valid multipart form.")
            filename, content_type = _file_part(value)
            data = self._part_data()
            yield service.UploadPart(filename, content_type, data)
            # A consumer that stopped early leaves the rest of the part: skip it.
            async for _ in data:
                pass


def _file_part(headers: list[tuple[bytes, bytes]]) -> tuple[str, str | None]:
    values = dict(headers)
    _, options = parse_options_header(values.get(b"content-disposition"))
    filename = options.get(b"filename")
    if options.get(b"name") != FIELD_NAME.encode() or filename is None:
        raise MalformedUpload(f"Send each file in a form field named '{FIELD_NAME}'.")
    declared = values.get(b"content-type")
    # Browsers send UTF-8 names; the header parser hands them over as latin-1 bytes.
    return (
        filename.decode("utf-8", errors="replace"),
        declared.decode("latin-1") if declared is not None else None,
    )


def _boundary(content_type: str | None) -> bytes:
    media_type, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary or len(boundary) > 200:
        raise UnsupportedUpload(
            f"Send files as multipart/form-data in a form field named '{FIELD_NAME}'."
        )
    return boundary


_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [FIELD_NAME],
                    "properties": {
                        FIELD_NAME: {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "One or more files (images, PDF, Office, CSV, text)",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "",
    status_code=201,
    response_model=list[FileOut],
    openapi_extra=_UPLOAD_BODY,
    responses={
        400: {"model": ErrorBody, "description": "The upload was interrupted"},
        413: {"model": ErrorBody, "description": "A file is larger than the limit"},
        415: {"model": ErrorBody, "description": "A file's type is not allowed"},
        422: {"model": ErrorBody, "description": "A file is empty, damaged or malformed"},
    },
)
async def upload_files(request: Request, session: DbSession, principal: Uploader) -> list[FileOut]:
    """Upload one or many files (each checked by content and stored); all or nothing."""
    settings: Settings = request.app.state.settings
    await request.app.state.ratelimiter.check(
        "upload", settings.rate_limit_upload, str(principal.user_id)
    )
    body = _MultipartBody(request.stream(), _boundary(request.headers.get("content-type")))
    try:
        records = await service.upload_stream(
            session,
            _storage(request),
            owner_id=principal.user_id,
            parts=body.parts(),
            tmp_dir=settings.tmp_dir,
            max_bytes=settings.max_upload_mb * 1024 * 1024,
            max_pixels=settings.max_image_pixels,
        )
    except ClientDisconnect:
        raise UploadInterrupted("The upload was interrupted; please try again.") from None
    return [file_out(record) for record in records]


@router.get("", response_model=Page[FileOut])
async def list_files(
    session: DbSession,
    principal: Reader,
    purpose: Purpose | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[FileOut]:
    """Your own files, newest first."""
    page = await service.list_own(session, principal, purpose=purpose, cursor=cursor, limit=limit)
    return Page(
        items=[file_out(r) for r in page.items],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.get("/{file_id}", response_model=FileOut, responses=_NOT_FOUND)
async def get_file(file_id: uuid.UUID, session: DbSession, principal: Reader) -> FileOut:
    """One file's metadata."""
    return file_out(await service.get_for(session, principal, file_id))


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) for a single `bytes=` range; None to send everything (RFC 9110 §14.2)."""
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None:  # absent, another unit or several ranges: a full response is allowed
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0:
            raise _unsatisfiable(size)
        return max(0, size - suffix), size
    start = int(first)
    if last and int(last) < start:
        return None  # an invalid range is ignored, not refused
    if start >= size:
        raise _unsatisfiable(size)
    return start, size if not last else min(int(last) + 1, size)


def _unsatisfiable(size: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        "The requested range is outside the file.",
        headers={"Content-Range": f"bytes */{size}"},
    )


@router.get(
    "/{file_id}/content",
    response_class=Response,
    responses={
        **_NOT_FOUND,
        # Served as the type it was stored with (an upload's checked kind or a generated document).
        200: {"content": {"*/*": _BINARY}, "description": "The file, as its own content type"},
        206: {"content": {"*/*": _BINARY}, "description": "Part of the file"},
        307: {"description": "Redirect to a short-lived signed URL (S3-compatible storage)"},
        416: {"model": ErrorBody, "description": "The range is outside the file"},
    },
)
async def download_file(
    file_id: uuid.UUID,
    request: Request,
    session: DbSession,
    principal: Reader,
    inline: bool = False,
) -> Response:
    """The file's bytes (Range supported); `inline=1` shows images and PDFs in the browser."""
    settings: Settings = request.app.state.settings
    storage = _storage(request)
    record = await service.get_for(session, principal, file_id)
    show_inline = inline and service.inline_allowed(record)
    if not show_inline:
        url = await service.presigned_download(storage, record, settings.storage_s3_presign_seconds)
        if url is not None:
            return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    byte_range = _byte_range(request.headers.get("range"), record.size)
    start, end = byte_range or (0, record.size)
    chunks = await service.open_content(storage, record, start, end)
    headers = {
        "Content-Disposition": content_disposition(
            record.safe_name, "inline" if show_inline else "attachment"
        ),
        "Content-Length": str(end - start),
        "Accept-Ranges": "bytes",
        "ETag": f'"{record.sha256}"',
        "Cache-Control": "private, max-age=300",
        "X-Content-Type-Options": "nosniff",
    }
    if byte_range is not None:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{record.size}"
    return StreamingResponse(
        chunks,
        status_code=206 if byte_range is not None else 200,
        media_type=record.content_type,
        headers=headers,
    )


@router.delete("/{file_id}", status_code=204, response_class=Response, responses=_NOT_FOUND)
async def delete_file(
    file_id: uuid.UUID, request: Request, session: DbSession, principal: Deleter
) -> Response:
    """Delete a file you uploaded (its bytes are removed from storage)."""
    await service.delete_file(session, _storage(request), principal, file_id)
    return Response(status_code=204)
