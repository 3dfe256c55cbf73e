"""The Bolt listeners: acknowledge at once, hand the work to the channel's tasks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from slack_bolt.context.ack.async_ack import AsyncAck

from salesbot.slack import approvals, chat, proposal_form
from salesbot.slack.service import SlackUser

if TYPE_CHECKING:
    from salesbot.slack.channel import SlackChannel

# Message subtypes that are a person writing (a file drop is a message with files).
_PERSON = frozenset({None, "file_share"})


def register(channel: SlackChannel) -> None:
    bolt = channel.bolt
    channel.notify = approvals.deliver

    @bolt.event("message")
    async def direct_message(body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id"):
            return
        if event.get("subtype") not in _PERSON:
            return
        channel.spawn(chat.on_message(channel, str(body.get("team_id") or ""), event), "dm")

    @bolt.event("app_mention")
    async def mention(body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("bot_id"):
            return
        channel.spawn(chat.on_message(channel, str(body.get("team_id") or ""), event), "mention")

    @bolt.action(approvals.APPROVE)
    async def approve(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        channel.spawn(approvals.on_approve(channel, body), "approve")

    @bolt.action(approvals.REJECT)
    async def reject(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await channel.client.views_open(
            trigger_id=str(body["trigger_id"]), view=approvals.reason_modal(body)
        )

    @bolt.view(approvals.REASON_VIEW)
    async def reject_reason(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await approvals.on_reject_reason(channel, ack, body, view)

    @bolt.command(channel.settings.slack_command)
    async def proposal(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await open_form(channel, body)

    @bolt.action(re.compile("^(" + "|".join(sorted(proposal_form.LIVE)) + ")$"))
    async def proposal_field_entered(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        channel.spawn(proposal_form.live_check(channel, body["view"]), "proposal-check")

    @bolt.view(proposal_form.VIEW)
    async def proposal_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        await submit_form(channel, ack, body, view)


async def open_form(channel: SlackChannel, body: dict[str, Any]) -> None:
    who = SlackUser(str(body.get("team_id") or ""), str(body.get("user_id") or ""))
    principal = await channel.principal(who)
    if principal is None:
        return
    if not principal.has("proposals:create"):
        await channel.client.chat_postEphemeral(
            channel=str(body["channel_id"]), user=who.user_id, text=proposal_form.NO_PERMISSION
        )
        return
    await channel.client.views_open(
        trigger_id=str(body["trigger_id"]), view=proposal_form.modal(channel.settings.slack_command)
    )


async def submit_form(
    channel: SlackChannel, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]
) -> None:
    who = SlackUser(str(body["team"]["id"]), str(body["user"]["id"]))
    principal = await channel.principal(who)
    if principal is None or not principal.has("proposals:create"):
        await ack(response_action="errors", errors={"client_name": proposal_form.NO_PERMISSION})
        return
    parsed, errors = await proposal_form.check(channel, proposal_form.values_of(view))
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    channel.spawn(proposal_form.produce(channel, principal, who.user_id, parsed), "proposal")
