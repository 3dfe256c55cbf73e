"""Inventory API: availability per location, holds, company-wide occupancy by week."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.inventory import export, holds, service
from salesbot.inventory.schemas import AvailabilityOut, CommitmentOut, HoldList, OccupancyOut
from salesbot.kit.db import DbSession
from salesbot.kit.deps import AppSettings
from salesbot.kit.errors import ErrorBody
from salesbot.kit.storage import content_disposition

router = APIRouter(prefix="/api", tags=["inventory"], responses=AUTH_RESPONSES)
Reader = Annotated[Principal, Depends(require("locations:read"))]
Holder = Annotated[Principal, Depends(require("proposals:create"))]
KeyPath = Annotated[str, Path(min_length=1, max_length=80, description="The location's key")]
FromDay = Annotated[date | None, Query(alias="from", description="First day (default today)")]
ToDay = Annotated[date | None, Query(alias="to", description="Last day (default 30 days on)")]
Weeks = Annotated[int, Query(ge=1, le=service.MAX_WEEKS, description="How many weeks")]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such location or hold"}
}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The hold has ended or was renewed already"}
}
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorBody, "description": "The range is reversed or too long"}
}


@router.get(
    "/locations/{key}/availability",
    response_model=AvailabilityOut,
    responses={**_NOT_FOUND, **_INVALID},
)
async def availability(
    key: KeyPath,
    session: DbSession,
    principal: Reader,
    settings: AppSettings,
    from_day: FromDay = None,
    to_day: ToDay = None,
) -> AvailabilityOut:
    """Booked (approved booking orders), held (live proposal holds) and free, day by day."""
    start = from_day or service.today(settings)
    return await service.availability(session, settings, key, start, to_day)


@router.get("/inventory/holds", response_model=HoldList, responses=_NOT_FOUND)
async def list_holds(
    session: DbSession,
    principal: Reader,
    settings: AppSettings,
    location: Annotated[str | None, Query(max_length=80, description="A location key")] = None,
) -> HoldList:
    """Every live hold, whoever placed it (visible to every salesperson)."""
    return await holds.list_holds(session, settings, key=location)


@router.post(
    "/inventory/holds/{hold_id}/renew",
    response_model=CommitmentOut,
    responses={**_NOT_FOUND, **_CONFLICT},
)
async def renew_hold(
    hold_id: uuid.UUID, session: DbSession, principal: Holder, settings: AppSettings
) -> CommitmentOut:
    """Extend a live hold once (its owner or an admin)."""
    return await holds.renew(session, settings, principal, hold_id)


@router.delete("/inventory/holds/{hold_id}", status_code=204, responses=_NOT_FOUND)
async def release_hold(hold_id: uuid.UUID, session: DbSession, principal: Holder) -> Response:
    """Let a hold go (its owner or an admin)."""
    await holds.release(session, principal, hold_id)
    return Response(status_code=204)


@router.get("/inventory/occupancy", response_model=OccupancyOut, responses=_INVALID)
async def occupancy(
    session: DbSession,
    principal: Reader,
    settings: AppSettings,
    from_day: FromDay = None,
    weeks: Weeks = 12,
) -> OccupancyOut:
    """Every location's booked and held share of each week (Monday first)."""
    return await service.weekly_occupancy(session, from_day or service.today(settings), weeks)


@router.get(
    "/inventory/occupancy/export",
    response_class=Response,
    responses={
        200: {
            "description": "The occupancy view as an Excel workbook",
            "content": {export.XLSX: {"schema": {"type": "string"}}},
        },
        **_INVALID,
    },
)
async def export_occupancy(
    session: DbSession,
    principal: Reader,
    settings: AppSettings,
    from_day: FromDay = None,
    weeks: Weeks = 12,
) -> Response:
    """The occupancy view as XLSX."""
    view = await service.weekly_occupancy(session, from_day or service.today(settings), weeks)
    return Response(
        content=export.occupancy_xlsx(view),
        media_type=export.XLSX,
        headers={"Content-Disposition": content_disposition("occupancy.xlsx")},
    )
