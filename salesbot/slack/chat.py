"""Direct messages and mentions: the assistant's run, shown in Slack.

A Slack thread is a conversation (the web UI lists it like any other). One reply message shows
the progress (`chat.update` as tools start) and ends as the answer; files the tools produced
are uploaded to the thread with `files_upload_v2`.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from salesbot.assistant.runs import RunEvent
from salesbot.auth.service import Principal
from salesbot.files import service as files
from salesbot.kit.errors import AppError, Forbidden, NotFound
from salesbot.kit.logging import get_logger
from salesbot.slack import service, uploads
from salesbot.slack.service import SlackUser

if TYPE_CHECKING:
    from salesbot.slack.channel import SlackChannel

log = get_logger(__name__)

MENTION = re.compile(r"<@[A-Z0-9]+>")
WORKING = "Working on it…"
NO_TEXT = "(see the attached files)"
FORBIDDEN = "You do not have permission to do this."
OTHERS_THREAD = "This thread is a colleague's conversation. Start a new message to ask me yourself."
MAX_TEXT = 3500  # a Slack message's text is cut well below its 40k limit; the web has it all


def clean(text: str) -> str:
    """The user's words without the bot's mention."""
    return MENTION.sub("", text).strip()


async def on_message(channel: SlackChannel, team_id: str, event: dict[str, Any]) -> None:
    """A DM or a mention: who is it, then files, then the assistant."""
    who = SlackUser(team_id, str(event.get("user") or ""))
    if not who.user_id:
        return
    principal = await channel.principal(who)
    if principal is None:
        return
    where = str(event["channel"])
    thread_ts = str(event.get("thread_ts") or event["ts"])
    text = clean(str(event.get("text") or ""))
    dropped = [f for f in event.get("files") or [] if isinstance(f, dict)]
    await answer(channel, principal, where, thread_ts, text, dropped)


async def answer(
    channel: SlackChannel,
    principal: Principal,
    where: str,
    thread_ts: str,
    text: str,
    dropped: list[dict[str, Any]],
) -> None:
    client = channel.client
    status = await client.chat_postMessage(channel=where, thread_ts=thread_ts, text=WORKING)
    ts = str(status["ts"])
    try:
        # The web's chat route requires this permission; Slack is no way around it.
        if not principal.has("conversations:create"):
            raise Forbidden(FORBIDDEN)
        await channel.limiter.check(
            "chat", channel.settings.rate_limit_chat, str(principal.user_id)
        )
        received = await uploads.receive(channel, principal, dropped, text) if dropped else None
    except AppError as exc:
        await client.chat_update(channel=where, ts=ts, text=exc.message)
        return
    if received is not None and received.drafts:
        await client.chat_update(channel=where, ts=ts, text="\n".join(received.drafts))
        if not received.attachments:
            return
        ts = str(
            (await client.chat_postMessage(channel=where, thread_ts=thread_ts, text=WORKING))["ts"]
        )
    attachments = received.attachments if received else []
    await _run(channel, principal, where, thread_ts, ts, text or NO_TEXT, attachments)


async def _run(
    channel: SlackChannel,
    principal: Principal,
    where: str,
    thread_ts: str,
    ts: str,
    text: str,
    attachments: list[Any],
) -> None:
    client = channel.client
    async with channel.db.sessions() as session:
        conversation = await service.conversation_of_thread(session, where, thread_ts)
    try:
        started = await channel.assistant.start(
            principal=principal,
            app=channel.services,
            conversation_id=conversation,
            message=text[:10_000],
            file_ids=[r.id for r in attachments],
        )
    except NotFound:
        # The thread's conversation is someone else's: nothing of it is shown or continued.
        await client.chat_update(channel=where, ts=ts, text=OTHERS_THREAD)
        return
    except AppError as exc:
        await client.chat_update(channel=where, ts=ts, text=exc.message)
        return
    async with channel.db.sessions() as session:
        await service.remember_thread(session, where, thread_ts, started.conversation_id)
    events = await channel.assistant.follow(principal, started.run_id, after=None)
    reply = _Reply()
    async for item in events:
        await _show(channel, principal, where, thread_ts, ts, item, reply)


class _Reply:
    def __init__(self) -> None:
        self.text = ""


async def _show(
    channel: SlackChannel,
    principal: Principal,
    where: str,
    thread_ts: str,
    ts: str,
    item: RunEvent,
    reply: _Reply,
) -> None:
    """One run event as Slack sees it: progress, files, the answer or the error."""
    client = channel.client
    if item.event == "delta":
        reply.text += str(item.data.get("text") or "")
    elif item.event == "tool_started":
        label = str(item.data.get("tool") or "").replace("_", " ")
        await client.chat_update(channel=where, ts=ts, text=f"{WORKING} ({label})")
    elif item.event == "tool_result":
        reply.text = ""  # the answer is what the model says after its tools
        for card in item.data.get("files") or []:
            await upload_card(channel, principal, where, thread_ts, card)
    elif item.event == "message_end":
        text = reply.text.strip() or "Done."
        await client.chat_update(channel=where, ts=ts, text=text[:MAX_TEXT])
    elif item.event == "error":
        await client.chat_update(channel=where, ts=ts, text=str(item.data.get("message")))


async def upload_card(
    channel: SlackChannel,
    principal: Principal,
    where: str,
    thread_ts: str | None,
    card: dict[str, Any],
) -> None:
    """A produced file into the thread (the same bytes the web UI downloads)."""
    async with channel.db.sessions() as session:
        record = await files.get_for(session, principal, uuid.UUID(str(card["file_id"])))
    data = await files.read_bytes(channel.storage, record)
    await channel.client.files_upload_v2(
        channel=where,
        thread_ts=thread_ts,
        content=data,
        filename=record.safe_name,
        title=record.safe_name,
    )
