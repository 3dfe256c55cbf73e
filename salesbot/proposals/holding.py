"""A proposal and the inventory: what else claims its dates (warnings), and holding them.

The warnings name other clients' holds and bookings in the way (`UAE21 is held for Pepsi until
12 Jan 2027 (1–31 Mar 2027)`); the proposal is produced all the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.inventory import holds
from salesbot.inventory.schemas import HoldsOut
from salesbot.kit.parse.durations import read_duration
from salesbot.proposals import service
from salesbot.proposals.schemas import ProposalLocationOut, ProposalOut, ProposalPreview, WarningOut
from salesbot.settings import Settings

INVENTORY_CONFLICT = "inventory_conflict"
Shown = TypeVar("Shown", ProposalOut, ProposalPreview)


def period_end(loc: ProposalLocationOut) -> date:
    """The last day a location of a proposal runs: its end date, else its longest duration."""
    if loc.end_date is not None:
        return loc.end_date
    ends = [d.end_date(loc.start_date) for t in loc.durations if (d := read_duration(t))]
    return max(ends, default=loc.start_date)


def wanted(locations: Sequence[ProposalLocationOut]) -> list[holds.Wanted]:
    return [
        holds.Wanted(loc.key, loc.start_date, period_end(loc), max(loc.spots, 1))
        for loc in locations
    ]


async def with_inventory(session: AsyncSession, settings: Settings, shown: Shown) -> Shown:
    """The proposal (or preview) with a warning per other client's hold or booking in the way."""
    found = await holds.warnings(session, settings, shown.client_name, wanted(shown.locations))
    extra: list[WarningOut] = [
        WarningOut(code=INVENTORY_CONFLICT, field="dates", location=key, message=text)
        for key, text in found
    ]
    return shown.model_copy(update={"warnings": [*shown.warnings, *extra]})


async def hold(
    session: AsyncSession, settings: Settings, principal: Principal, proposal_id: uuid.UUID
) -> HoldsOut:
    """Hold the proposal's locations on its dates (the caller must be able to see it)."""
    proposal = await service.get_proposal(session, principal, proposal_id)
    out = service.to_out(proposal)
    return await holds.place_holds(
        session,
        settings,
        principal,
        proposal_id=proposal.id,
        client=out.client_name,
        wanted=wanted(out.locations),
    )
