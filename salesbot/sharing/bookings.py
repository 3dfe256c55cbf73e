"""An accepted proposal starts a booking-order draft with the accepted figures filled in."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.booking_orders import service as bookings
from salesbot.booking_orders.calculations import BookingOrder, Location
from salesbot.kit.errors import Conflict, ValidationFailed
from salesbot.kit.ids import new_id
from salesbot.kit.parse import read_duration
from salesbot.proposals import records
from salesbot.proposals import service as proposals
from salesbot.proposals.schemas import ProposalLocationOut, ProposalOut
from salesbot.sharing import repository
from salesbot.sharing.models import ShareDecision

_CENT = Decimal("0.01")


def _end(loc: ProposalLocationOut, duration: str) -> date | None:
    if loc.end_date is not None:
        return loc.end_date
    length = read_duration(duration)
    return length.end_date(loc.start_date) if length is not None else None


def _separate(out: ProposalOut, choices: Sequence[dict[str, Any]]) -> BookingOrder:
    by_key = {loc.key: loc for loc in out.locations}
    places, dm, fees = [], Decimal(0), Decimal(0)
    for choice in choices:
        loc = by_key[str(choice["location"])]
        option = loc.options[int(choice["option"])]
        places.append(
            Location(
                name=loc.display_name,
                asset=loc.key.upper(),
                start_date=loc.start_date,
                end_date=_end(loc, option.duration),
                net_amount=Decimal(option.net_rate.aed),
                campaign_duration=option.duration,
            )
        )
        dm += Decimal(option.dm_fee.aed)
        fees += Decimal(option.fee.aed)
    return BookingOrder(locations=tuple(places), municipality_fee=dm, production_upload_fee=fees)


def _combined(out: ProposalOut) -> BookingOrder:
    """The package rate split evenly over its locations (the last takes the rounding)."""
    package = out.package
    assert package is not None
    net = Decimal(package.net_rate.aed)
    count = len(out.locations)
    share = (net / count).quantize(_CENT, rounding=ROUND_HALF_UP)
    places = []
    for index, loc in enumerate(out.locations):
        amount = share if index < count - 1 else net - share * (count - 1)
        duration = loc.durations[0] if loc.durations else ""
        places.append(
            Location(
                name=loc.display_name,
                asset=loc.key.upper(),
                start_date=loc.start_date,
                end_date=_end(loc, duration),
                net_amount=amount,
                campaign_duration=duration,
            )
        )
    return BookingOrder(
        locations=tuple(places),
        municipality_fee=Decimal(package.dm_fee.aed),
        production_upload_fee=Decimal(package.fee_total.aed),
    )


def draft_fields(
    out: ProposalOut, decision: ShareDecision, salesperson: str, today: date
) -> BookingOrder:
    """The booking order an accepted proposal implies, amounts in AED (exact)."""
    base = _combined(out) if out.package is not None else _separate(out, decision.choices)
    split = " (package rate split evenly; adjust per location)" if out.package else ""
    return BookingOrder(
        bo_date=today,
        client=out.client_name,
        brand_campaign=out.client_name,
        asset=tuple(place.asset for place in base.locations),
        currency="AED",
        payment_terms=out.payment_terms,
        sales_person=salesperson,
        municipality_fee=base.municipality_fee,
        production_upload_fee=base.production_upload_fee,
        notes=(
            f"Started from the {out.client_name} proposal (version {out.version}) accepted by "
            f"{decision.signer_name}, {decision.signer_title}, on "
            f"{decision.decided_at:%d %b %Y}{split}."
        ),
        locations=base.locations,
    )


async def start_booking_order(
    session: AsyncSession, env: bookings.Env, principal: Principal, proposal_id: uuid.UUID
) -> bookings.View:
    """A draft owned by the caller; once per acceptance (a second call names the first)."""
    proposal = await proposals.get_proposal(session, principal, proposal_id)
    decision = await repository.acceptance_of(session, proposal.id)
    if decision is None:
        raise Conflict("The client has not accepted this proposal yet.", code="not_accepted")
    if decision.booking_order_id is not None:
        raise _started(decision.booking_order_id)
    companies = await records.company_ids(session, proposal.id)
    if not companies:
        raise ValidationFailed(
            "The proposal's locations belong to no company; start the booking order by hand.",
            code="no_company",
        )
    out = proposals.to_out(proposal)
    today = proposals.local_now(env.settings).date()
    bo = draft_fields(out, decision, principal.name, today)
    bo_id = new_id()
    if not await repository.claim_booking_order(session, decision.id, bo_id):
        await session.rollback()
        claimed = await repository.acceptance_of(session, proposal.id)
        raise _started(claimed.booking_order_id if claimed else None)
    return await bookings.start_draft(
        session,
        env,
        principal,
        company_id=companies[0],
        bo=bo,
        source="proposal",
        source_file_id=decision.accepted_file_id,
        bo_id=bo_id,
    )


def _started(bo_id: uuid.UUID | None) -> Conflict:
    return Conflict(
        "A booking order was already started from this acceptance.",
        code="booking_order_exists",
        details={"booking_order_id": str(bo_id) if bo_id else None},
    )
