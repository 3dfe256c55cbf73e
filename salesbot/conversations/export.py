"""Render one conversation as JSON or Markdown, streamed message by message."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from salesbot.conversations.models import Conversation, Message

_SPEAKERS = {"user": "You", "assistant": "Assistant", "system": "System", "tool": "Tool"}


def conversation_dict(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": str(conversation.id),
        "title": conversation.title,
        "model": conversation.model,
        "pinned": conversation.pinned,
        "archived_at": _iso(conversation.archived_at),
        "created_at": _iso(conversation.created_at),
        "updated_at": _iso(conversation.updated_at),
    }


def message_dict(message: Message) -> dict[str, Any]:
    return {
        "id": str(message.id),
        "role": message.role,
        "content": message.content,
        "tool_calls": message.tool_calls,
        "tool_call_id": message.tool_call_id,
        "attachments": message.attachments,
        "tokens_used": message.tokens_used,
        "created_at": _iso(message.created_at),
        "metadata": message.meta,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def as_json(
    conversation: Conversation, messages: AsyncIterator[Message]
) -> AsyncIterator[str]:
    head = json.dumps({"conversation": conversation_dict(conversation)}, ensure_ascii=False)
    yield head[:-1] + ', "messages": ['
    first = True
    async for message in messages:
        yield ("" if first else ", ") + json.dumps(message_dict(message), ensure_ascii=False)
        first = False
    yield "]}\n"


def _when(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%d %b %Y %H:%M")


def markdown_message(message: Message, zone: ZoneInfo) -> str:
    speaker = _SPEAKERS.get(message.role, message.role)
    lines = [f"**{speaker}** · {_when(message.created_at, zone)}", ""]
    if message.content:
        lines += [message.content, ""]
    for attachment in message.attachments or []:
        lines.append(f"- Attachment: {attachment.get('name', 'file')}")
    for call in message.tool_calls or []:
        args = json.dumps(call.get("args", {}), ensure_ascii=False)
        lines.append(f"> Used tool `{call.get('name', '?')}` with {args}")
    if message.attachments or message.tool_calls:
        lines.append("")
    return "\n".join(lines) + "\n"


async def as_markdown(
    conversation: Conversation, messages: AsyncIterator[Message], *, zone: ZoneInfo
) -> AsyncIterator[str]:
    yield f"# {conversation.title}\n\n"
    yield f"_Started {_when(conversation.created_at, zone)}_\n\n---\n\n"
    async for message in messages:
        yield markdown_message(message, zone)
