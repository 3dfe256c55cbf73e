"""Reads of proposal records without a caller, for the product's own use (a client's link)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.proposals import repository
from salesbot.proposals.models import Proposal
from salesbot.proposals.repository import Visibility

_SYSTEM = Visibility(owner_id=uuid.UUID(int=0), all=True)
PDF = "application/pdf"


async def find(session: AsyncSession, proposal_id: uuid.UUID) -> Proposal | None:
    """The proposal, whoever owns it (the caller has proven access some other way)."""
    return await repository.get_visible(session, proposal_id, _SYSTEM)


async def is_superseded(session: AsyncSession, proposal: Proposal) -> bool:
    """True when a newer version of the proposal has been produced."""
    return await repository.last_version(session, proposal.root_id) > proposal.version


def pdf_file_id(proposal: Proposal) -> uuid.UUID | None:
    """The proposal's PDF (the one a client sees), from its file cards."""
    for card in proposal.files:
        if card.get("content_type") == PDF and card.get("file_id"):
            return uuid.UUID(str(card["file_id"]))
    return None


async def company_ids(session: AsyncSession, proposal_id: uuid.UUID) -> list[uuid.UUID]:
    """The companies of the proposal's locations, in the proposal's order (no repeats)."""
    places = (await repository.locations_of(session, [proposal_id]))[proposal_id]
    return list(dict.fromkeys(p.company_id for p in places if p.company_id is not None))
