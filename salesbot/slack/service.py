"""Who a Slack user is: linked accounts (verified e-mail, or a one-time link confirmed on the web).

A Slack user acts with the linked account's roles and company scope, exactly as on the web; an
unlinked or deactivated account acts as no one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal, enrolment_pending, principal_for
from salesbot.kit.errors import NotFound, ValidationFailed
from salesbot.settings import Settings
from salesbot.slack import repository
from salesbot.slack.models import SlackApprovalMessage, SlackLink, SlackLinkCode, SlackThread
from salesbot.users import audit
from salesbot.users import service as users
from salesbot.users.credentials import hash_secret, new_secret

CODE_PREFIX = "sbl_"
BAD_CODE = "This Slack link is not valid any more (used or expired). Ask the bot for a new one."


@dataclass(frozen=True)
class SlackUser:
    """A Slack user in one workspace."""

    team_id: str
    user_id: str


@dataclass(frozen=True)
class LinkedAccount:
    team_id: str
    slack_user_id: str
    method: str
    linked_at: datetime


async def principal_of(
    session: AsyncSession, settings: Settings, who: SlackUser
) -> Principal | None:
    """The product account acting for this Slack user, or None (unlinked or deactivated).

    A role that must use two-step sign-in but has not set it up is marked pending, as on the
    web, where only the own-account routes answer then.
    """
    link = await repository.link_of(session, who.team_id, who.user_id)
    if link is None:
        return None
    user = await users.find_user(session, link.user_id)
    if user is None or not user.is_active:
        return None
    pending = await enrolment_pending(session, settings, user)
    return principal_for(user, "slack", mfa_enrolment_pending=pending)


async def principal_for_user(session: AsyncSession, user_id: uuid.UUID) -> Principal | None:
    user = await users.find_user(session, user_id)
    if user is None or not user.is_active:
        return None
    return principal_for(user, "slack")


async def link_by_email(
    session: AsyncSession, who: SlackUser, email: str | None, *, verified: bool
) -> Principal | None:
    """Link on a Slack-verified address that names an active account; None otherwise."""
    if not email or not verified:
        return None
    user = await users.find_user_by_email(session, email)
    if user is None or not user.is_active:
        return None
    session.add(
        SlackLink(team_id=who.team_id, slack_user_id=who.user_id, user_id=user.id, method="email")
    )
    principal = principal_for(user, "slack")
    audit.record(
        session, principal, "slack_linked", audit.Target("user", user.id), {"method": "email"}
    )
    await session.commit()
    return principal


async def offer_code(session: AsyncSession, who: SlackUser, *, now: datetime, minutes: int) -> str:
    """A one-time code for this Slack user; the web UI's Settings page confirms it."""
    code = new_secret(CODE_PREFIX)
    session.add(
        SlackLinkCode(
            code_hash=hash_secret(code),
            team_id=who.team_id,
            slack_user_id=who.user_id,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    await session.commit()
    return code


async def confirm_code(
    session: AsyncSession, principal: Principal, code: str, *, now: datetime
) -> LinkedAccount:
    """Link the Slack user who was offered `code` to the signed-in account (once)."""
    row = await repository.code_by_hash(session, hash_secret(code[:200]))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise ValidationFailed(BAD_CODE, code="slack_link_invalid")
    if not await repository.spend_code(session, row.id, now):
        raise ValidationFailed(BAD_CODE, code="slack_link_invalid")
    existing = await repository.link_of(session, row.team_id, row.slack_user_id)
    if existing is not None:
        await session.delete(existing)
        await session.flush()
    link = SlackLink(
        team_id=row.team_id,
        slack_user_id=row.slack_user_id,
        user_id=principal.user_id,
        method="code",
    )
    session.add(link)
    audit.record(
        session,
        principal,
        "slack_linked",
        audit.Target("user", principal.user_id),
        {"method": "code"},
    )
    await session.commit()
    return _linked(link)


def _linked(link: SlackLink) -> LinkedAccount:
    return LinkedAccount(link.team_id, link.slack_user_id, link.method, link.created_at)


async def links(session: AsyncSession, user_id: uuid.UUID) -> list[LinkedAccount]:
    return [_linked(link) for link in await repository.links_of_user(session, user_id)]


async def unlink(session: AsyncSession, principal: Principal) -> None:
    removed = await repository.delete_links_of_user(session, principal.user_id)
    if not removed:
        raise NotFound("Your account is not linked to Slack.")
    audit.record(session, principal, "slack_unlinked", audit.Target("user", principal.user_id))
    await session.commit()


async def slack_ids_of(
    session: AsyncSession, user_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """The Slack user ids linked to each account (a person may use several workspaces)."""
    found: dict[uuid.UUID, list[str]] = {}
    for link in await repository.links_of_users(session, user_ids):
        found.setdefault(link.user_id, []).append(link.slack_user_id)
    return found


async def conversation_of_thread(
    session: AsyncSession, channel_id: str, thread_ts: str
) -> uuid.UUID | None:
    row = await repository.thread(session, channel_id, thread_ts)
    return row.conversation_id if row else None


async def remember_thread(
    session: AsyncSession, channel_id: str, thread_ts: str, conversation_id: uuid.UUID
) -> None:
    if await repository.thread(session, channel_id, thread_ts) is None:
        session.add(
            SlackThread(channel_id=channel_id, thread_ts=thread_ts, conversation_id=conversation_id)
        )
        await session.commit()


async def record_message(
    session: AsyncSession,
    *,
    booking_order_id: uuid.UUID,
    version: int,
    user_id: uuid.UUID,
    channel_id: str,
    ts: str,
) -> None:
    session.add(
        SlackApprovalMessage(
            booking_order_id=booking_order_id,
            version=version,
            user_id=user_id,
            channel_id=channel_id,
            ts=ts,
        )
    )
    await session.commit()


async def settle_messages(
    session: AsyncSession, booking_order_id: uuid.UUID, *, before_version: int, now: datetime
) -> list[tuple[str, str]]:
    """The (channel, ts) of the booking order's open messages posted for an older version,
    now marked settled (each is claimed once, whoever settles first)."""
    rows = [
        row
        for row in await repository.approval_messages(session, booking_order_id)
        if row.version < before_version
    ]
    for row in rows:
        row.settled_at = now
    await session.commit()
    return [(row.channel_id, row.ts) for row in rows]
