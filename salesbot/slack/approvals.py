"""Booking-order approvals in Slack: messages with Approve / Reject, and the button presses.

Pressing a button runs the same workflow step as the web (`booking_orders.service.act`) with
the version the message was posted for, so a stale button never makes a second transition: it
answers with who acted first. The outcome replaces the buttons on every approver's message.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from slack_bolt.context.ack.async_ack import AsyncAck

from salesbot.auth.service import Principal
from salesbot.booking_orders import service as booking_orders
from salesbot.booking_orders.messaging import past_tense
from salesbot.booking_orders.schemas import BookingOrderOut
from salesbot.booking_orders.workflow import STAGE_WORDS, State
from salesbot.kit.db import utcnow
from salesbot.kit.errors import AppError, ValidationFailed
from salesbot.notifications.service import Batch
from salesbot.slack import service
from salesbot.slack.service import SlackUser

if TYPE_CHECKING:
    from salesbot.slack.channel import SlackChannel

# Every booking-order notice, finance's booked and invoiced included (no buttons for those).
KINDS = frozenset(
    {
        "bo_review",
        "bo_approval",
        "bo_approved",
        "bo_rejected",
        "bo_cancelled",
        "bo_booked",
        "bo_invoiced",
    }
)
APPROVE, REJECT, REASON_VIEW = "bo_approve", "bo_reject", "bo_reject_reason"


def outcome(action: str, who: str, state: str, reason: str | None) -> str:
    """The sentence every approver's message shows once someone acted (Slack or web alike)."""
    why = f" Reason: {_escape(reason)}" if reason else ""
    return (
        f"{past_tense(action).capitalize()} by {_escape(who)}: it is now "
        f"{STAGE_WORDS[State(state)]}.{why}"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def summary_blocks(out: BookingOrderOut, batch: Batch, link: str) -> list[dict[str, Any]]:
    fields = out.fields
    facts = [
        f"*Client:* {_escape(fields.client or '—')}",
        f"*Company:* {_escape(out.company.name)}",
        f"*BO number:* {_escape(fields.bo_number or '—')}",
        f"*Stage:* {STAGE_WORDS[State(out.state)]}",
    ]
    if out.totals is not None:
        facts.append(f"*Gross:* {out.totals.currency} {out.totals.gross:,.2f}")
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{_escape(batch.title)}*\n{_escape(batch.body)}"},
        },
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in facts]},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"<{link}|Open in Sales Proposal Bot>"}],
        },
    ]
    if "approve" in out.allowed_actions:
        value = json.dumps({"bo": str(out.id), "v": out.version})
        blocks.append(
            {
                "type": "actions",
                "block_id": "bo_decision",
                "elements": [
                    {
                        "type": "button",
                        "action_id": APPROVE,
                        "style": "primary",
                        "value": value,
                        "text": {"type": "plain_text", "text": "Approve"},
                    },
                    {
                        "type": "button",
                        "action_id": REJECT,
                        "style": "danger",
                        "value": value,
                        "text": {"type": "plain_text", "text": "Reject"},
                    },
                ],
            }
        )
    return blocks


async def deliver(channel: SlackChannel, batches: list[Batch]) -> None:
    """Each booking-order notice to its Slack-linked recipients, with buttons for approvers."""
    for batch in batches:
        if batch.booking_order_id is None or batch.kind not in KINDS:
            continue
        async with channel.db.sessions() as session:
            linked = await service.slack_ids_of(session, [r.user_id for r in batch.recipients])
        await _settle_from_timeline(channel, batch.recipients[0].user_id, batch.booking_order_id)
        for recipient in batch.recipients:
            for slack_id in linked.get(recipient.user_id, []):
                await _post(channel, recipient.user_id, slack_id, batch, batch.booking_order_id)


async def _post(
    channel: SlackChannel, user_id: uuid.UUID, slack_id: str, batch: Batch, bo_id: uuid.UUID
) -> None:
    env = booking_orders.env_for(channel.settings, channel.storage)
    async with channel.db.sessions() as session:
        principal = await service.principal_for_user(session, user_id)
        if principal is None:
            return
        try:
            out = booking_orders.present(
                await booking_orders.get_view(session, env, principal, bo_id)
            )
        except AppError:
            return  # not theirs to see after all: the web would not show it either
    link = channel.web_url(f"/booking-orders/{bo_id}")
    blocks = summary_blocks(out, batch, link)
    posted = await channel.client.chat_postMessage(
        channel=slack_id, text=batch.title, blocks=blocks
    )
    if "approve" in out.allowed_actions:
        async with channel.db.sessions() as session:
            await service.record_message(
                session,
                booking_order_id=bo_id,
                version=out.version,
                user_id=user_id,
                channel_id=str(posted["channel"]),
                ts=str(posted["ts"]),
            )


async def _settle_from_timeline(
    channel: SlackChannel, viewer_id: uuid.UUID, bo_id: uuid.UUID
) -> None:
    """After a step taken anywhere (web, chat, Slack): older messages show who did what."""
    env = booking_orders.env_for(channel.settings, channel.storage)
    async with channel.db.sessions() as session:
        principal = await service.principal_for_user(session, viewer_id)
        if principal is None:
            return
        try:
            out = booking_orders.present(
                await booking_orders.get_view(session, env, principal, bo_id)
            )
            events = await booking_orders.timeline(session, principal, bo_id)
        except AppError:
            return
    if not events or events[-1].actor_name is None:
        return
    last = events[-1]
    said = outcome(last.action, last.actor_name, last.to_state, last.reason)
    await _settle(channel, bo_id, out.version, said)


def _decision(action_or_view: dict[str, Any], key: str) -> tuple[uuid.UUID, int]:
    raw = json.loads(str(action_or_view[key]))
    return uuid.UUID(str(raw["bo"])), int(raw["v"])


async def _act(
    channel: SlackChannel,
    principal: Principal,
    bo_id: uuid.UUID,
    version: int,
    action: str,
    reason: str | None = None,
) -> tuple[str, int]:
    """Run the workflow step: the outcome sentence for every approver's message, and the
    booking order's version after it."""
    env = booking_orders.env_for(channel.settings, channel.storage)
    async with channel.db.sessions() as session:
        view = await booking_orders.act(
            session, env, principal, bo_id, action, version=version, reason=reason
        )
        out = booking_orders.present(view)
    return outcome(action, principal.name, out.state, reason), out.version


async def _settle(channel: SlackChannel, bo_id: uuid.UUID, version: int, said: str) -> None:
    async with channel.db.sessions() as session:
        messages = await service.settle_messages(
            session, bo_id, before_version=version, now=utcnow()
        )
    for where, ts in messages:
        await channel.client.chat_update(channel=where, ts=ts, text=said, blocks=[])


async def on_approve(channel: SlackChannel, body: dict[str, Any]) -> None:
    """The Approve button: the transition with the message's version, then the outcome."""
    who = SlackUser(str(body["team"]["id"]), str(body["user"]["id"]))
    principal = await channel.principal(who)
    if principal is None:
        return
    bo_id, version = _decision(body["actions"][0], "value")
    where, ts = str(body["container"]["channel_id"]), str(body["container"]["message_ts"])
    try:
        said, now_version = await _act(channel, principal, bo_id, version, "approve")
    except AppError as exc:
        # A stale button: who acted first, on this message; never a second transition.
        await channel.client.chat_update(channel=where, ts=ts, text=exc.message, blocks=[])
        return
    await _settle(channel, bo_id, now_version, said)


def reason_modal(body: dict[str, Any]) -> dict[str, Any]:
    action = body["actions"][0]
    metadata = json.loads(str(action["value"]))
    metadata |= {"c": body["container"]["channel_id"], "ts": body["container"]["message_ts"]}
    return {
        "type": "modal",
        "callback_id": REASON_VIEW,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": "Reject booking order"},
        "submit": {"type": "plain_text", "text": "Reject"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Why? The owner sees this."},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason",
                    "multiline": True,
                    "max_length": 1000,
                },
            }
        ],
    }


async def on_reject_reason(
    channel: SlackChannel, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
) -> None:
    """The reason modal's submit: reject with the version the message was posted for."""
    who = SlackUser(str(body["team"]["id"]), str(body["user"]["id"]))
    principal = await channel.principal(who)
    if principal is None:
        await ack()
        return
    metadata = json.loads(str(view["private_metadata"]))
    bo_id, version = uuid.UUID(str(metadata["bo"])), int(metadata["v"])
    reason = str(view["state"]["values"]["reason"]["reason"].get("value") or "").strip()
    try:
        said, now_version = await _act(channel, principal, bo_id, version, "reject", reason or None)
    except ValidationFailed as exc:
        await ack(response_action="errors", errors={"reason": exc.message})
        return
    except AppError as exc:
        await ack()
        where, ts = str(metadata["c"]), str(metadata["ts"])
        await channel.client.chat_update(channel=where, ts=ts, text=exc.message, blocks=[])
        return
    await ack()
    await _settle(channel, bo_id, now_version, said)
