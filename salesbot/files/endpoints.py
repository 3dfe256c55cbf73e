"""Files API: streamed multipart upload, metadata, authorised download with ranges, delete.

Files are addressed by id only; no route takes a path or a name to find a file.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse, StreamingResponse
from starlette.requests import ClientDisconnect

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.files import service
from salesbot.files.schemas import FileOut, Purpose
from salesbot.kit.db import DbSession
from salesbot.kit.deps import AppRateLimiter, AppSettings, AppStorage
from salesbot.kit.errors import ErrorBody
from salesbot.kit.http import ranges
from salesbot.kit.http.multipart import MultipartFiles, UploadInterrupted, form_boundary
from salesbot.kit.pagination import Page
from salesbot.kit.storage import content_disposition

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
        422: {
            "model": ErrorBody,
            "description": "A file is empty, damaged, malformed, carries active content "
            "(scripts, embedded files, data after an image) or a virus",
        },
        503: {"model": ErrorBody, "description": "The configured virus scanner did not answer"},
    },
)
async def upload_files(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    storage: AppStorage,
    limiter: AppRateLimiter,
    principal: Uploader,
) -> list[FileOut]:
    """Upload one or many files (each checked by content and stored); all or nothing."""
    await limiter.check("upload", settings.rate_limit_upload, str(principal.user_id))
    boundary = form_boundary(request.headers.get("content-type"), FIELD_NAME)
    body = MultipartFiles(request.stream(), boundary, FIELD_NAME)
    try:
        records = await service.upload_stream(
            session,
            storage,
            owner_id=principal.user_id,
            parts=body.parts(),
            tmp_dir=settings.tmp_dir,
            max_bytes=settings.max_upload_mb * 1024 * 1024,
            max_pixels=settings.max_image_pixels,
            scanner=service.virus_scanner(settings),
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
    settings: AppSettings,
    storage: AppStorage,
    principal: Reader,
    inline: bool = False,
) -> Response:
    """The file's bytes (Range supported); `inline=1` shows images and PDFs in the browser."""
    record = await service.get_for(session, principal, file_id)
    show_inline = inline and service.inline_allowed(record)
    if not show_inline:
        url = await service.presigned_download(storage, record, settings.storage_s3_presign_seconds)
        if url is not None:
            return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    byte_range = ranges.byte_range(request.headers.get("range"), record.size)
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
        headers["Content-Range"] = ranges.content_range(start, end, record.size)
    return StreamingResponse(
        chunks,
        status_code=206 if byte_range is not None else 200,
        media_type=record.content_type,
        headers=headers,
    )


@router.delete("/{file_id}", status_code=204, response_class=Response, responses=_NOT_FOUND)
async def delete_file(
    file_id: uuid.UUID, session: DbSession, storage: AppStorage, principal: Deleter
) -> Response:
    """Delete a file you uploaded (its bytes are removed from storage)."""
    await service.delete_file(session, storage, principal, file_id)
    return Response(status_code=204)
