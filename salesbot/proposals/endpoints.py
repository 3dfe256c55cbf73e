"""Proposals API (create, history, duplicate, export) and the currency-rate settings.

`POST /api/proposals` answers once the files are made: rendering is a job (`proposals.render`,
on a worker, or in this process without Redis) that the request waits for (a single proposal
takes well under a second). With `?render_id=` the form polls
`GET /api/proposal-renders/{render_id}` meanwhile for its progress. Chat uses the same flow
through the assistant tools, its progress as run events.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.inventory.schemas import HoldsOut
from salesbot.kit.db import DbSession
from salesbot.kit.deps import AppSettings
from salesbot.kit.errors import ErrorBody
from salesbot.kit.pagination import Page
from salesbot.kit.query import QueryDate
from salesbot.kit.storage import content_disposition
from salesbot.proposals import export, flows, holding, service
from salesbot.proposals.schemas import (
    DuplicateRequest,
    ProposalCreate,
    ProposalOut,
    ProposalPreview,
    ProposalSummary,
    RenderProgressOut,
)

router = APIRouter(prefix="/api/proposals", tags=["proposals"], responses=AUTH_RESPONSES)
# Not under /api/proposals: it reads a request's progress (its requester's only), not history.
renders_router = APIRouter(
    prefix="/api/proposal-renders", tags=["proposals"], responses=AUTH_RESPONSES
)
Creator = Annotated[Principal, Depends(require("proposals:create"))]
Reader = Annotated[Principal, Depends(require("proposals:read"))]
Exporter = Annotated[Principal, Depends(require("proposals:export"))]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such proposal, or not visible to you"}
}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "A new version was made at the same moment"}
}
_REJECTED: dict[int | str, dict[str, Any]] = {
    422: {
        "model": ErrorBody,
        "description": "The proposal cannot be produced (e.g. `Unknown location 'x' in "
        "proposal 2`); nothing was stored",
    }
}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ClientFilter = Annotated[str | None, Query(max_length=120, description="Part of the client name")]
LocationFilter = Annotated[str | None, Query(max_length=200, description="Key, name or alias")]
DateFrom = Annotated[QueryDate | None, Query(description="Proposal date on or after")]
DateTo = Annotated[QueryDate | None, Query(description="Proposal date on or before")]
RenderId = Annotated[
    uuid.UUID | None,
    Query(description="A new UUID of your choosing: follow it at /api/proposal-renders/{it}"),
]
_PENDING: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorBody, "description": "Still rendering after the wait; it will be listed"}
}


@router.post(
    "",
    response_model=ProposalOut,
    status_code=201,
    responses={**_CONFLICT, **_REJECTED, **_PENDING},
)
async def create_proposal(
    body: Annotated[ProposalCreate, Body()],
    session: DbSession,
    principal: Creator,
    settings: AppSettings,
    render_id: RenderId = None,
) -> ProposalOut:
    """Price and produce a proposal (`kind`: separate or combined) with its PPTX and PDF.

    The answer has every location's figures per rate option (exact AED amounts and display
    text) and the produced files as cards with download URLs.
    """
    proposal = await flows.produce(session, principal, body, settings=settings, render_id=render_id)
    return await holding.with_inventory(session, settings, service.to_out(proposal))


@renders_router.get("/{render_id}", response_model=RenderProgressOut, responses=_NOT_FOUND)
async def render_progress(render_id: uuid.UUID, principal: Creator) -> RenderProgressOut:
    """How far your rendering `render_id` is (kept an hour): its steps, then its outcome."""
    snapshot = await flows.render_progress(principal, render_id)
    result = snapshot.result or {}
    return RenderProgressOut(
        status=snapshot.status,
        percent=snapshot.percent,
        message=snapshot.message,
        steps=[text for _, text in snapshot.steps],
        proposal_id=result.get("proposal_id"),
        error=snapshot.error,
    )


@router.post("/preview", response_model=ProposalPreview, responses=_REJECTED)
async def preview_proposal(
    body: Annotated[ProposalCreate, Body()],
    session: DbSession,
    principal: Creator,
    settings: AppSettings,
) -> ProposalPreview:
    """The figures the same body would produce, for live totals; nothing is made or stored."""
    preview = await service.preview_proposal(session, body, settings=settings)
    return await holding.with_inventory(session, settings, preview)


@router.get("", response_model=Page[ProposalSummary])
async def list_proposals(
    session: DbSession,
    principal: Reader,
    client: ClientFilter = None,
    location: LocationFilter = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[ProposalSummary]:
    """History, newest first: your own; heads of sales also their company's; admins all."""
    items, next_cursor = await service.list_proposals(
        session,
        principal,
        client=client,
        location=location,
        date_from=date_from,
        date_to=date_to,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=items, next_cursor=next_cursor, has_more=next_cursor is not None)


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "An Excel sheet, one row per rate option",
            "content": {_XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def export_proposals(
    session: DbSession,
    principal: Exporter,
    settings: AppSettings,
    client: ClientFilter = None,
    location: LocationFilter = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> Response:
    """Every proposal you may see as Excel (admins: all proposals)."""
    data = await export.export_proposals(
        session,
        principal,
        settings=settings,
        client=client,
        location=location,
        date_from=date_from,
        date_to=date_to,
    )
    return Response(
        content=data,
        media_type=_XLSX,
        headers={"Content-Disposition": content_disposition("proposals.xlsx")},
    )


@router.get("/{proposal_id}", response_model=ProposalOut, responses=_NOT_FOUND)
async def get_proposal(
    proposal_id: uuid.UUID, session: DbSession, principal: Reader
) -> ProposalOut:
    """One proposal with its figures, input and files."""
    return service.to_out(await service.get_proposal(session, principal, proposal_id))


@router.post(
    "/{proposal_id}/duplicate",
    response_model=ProposalOut,
    status_code=201,
    responses={**_NOT_FOUND, **_CONFLICT, **_REJECTED, **_PENDING},
)
async def duplicate_proposal(
    proposal_id: uuid.UUID,
    session: DbSession,
    principal: Creator,
    settings: AppSettings,
    body: Annotated[DuplicateRequest | None, Body()] = None,
    render_id: RenderId = None,
) -> ProposalOut:
    """Produce it again as a new version linked to this one (today's date and rates).

    Optionally change the client, payment terms or currency; the original stays as it was.
    """
    proposal = await flows.duplicate(
        session, principal, proposal_id, body, settings=settings, render_id=render_id
    )
    return service.to_out(proposal)


@router.post(
    "/{proposal_id}/holds",
    response_model=HoldsOut,
    status_code=201,
    responses={
        **_NOT_FOUND,
        409: {
            "model": ErrorBody,
            "description": "Already held, or a location is already booked on those dates",
        },
    },
)
async def hold_proposal(
    proposal_id: uuid.UUID, session: DbSession, principal: Creator, settings: AppSettings
) -> HoldsOut:
    """Hold the proposal's locations on its dates for `SALESBOT_HOLD_DAYS` (renewable once)."""
    return await holding.hold(session, settings, principal, proposal_id)
