"""Notification rules: create them for recipients, deliver them, list and mark them read."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.errors import NotFound
from salesbot.kit.logging import get_logger
from salesbot.kit.pagination import cursor_id, encode_cursor
from salesbot.notifications import repository
from salesbot.notifications.delivery import Outgoing, absolute_url, post_slack, send_emails
from salesbot.notifications.models import Notification
from salesbot.settings import Settings

log = get_logger(__name__)


@dataclass(frozen=True)
class Recipient:
    user_id: uuid.UUID
    email: str
    name: str


@dataclass
class Batch:
    """Notifications added to a session, to deliver outside the app once it commits."""

    title: str
    body: str
    link: str | None
    recipients: list[Recipient] = field(default_factory=list)
    kind: str = ""
    booking_order_id: uuid.UUID | None = None


class Channel(Protocol):
    """A further delivery channel (the Slack app registers one while it runs)."""

    async def deliver(self, batches: list[Batch]) -> None: ...


_channels: list[Channel] = []


def add_channel(channel: Channel) -> None:
    _channels.append(channel)


def remove_channel(channel: Channel) -> None:
    if channel in _channels:
        _channels.remove(channel)


def notify(
    session: AsyncSession,
    recipients: list[Recipient],
    *,
    kind: str,
    title: str,
    body: str,
    link: str | None = None,
    booking_order_id: uuid.UUID | None = None,
) -> Batch:
    """Add one in-app notification per distinct recipient; the caller's commit stores them."""
    seen: set[uuid.UUID] = set()
    batch = Batch(
        title=title[:200], body=body, link=link, kind=kind, booking_order_id=booking_order_id
    )
    for person in recipients:
        if person.user_id in seen:
            continue
        seen.add(person.user_id)
        session.add(
            Notification(
                user_id=person.user_id,
                kind=kind,
                title=batch.title,
                body=body,
                link=link,
                booking_order_id=booking_order_id,
            )
        )
        batch.recipients.append(person)
    return batch


async def deliver(settings: Settings, batches: list[Batch]) -> None:
    """E-mail each recipient and post each batch to Slack, when those are configured."""
    emails: list[Outgoing] = []
    posts = []
    for batch in batches:
        if not batch.recipients:
            continue
        url = absolute_url(settings, batch.link)
        emails += [
            Outgoing(email=r.email, name=r.name, title=batch.title, body=batch.body, url=url)
            for r in batch.recipients
        ]
        posts.append(post_slack(settings, batch.title, batch.body, url))
    await asyncio.gather(send_emails(settings, emails), *posts)
    wanted = [b for b in batches if b.recipients]
    for channel in list(_channels) if wanted else []:
        try:
            await channel.deliver(wanted)
        except Exception as exc:  # a channel never fails the action that caused it
            log.warning("notification_channel_failed", error_type=type(exc).__name__)


async def list_page(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
    unread_only: bool,
) -> tuple[list[Notification], str | None, int]:
    """One page newest first, the next cursor (None at the end) and the unread count."""
    rows = await repository.page(
        session, user_id, limit=limit + 1, before_id=cursor_id(cursor), unread_only=unread_only
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor({"before": str(rows[-1].id)}) if has_more and rows else None
    return rows, next_cursor, await repository.unread_count(session, user_id)


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    return await repository.unread_count(session, user_id)


async def mark_read(
    session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID, *, now: datetime
) -> Notification:
    row = await repository.get_own(session, user_id, notification_id)
    if row is None:
        raise NotFound("Notification not found.")
    if row.read_at is None:
        row.read_at = now
        await session.commit()
    return row


async def mark_all_read(session: AsyncSession, user_id: uuid.UUID, *, now: datetime) -> int:
    marked = await repository.mark_all_read(session, user_id, now)
    await session.commit()
    return marked
