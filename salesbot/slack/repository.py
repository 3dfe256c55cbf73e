"""Queries for the Slack channel's tables; no rules."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.slack.models import SlackApprovalMessage, SlackLink, SlackLinkCode, SlackThread


async def link_of(session: AsyncSession, team_id: str, slack_user_id: str) -> SlackLink | None:
    stmt = select(SlackLink).where(
        SlackLink.team_id == team_id, SlackLink.slack_user_id == slack_user_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def links_of_user(session: AsyncSession, user_id: uuid.UUID) -> list[SlackLink]:
    stmt = select(SlackLink).where(SlackLink.user_id == user_id).order_by(SlackLink.created_at)
    return list((await session.execute(stmt)).scalars())


async def links_of_users(session: AsyncSession, user_ids: list[uuid.UUID]) -> list[SlackLink]:
    if not user_ids:
        return []
    stmt = select(SlackLink).where(SlackLink.user_id.in_(user_ids))
    return list((await session.execute(stmt)).scalars())


async def delete_links_of_user(session: AsyncSession, user_id: uuid.UUID) -> int:
    result = await session.execute(delete(SlackLink).where(SlackLink.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


async def code_by_hash(session: AsyncSession, code_hash: str) -> SlackLinkCode | None:
    stmt = select(SlackLinkCode).where(SlackLinkCode.code_hash == code_hash)
    return (await session.execute(stmt)).scalar_one_or_none()


async def spend_code(session: AsyncSession, code_id: uuid.UUID, now: datetime) -> bool:
    """Mark the code used; False when another request used it first."""
    result = await session.execute(
        update(SlackLinkCode)
        .where(SlackLinkCode.id == code_id, SlackLinkCode.used_at.is_(None))
        .values(used_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def thread(session: AsyncSession, channel_id: str, thread_ts: str) -> SlackThread | None:
    stmt = select(SlackThread).where(
        SlackThread.channel_id == channel_id, SlackThread.thread_ts == thread_ts
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def approval_messages(
    session: AsyncSession, booking_order_id: uuid.UUID
) -> list[SlackApprovalMessage]:
    stmt = select(SlackApprovalMessage).where(
        SlackApprovalMessage.booking_order_id == booking_order_id,
        SlackApprovalMessage.settled_at.is_(None),
    )
    return list((await session.execute(stmt)).scalars())
