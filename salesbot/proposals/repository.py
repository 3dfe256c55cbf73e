"""Queries for proposal history; who may see what is decided by the service (`Visibility`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.proposals.models import Proposal, ProposalFile, ProposalLocation


@dataclass(frozen=True)
class Visibility:
    """Everything (`all`), or the caller's own plus proposals touching `company_ids`."""

    owner_id: uuid.UUID
    all: bool = False
    company_ids: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class Filters:
    client: str | None = None
    location_key: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _visible(stmt: Select[Proposal], who: Visibility) -> Select[Proposal]:
    if who.all:
        return stmt
    own = Proposal.owner_id == who.owner_id
    if not who.company_ids:
        return stmt.where(own)
    company = (
        select(ProposalLocation.proposal_id)
        .where(
            ProposalLocation.proposal_id == Proposal.id,
            ProposalLocation.company_id.in_(list(who.company_ids)),
        )
        .exists()
    )
    return stmt.where(or_(own, company))


def _filtered(stmt: Select[Proposal], filters: Filters) -> Select[Proposal]:
    if filters.client:
        needle = filters.client.strip().lower()
        stmt = stmt.where(func.lower(Proposal.client_name).contains(needle, autoescape=True))
    if filters.location_key:
        at_location = (
            select(ProposalLocation.proposal_id)
            .where(
                ProposalLocation.proposal_id == Proposal.id,
                ProposalLocation.location_key == filters.location_key,
            )
            .exists()
        )
        stmt = stmt.where(at_location)
    if filters.date_from is not None:
        stmt = stmt.where(Proposal.proposal_date >= filters.date_from)
    if filters.date_to is not None:
        stmt = stmt.where(Proposal.proposal_date <= filters.date_to)
    return stmt


async def get_visible(
    session: AsyncSession, proposal_id: uuid.UUID, who: Visibility
) -> Proposal | None:
    stmt = _visible(select(Proposal).where(Proposal.id == proposal_id), who)
    return (await session.execute(stmt)).scalar_one_or_none()


async def page(
    session: AsyncSession,
    who: Visibility,
    filters: Filters,
    *,
    before_id: uuid.UUID | None,
    limit: int,
) -> list[Proposal]:
    """Newest first (ids are UUIDv7, so id order is creation order)."""
    stmt = _filtered(_visible(select(Proposal), who), filters)
    if before_id is not None:
        stmt = stmt.where(Proposal.id < before_id)
    stmt = stmt.order_by(Proposal.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def locations_of(
    session: AsyncSession, proposal_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ProposalLocation]]:
    found: dict[uuid.UUID, list[ProposalLocation]] = {pid: [] for pid in proposal_ids}
    if not proposal_ids:
        return found
    stmt = (
        select(ProposalLocation)
        .where(ProposalLocation.proposal_id.in_(list(proposal_ids)))
        .order_by(ProposalLocation.proposal_id, ProposalLocation.position)
    )
    for row in (await session.execute(stmt)).scalars():
        found[row.proposal_id].append(row)
    return found


async def last_version(session: AsyncSession, root_id: uuid.UUID) -> int:
    stmt = select(func.max(Proposal.version)).where(Proposal.root_id == root_id)
    return int((await session.execute(stmt)).scalar() or 0)


async def add(
    session: AsyncSession,
    proposal: Proposal,
    locations: Sequence[ProposalLocation],
    files: Sequence[ProposalFile],
) -> None:
    session.add(proposal)
    await session.flush()  # the parent row first: there are no relationships to order by
    session.add_all([*locations, *files])
    await session.flush()


async def first_client_spelling(session: AsyncSession, client_name: str) -> str | None:
    """How the client was written the first time a proposal named it (any case), or None."""
    needle = " ".join(client_name.split()).lower()
    if not needle:
        return None
    stmt = (
        select(Proposal.client_name)
        .where(func.lower(Proposal.client_name) == needle)
        .order_by(Proposal.id)
        .limit(1)
    )
    found = (await session.execute(stmt)).scalar_one_or_none()
    return str(found) if found is not None else None


async def latest_in_conversation(
    session: AsyncSession, conversation_id: uuid.UUID, who: Visibility
) -> Proposal | None:
    """The newest proposal made in the conversation that the caller may see."""
    stmt = _visible(select(Proposal).where(Proposal.conversation_id == conversation_id), who)
    stmt = stmt.order_by(Proposal.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()
