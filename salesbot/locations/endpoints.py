"""Location catalogue API: list, match, admin create/edit/delete, templates, import/export."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.commercial import service as commercial
from salesbot.kit.db import DbSession
from salesbot.kit.deps import AppSettings, AppStorage
from salesbot.kit.errors import ErrorBody
from salesbot.kit.pagination import Page
from salesbot.kit.storage import content_disposition
from salesbot.locations import bulk, catalogue, photos, service
from salesbot.locations.schemas import (
    DisplayType,
    ImportReport,
    ImportRequest,
    LocationCreate,
    LocationOut,
    LocationUpdate,
    MatchOut,
    PhotoRequest,
    TemplateRequest,
)

router = APIRouter(prefix="/api/locations", tags=["locations"], responses=AUTH_RESPONSES)
Reader = Annotated[Principal, Depends(require("locations:read"))]
Admin = Annotated[Principal, Depends(require("locations:manage"))]
KeyPath = Annotated[str, Path(min_length=1, max_length=80, description="The location's key")]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No location with this key"}
}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "Another location already has this key"}
}
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "A field is invalid (details name it)"}
}
_FILE_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such location or file"}
}


@router.get("", response_model=Page[LocationOut])
async def list_locations(
    session: DbSession,
    principal: Reader,
    display_type: DisplayType | None = None,
    company: Annotated[str | None, Query(max_length=120, description="Code or name")] = None,
    include_inactive: Annotated[
        bool, Query(description="Also inactive locations (admins only)")
    ] = False,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[LocationOut]:
    """The catalogue ordered by key; inactive locations only for admins who ask."""
    items, next_cursor = await service.list_locations(
        session,
        display_type=display_type,
        company=company,
        include_inactive=include_inactive and principal.has("locations:manage"),
        cursor=cursor,
        limit=limit,
    )
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.post("", response_model=LocationOut, status_code=201, responses={**_CONFLICT, **_INVALID})
async def create_location(
    body: LocationCreate,
    session: DbSession,
    principal: Admin,
    settings: AppSettings,
) -> LocationOut:
    """Add a location (admins)."""
    return await service.create_location(
        session,
        body,
        actor=principal,
        default_upload_fee=commercial.default_upload_fee(settings),
    )


@router.get("/match", response_model=MatchOut)
async def match_location(
    session: DbSession,
    principal: Reader,
    q: Annotated[str, Query(max_length=200, description="A user's words for a location")],
) -> MatchOut:
    """Which active location a name means: one, several close ones, or none with suggestions."""
    return await service.match(session, q)


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "The catalogue in the import format",
            "content": {
                media: {"schema": {"type": "string"}} for media in catalogue.MEDIA_TYPES.values()
            },
        }
    },
)
async def export_locations(
    session: DbSession,
    principal: Admin,
    fmt: Annotated[
        Literal["csv", "xlsx"], Query(alias="format", description="csv or xlsx")
    ] = "csv",
) -> Response:
    """Every location as CSV or XLSX, with the columns the import reads (admins)."""
    data = await bulk.export_catalogue(session, fmt)
    return Response(
        content=data,
        media_type=catalogue.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": content_disposition(f"locations.{fmt}")},
    )


@router.post(
    "/import", response_model=ImportReport, responses={**_FILE_NOT_FOUND, **_CONFLICT, **_INVALID}
)
async def import_locations(
    body: ImportRequest,
    session: DbSession,
    principal: Admin,
    settings: AppSettings,
    storage: AppStorage,
) -> ImportReport:
    """Create or update locations from an uploaded CSV/XLSX file (admins).

    All or nothing: when any row has a problem, nothing is written and the 422 error's
    `details.rows` lists every failing row (`row`, `key`, `errors`). Rows are matched by key;
    locations not in the file are left as they are. `dry_run` checks without writing.
    """
    return await bulk.import_catalogue(
        session,
        storage,
        body.file_id,
        actor=principal,
        default_upload_fee=commercial.default_upload_fee(settings),
        dry_run=body.dry_run,
    )


@router.get("/{key}", response_model=LocationOut, responses=_NOT_FOUND)
async def get_location(key: KeyPath, session: DbSession, principal: Reader) -> LocationOut:
    """One location by key."""
    return await service.out(session, await service.get_location(session, key))


@router.patch(
    "/{key}", response_model=LocationOut, responses={**_NOT_FOUND, **_CONFLICT, **_INVALID}
)
async def update_location(
    key: KeyPath,
    body: LocationUpdate,
    session: DbSession,
    principal: Admin,
    settings: AppSettings,
) -> LocationOut:
    """Change some fields of a location (admins); `is_active: false` deactivates it."""
    location = await service.get_location(session, key)
    return await service.update_location(
        session,
        location,
        body,
        actor=principal,
        default_upload_fee=commercial.default_upload_fee(settings),
    )


@router.delete("/{key}", status_code=204, response_class=Response, responses=_NOT_FOUND)
async def delete_location(key: KeyPath, session: DbSession, principal: Admin) -> Response:
    """Delete a location (admins); past proposals keep their copy of it."""
    location = await service.get_location(session, key)
    await service.delete_location(session, location, actor=principal)
    return Response(status_code=204)


@router.put(
    "/{key}/template", response_model=LocationOut, responses={**_FILE_NOT_FOUND, **_INVALID}
)
async def set_template(
    key: KeyPath,
    body: TemplateRequest,
    session: DbSession,
    principal: Admin,
    storage: AppStorage,
) -> LocationOut:
    """Use an uploaded .pptx as the location's deck, or `null` for the generated default."""
    location = await service.get_location(session, key)
    return await service.set_template(
        session,
        storage,
        location,
        body.file_id,
        actor=principal,
    )


@router.put("/{key}/photo", response_model=LocationOut, responses={**_FILE_NOT_FOUND, **_INVALID})
async def set_photo(
    key: KeyPath,
    body: PhotoRequest,
    session: DbSession,
    principal: Admin,
    storage: AppStorage,
) -> LocationOut:
    """Show an uploaded image on the location's proposal slides, or `null` for the best mockup
    photo (proposals use a small copy made once, not the image itself)."""
    location = await service.get_location(session, key)
    return await photos.set_photo(session, storage, location, body.file_id, actor=principal)
