"""Queries for client links, views, page times and decisions; no business rules."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.sharing.models import ShareDecision, ShareLink, SharePageTime, ShareView


async def by_token_hash(session: AsyncSession, token_hash: str) -> ShareLink | None:
    stmt = select(ShareLink).where(ShareLink.token_hash == token_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, share_id: uuid.UUID) -> ShareLink | None:
    return await session.get(ShareLink, share_id)


async def for_proposal(session: AsyncSession, proposal_id: uuid.UUID) -> list[ShareLink]:
    stmt = select(ShareLink).where(ShareLink.proposal_id == proposal_id).order_by(ShareLink.id)
    return list((await session.execute(stmt)).scalars())


async def live_for_recipient(
    session: AsyncSession, proposal_id: uuid.UUID, email: str
) -> ShareLink | None:
    stmt = select(ShareLink).where(
        ShareLink.proposal_id == proposal_id,
        ShareLink.recipient_email == email,
        ShareLink.revoked_at.is_(None),
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def mark_first_open(session: AsyncSession, share_id: uuid.UUID, now: datetime) -> bool:
    """Set the first-open time unless already set; True for the one request that set it."""
    stmt = (
        update(ShareLink)
        .where(ShareLink.id == share_id, ShareLink.first_opened_at.is_(None))
        .values(first_opened_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0) == 1)


async def count_pin_failure(session: AsyncSession, share_id: uuid.UUID) -> None:
    stmt = (
        update(ShareLink)
        .where(ShareLink.id == share_id)
        .values(pin_failures=ShareLink.pin_failures + 1)
        .execution_options(synchronize_session=False)
    )
    await session.execute(stmt)


async def view(session: AsyncSession, view_id: uuid.UUID) -> ShareView | None:
    return await session.get(ShareView, view_id)


async def beats_of_view(session: AsyncSession, view_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(SharePageTime).where(SharePageTime.view_id == view_id)
    return int((await session.execute(stmt)).scalar_one())


async def views_of(session: AsyncSession, share_ids: Sequence[uuid.UUID]) -> list[ShareView]:
    if not share_ids:
        return []
    stmt = (
        select(ShareView)
        .where(ShareView.share_id.in_(list(share_ids)))
        .order_by(ShareView.opened_at, ShareView.id)
    )
    return list((await session.execute(stmt)).scalars())


@dataclass(frozen=True)
class PageTotal:
    share_id: uuid.UUID
    page: int
    milliseconds: int


async def page_totals(session: AsyncSession, share_ids: Sequence[uuid.UUID]) -> list[PageTotal]:
    """Time on screen per link and page, summed over every view."""
    if not share_ids:
        return []
    stmt = (
        select(ShareView.share_id, SharePageTime.page, func.sum(SharePageTime.milliseconds))
        .join(ShareView, ShareView.id == SharePageTime.view_id)
        .where(ShareView.share_id.in_(list(share_ids)))
        .group_by(ShareView.share_id, SharePageTime.page)
        .order_by(ShareView.share_id, SharePageTime.page)
    )
    rows = (await session.execute(stmt)).all()
    return [PageTotal(row[0], int(row[1]), int(row[2] or 0)) for row in rows]


async def decisions_of(
    session: AsyncSession, share_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ShareDecision]:
    if not share_ids:
        return {}
    stmt = select(ShareDecision).where(ShareDecision.share_id.in_(list(share_ids)))
    return {row.share_id: row for row in (await session.execute(stmt)).scalars()}


async def decision_of(session: AsyncSession, share_id: uuid.UUID) -> ShareDecision | None:
    stmt = select(ShareDecision).where(ShareDecision.share_id == share_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def acceptance_of(session: AsyncSession, proposal_id: uuid.UUID) -> ShareDecision | None:
    stmt = select(ShareDecision).where(
        ShareDecision.proposal_id == proposal_id, ShareDecision.decision == "accepted"
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim_booking_order(
    session: AsyncSession, decision_id: uuid.UUID, booking_order_id: uuid.UUID
) -> bool:
    """Link the acceptance to a new booking order unless one was linked already (race-free)."""
    stmt = (
        update(ShareDecision)
        .where(ShareDecision.id == decision_id, ShareDecision.booking_order_id.is_(None))
        .values(booking_order_id=booking_order_id)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0) == 1)
