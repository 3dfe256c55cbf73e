"""Client links API for the salesperson: share a proposal, see what the client did, revoke a
link, and start a booking order from an accepted proposal. The client's page is `public`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.booking_orders import service as bookings
from salesbot.booking_orders.schemas import BookingOrderOut
from salesbot.kit.db import DbSession
from salesbot.kit.deps import AppClock, AppSettings, AppStorage
from salesbot.kit.errors import ErrorBody
from salesbot.sharing import bookings as booking_drafts
from salesbot.sharing import flows, service, timeline
from salesbot.sharing.schemas import ShareCreate, ShareCreated, ShareOut, Timeline

router = APIRouter(tags=["client links"], responses=AUTH_RESPONSES)
Sharer = Annotated[Principal, Depends(require("proposals:create"))]
Reader = Annotated[Principal, Depends(require("proposals:read"))]
Booker = Annotated[Principal, Depends(require("booking_orders:create"))]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such proposal or link, or not visible to you"}
}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The proposal cannot take this step now"}
}


@router.post(
    "/api/proposals/{proposal_id}/shares",
    response_model=ShareCreated,
    status_code=201,
    responses={**_NOT_FOUND, **_CONFLICT, 422: {"model": ErrorBody}},
)
async def create_share(
    proposal_id: uuid.UUID,
    body: Annotated[ShareCreate, Body()],
    session: DbSession,
    principal: Sharer,
    settings: AppSettings,
    clock: AppClock,
) -> ShareCreated:
    """A link for one recipient (an earlier live link to them is replaced); the URL is shown
    once. E-mailed to the recipient when e-mail is set up and `send_email` is true."""
    now = clock()
    made = await flows.share(session, principal, proposal_id, body, settings=settings, now=now)
    found = await service.activity(session, principal, proposal_id)
    out = service.link_out(found, made.link, now, settings)
    return ShareCreated(
        **out.model_dump(), url=service.link_url(settings, made.token), replaced=made.replaced
    )


@router.get(
    "/api/proposals/{proposal_id}/shares", response_model=list[ShareOut], responses=_NOT_FOUND
)
async def list_shares(
    proposal_id: uuid.UUID,
    session: DbSession,
    principal: Reader,
    settings: AppSettings,
    clock: AppClock,
) -> list[ShareOut]:
    """The proposal's links with what each client did (opens, time per page, decision)."""
    return await service.list_links(session, principal, proposal_id, settings=settings, now=clock())


@router.get("/api/proposals/{proposal_id}/timeline", response_model=Timeline, responses=_NOT_FOUND)
async def proposal_timeline(
    proposal_id: uuid.UUID,
    session: DbSession,
    principal: Reader,
    settings: AppSettings,
    clock: AppClock,
) -> Timeline:
    """Links made, e-mailed, opened, accepted or declined, revoked and expired, in order."""
    return await timeline.proposal_timeline(
        session, principal, proposal_id, settings=settings, now=clock()
    )


@router.post("/api/shares/{share_id}/revoke", response_model=ShareOut, responses=_NOT_FOUND)
async def revoke_share(
    share_id: uuid.UUID,
    session: DbSession,
    principal: Sharer,
    settings: AppSettings,
    clock: AppClock,
) -> ShareOut:
    """Withdraw a link at once: the client's page then says so and shows nothing else."""
    now = clock()
    link = await service.revoke_link(session, principal, share_id, now=now)
    found = await service.activity(session, principal, link.proposal_id)
    return service.link_out(found, link, now, settings)


@router.post(
    "/api/proposals/{proposal_id}/booking-order",
    response_model=BookingOrderOut,
    status_code=201,
    responses={**_NOT_FOUND, **_CONFLICT},
)
async def start_booking_order(
    proposal_id: uuid.UUID,
    session: DbSession,
    principal: Booker,
    settings: AppSettings,
    storage: AppStorage,
) -> BookingOrderOut:
    """A booking-order draft from the accepted option's figures (once per acceptance)."""
    env = bookings.env_for(settings, storage)
    view = await booking_drafts.start_booking_order(session, env, principal, proposal_id)
    return bookings.present(view)
