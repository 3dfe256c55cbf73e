"""A message as JSON for Redis (the hot page and the write-behind stream), and back (pure).

`WireMessage` has the attributes of a message-page row, so the API renders it like one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
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


def from_fields(
    id: uuid.UUID, conversation_id: uuid.UUID, created_at: datetime, fields: Mapping[str, Any]
) -> WireMessage:
    """A message from its ids, time and a mapping of the rest (`role` and `content`; the
    optional fields may be missing)."""
    return WireMessage(
        id=id,
        conversation_id=conversation_id,
        role=fields["role"],
        content=fields["content"],
        tool_calls=fields.get("tool_calls"),
        tool_call_id=fields.get("tool_call_id"),
        attachments=fields.get("attachments"),
        tokens_used=fields.get("tokens_used"),
        created_at=created_at,
        meta=fields.get("meta") or {},
    )


def decode(raw: str | bytes) -> WireMessage:
    data = json.loads(raw)
    return from_fields(
        uuid.UUID(data["id"]),
        uuid.UUID(data["conversation_id"]),
        datetime.fromisoformat(data["created_at"]),
        data,
    )


def decode_rows(raw: list[bytes]) -> list[CachedRow]:
    """Cached entries (newest first) as page rows, in one JSON parse."""
    if not raw:
        return []
    return [CachedRow(**item) for item in json.loads(b"[" + b",".join(raw) + b"]")]


def as_row(message: WireMessage) -> dict[str, Any]:
    """The `messages` table's columns (for a bulk INSERT)."""
    row = message._asdict()
    row["metadata"] = row.pop("meta")
    return row


def as_model(message: WireMessage) -> Message:
    """A transient ORM `Message` (not in any session): a pending message in a replay."""
    return Message(**message._asdict())


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
