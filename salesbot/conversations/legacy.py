"""Import the legacy `chat_sessions` history: one row per user holding a `messages` JSON array
(`id, role, content, timestamp, tool_call?, attachments?`).

Every row becomes one conversation and each legacy message one message row. Ids are derived
from the legacy data (UUIDv7 layout: the message's time, then a hash of user and legacy id), so
running the import again finds what it already created and adds only what is new.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as dateparser
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.conversations import repository
from salesbot.conversations.models import Message
from salesbot.kit.db import make_engine
from salesbot.users import service as users_service

IMPORT_TITLE = "Imported chat history"
# Messages without any time (and a row without one) are placed here: a fixed point keeps the
# derived ids, and so the import, repeatable.
LEGACY_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_ROLES = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "bot": "assistant",
    "ai": "assistant",
    "model": "assistant",
    "system": "system",
    "tool": "tool",
    "function": "tool",
}


def derived_id(when: datetime, *key: str) -> uuid.UUID:
    """A UUIDv7 whose time is `when` and whose random bits are a hash of `key` (stable)."""
    millis = int(when.timestamp() * 1000) & ((1 << 48) - 1)
    digest = int.from_bytes(hashlib.sha256("\x1f".join(key).encode()).digest()[:10], "big")
    rand_a = digest & 0xFFF
    rand_b = (digest >> 12) & ((1 << 62) - 1)
    value = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return uuid.UUID(int=value)


def _when(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float):
            seconds = value / 1000 if value > 10**11 else value  # milliseconds or seconds
            return datetime.fromtimestamp(seconds, UTC)
        parsed = dateparser.isoparse(str(value))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _tool_calls(value: Any, fallback_id: str) -> list[dict[str, Any]] | None:
    if not value:
        return None
    items = value if isinstance(value, list) else [value]
    calls = []
    for n, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        nested = item.get("function")
        function: Mapping[str, Any] = nested if isinstance(nested, Mapping) else item
        args = function.get("arguments", function.get("args", {}))
        if isinstance(args, str):
            try:
                args = json.loads(args)
            except ValueError:
                args = {"text": args}
        calls.append(
            {
                "id": str(item.get("id") or f"{fallback_id}-{n}"),
                "name": str(function.get("name") or "unknown"),
                "args": args if isinstance(args, dict) else {"value": args},
            }
        )
    return calls or None


def _attachments(value: Any) -> list[dict[str, Any]] | None:
    if not value:
        return None
    items = value if isinstance(value, list) else [value]
    kept = []
    for item in items:
        if isinstance(item, Mapping):
            kept.append({str(k): v for k, v in item.items()})
        elif isinstance(item, str):
            kept.append({"name": item})
    return kept or None


@dataclass(frozen=True)
class LegacyMessage:
    legacy_id: str
    role: str
    content: str
    created_at: datetime
    tool_calls: list[dict[str, Any]] | None
    tool_call_id: str | None
    attachments: list[dict[str, Any]] | None


def parse_messages(raw: Any, *, fallback_time: datetime) -> tuple[list[LegacyMessage], int]:
    """The usable messages of one row (oldest first) and how many were skipped."""
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except ValueError:
            return [], 1
    if not isinstance(raw, list):
        return [], 1
    parsed: list[LegacyMessage] = []
    skipped = 0
    last = fallback_time
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            skipped += 1
            continue
        role = _ROLES.get(str(item.get("role", "")).strip().lower())
        if role is None:
            skipped += 1
            continue
        when = _when(item.get("timestamp") or item.get("created_at")) or last
        last = when
        legacy_id = str(item.get("id") or f"#{index}")
        parsed.append(
            LegacyMessage(
                legacy_id=legacy_id,
                role=role,
                content=_text(item.get("content")),
                created_at=when,
                tool_calls=_tool_calls(item.get("tool_call") or item.get("tool_calls"), legacy_id)
                if role == "assistant"
                else None,
                tool_call_id=str(item["tool_call_id"]) if item.get("tool_call_id") else None,
                attachments=_attachments(item.get("attachments")),
            )
        )
    parsed.sort(key=lambda m: m.created_at)  # stable: equal times keep the legacy order
    return parsed, skipped


@dataclass
class ImportReport:
    rows: int = 0
    conversations_created: int = 0
    messages_created: int = 0
    messages_existing: int = 0
    messages_skipped: int = 0
    rows_skipped: list[str] = field(default_factory=list)
    # Conversations that got messages (their cached pages are dropped after the import).
    updated: set[uuid.UUID] = field(default_factory=set)


@dataclass(frozen=True)
class LegacyRow:
    user_key: str  # the legacy user id or e-mail
    messages: Any
    updated_at: Any = None


def rows_from_json(data: Any) -> list[LegacyRow]:
    """Rows from a JSON export: a list of {user_id|user_email|email, messages}."""
    if isinstance(data, Mapping):
        data = data.get("chat_sessions", data.get("rows", []))
    rows = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, Mapping):
            key = item.get("user_email") or item.get("email") or item.get("user_id")
            when = item.get("updated_at") or item.get("created_at")
            rows.append(LegacyRow(str(key or ""), item.get("messages"), when))
    return rows


async def import_rows(session: AsyncSession, rows: Iterable[LegacyRow]) -> ImportReport:
    """Create the conversations and messages the legacy rows describe; commits per row."""
    report = ImportReport()
    people = await users_service.list_users(session)
    by_id = {str(u.id): u.id for u in people}
    by_email = {u.email.lower(): u.id for u in people}
    for row in rows:
        report.rows += 1
        key = row.user_key.strip()
        user_id = by_id.get(key) or by_email.get(key.lower())
        if user_id is None:
            report.rows_skipped.append(f"row {report.rows}: no user matches the legacy user")
            continue
        fallback = _when(row.updated_at) or LEGACY_EPOCH
        messages, skipped = parse_messages(row.messages, fallback_time=fallback)
        report.messages_skipped += skipped
        if not messages:
            continue
        await _import_one(session, user_id, messages, report)
        await session.commit()
    return report


def _message_ids(user_id: uuid.UUID, messages: Sequence[LegacyMessage]) -> list[uuid.UUID]:
    """Stable ids whose time part strictly increases, so id order is the legacy order."""
    ids = []
    seen: dict[str, int] = {}
    previous_ms = -1
    for m in messages:
        millis = max(int(m.created_at.timestamp() * 1000), previous_ms + 1)
        previous_ms = millis
        occurrence = seen.get(m.legacy_id, 0)
        seen[m.legacy_id] = occurrence + 1
        when = datetime.fromtimestamp(millis / 1000, UTC)
        ids.append(derived_id(when, "legacy-message", str(user_id), m.legacy_id, str(occurrence)))
    return ids


async def _import_one(
    session: AsyncSession,
    user_id: uuid.UUID,
    messages: Sequence[LegacyMessage],
    report: ImportReport,
) -> None:
    conversation_id = derived_id(messages[0].created_at, "legacy-chat", str(user_id))
    conversation = await repository.conversation_by_id(
        session, conversation_id, include_deleted=True
    )
    if conversation is None:
        conversation = await repository.create_conversation(
            session,
            user_id=user_id,
            title=IMPORT_TITLE,
            now=messages[0].created_at,
            conversation_id=conversation_id,
            meta={"imported_from": "chat_sessions", "title_source": "user"},
        )
        report.conversations_created += 1
    ids = _message_ids(user_id, messages)
    existing = await repository.existing_message_ids(session, ids)
    new = [
        Message(
            id=message_id,
            conversation_id=conversation.id,
            user_id=user_id,
            role=m.role,
            content=m.content,
            tool_calls=m.tool_calls,
            tool_call_id=m.tool_call_id,
            attachments=m.attachments,
            meta={"legacy_id": m.legacy_id},
            created_at=m.created_at,
        )
        for message_id, m in zip(ids, messages, strict=True)
        if message_id not in existing
    ]
    report.messages_existing += len(existing)
    if not new:
        return
    await repository.insert_messages(session, new)
    latest = max(m.created_at for m in messages)
    if latest > conversation.updated_at:
        await repository.touch(session, conversation.id, latest)
    report.messages_created += len(new)
    report.updated.add(conversation.id)


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$")


class LegacySourceError(ValueError):
    """The legacy data cannot be read (a missing table, a file that is not JSON, ...)."""


async def rows_from_table(database_url: str, table: str) -> list[LegacyRow]:
    """Every row of the legacy table (one per user; a few dozen, so read at once)."""
    if not _IDENTIFIER.match(table):
        raise LegacySourceError("The table name may only contain letters, digits and _.")
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            # The name was checked against _IDENTIFIER above: letters, digits and _ only.
            result = await conn.execute(text(f"SELECT * FROM {table}"))  # nosec B608
            rows = [dict(r) for r in result.mappings()]
    except SQLAlchemyError as exc:
        raise LegacySourceError(
            f"Could not read the table {table} ({type(exc).__name__})."
        ) from exc
    finally:
        await engine.dispose()
    return rows_from_json(rows)
