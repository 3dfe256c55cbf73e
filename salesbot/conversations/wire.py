"""A message as JSON for Redis (the hot page and the write-behind stream), and back (pure).

`WireMessage` has the attributes of a message-page row, so the API renders it like one.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, NamedTuple

from salesbot.conversations.models import Message


class WireMessage(NamedTuple):
    id: uuid.UUID
    conversation_id: uuid.UUID
    role: str
    content: str
    tool_calls: list[dict[str, Any]] | None
    tool_call_id: str | None
    attachments: list[dict[str, Any]] | None
    tokens_used: int | None
    created_at: datetime
    meta: dict[str, Any]


class CachedRow(NamedTuple):
    """A page row read from the hot cache, as stored: ids and time stay ISO/hex text (the
    API's response model parses them), which keeps a cached read to one `json.loads`."""

    id: str
    conversation_id: str
    role: str
    content: str
    tool_calls: list[dict[str, Any]] | None
    tool_call_id: str | None
    attachments: list[dict[str, Any]] | None
    tokens_used: int | None
    created_at: str
    meta: dict[str, Any]


def encode(row: Any) -> str:
    """A message (an ORM `Message`, a page row or a `WireMessage`) as compact JSON; the id
    comes first (the cache's append script reads it from the first 43 characters)."""
    return json.dumps(
        {
            "id": str(row.id),
            "conversation_id": str(row.conversation_id),
            "role": row.role,
            "content": row.content,
            "tool_calls": row.tool_calls,
            "tool_call_id": row.tool_call_id,
            "attachments": row.attachments,
            "tokens_used": row.tokens_used,
            "created_at": row.created_at.isoformat(),
            "meta": row.meta or {},
        },
        separators=(",", ":"),
        default=str,
    )


def decode(raw: str | bytes) -> WireMessage:
    data = json.loads(raw)
    return WireMessage(
        id=uuid.UUID(data["id"]),
        conversation_id=uuid.UUID(data["conversation_id"]),
        role=data["role"],
        content=data["content"],
        tool_calls=data.get("tool_calls"),
        tool_call_id=data.get("tool_call_id"),
        attachments=data.get("attachments"),
        tokens_used=data.get("tokens_used"),
        created_at=datetime.fromisoformat(data["created_at"]),
        meta=data.get("meta") or {},
    )


def decode_rows(raw: list[bytes]) -> list[CachedRow]:
    """Cached entries (newest first) as page rows, in one JSON parse."""
    if not raw:
        return []
    return [CachedRow(**item) for item in json.loads(b"[" + b",".join(raw) + b"]")]


def as_row(message: WireMessage) -> dict[str, Any]:
    """The `messages` table's columns (for a bulk INSERT)."""
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "role": message.role,
        "content": message.content,
        "tool_calls": message.tool_calls,
        "tool_call_id": message.tool_call_id,
        "attachments": message.attachments,
        "tokens_used": message.tokens_used,
        "created_at": message.created_at,
        "metadata": message.meta,
    }


def as_model(message: WireMessage) -> Message:
    """A transient ORM `Message` (not in any session): a pending message in a replay."""
    return Message(
        id=message.id,
        conversation_id=message.conversation_id,
        role=message.role,
        content=message.content,
        tool_calls=message.tool_calls,
        tool_call_id=message.tool_call_id,
        attachments=message.attachments,
        tokens_used=message.tokens_used,
        created_at=message.created_at,
        meta=message.meta,
    )


def merge_newest_first(stored: list[Any], pending: list[WireMessage]) -> list[Any]:
    """Stored rows and pending messages (those not stored yet), newest first by id."""
    if not pending:
        return stored
    seen = {row.id for row in stored}
    merged = [*stored, *(m for m in pending if m.id not in seen)]
    merged.sort(key=lambda row: row.id, reverse=True)
    return merged


def page_from_window(
    window: list[CachedRow], *, full: bool, before: uuid.UUID | None, want: int
) -> list[CachedRow] | None:
    """Up to `want` rows older than `before` from a cached window (newest first), or None
    when the window cannot tell (the page reaches past it and older messages exist).

    Canonical UUID strings sort like the UUIDs, so the ids are compared as text.
    """
    start = 0
    if before is not None:
        mark = str(before)
        start = next((n for n, m in enumerate(window) if m.id < mark), len(window))
        if start == len(window) and not full:
            return None
    rows = window[start : start + want]
    if len(rows) == want or full:
        return rows
    return None
