"""Conversation rules: ownership, paging, renaming/pinning/archiving, soft delete, appends."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar, Unpack

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.conversations import behind, hot, repository, wire
from salesbot.conversations import search as fts
from salesbot.conversations.models import (
    DEFAULT_TITLE,
    Conversation,
    ConversationSummary,
    Message,
)
from salesbot.kit.db import Database
from salesbot.kit.errors import NotFound, ValidationFailed
from salesbot.kit.pagination import BAD_CURSOR, decode_cursor, encode_cursor

NOT_FOUND = "Conversation not found."
MAX_PAGE = 100
MAX_SEARCH_PAGE = 50


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    has_more: bool


class ConversationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(NOT_FOUND)


async def create(
    session: AsyncSession,
    principal: Principal,
    *,
    now: datetime,
    title: str | None = None,
    model: str | None = None,
) -> Conversation:
    conversation = await repository.create_conversation(
        session,
        user_id=principal.user_id,
        title=(title or "").strip() or DEFAULT_TITLE,
        model=model,
        now=now,
    )
    await session.commit()
    return conversation


async def get_own(
    session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
) -> Conversation:
    """The caller's conversation; anybody else's (or a deleted one) is simply not found."""
    conversation = await repository.conversation_by_id(session, conversation_id)
    if conversation is None or conversation.user_id != principal.user_id:
        raise ConversationNotFound()
    return conversation


def _after(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    values = decode_cursor(cursor)
    if values is None:
        return None
    try:
        return datetime.fromisoformat(str(values["u"])), uuid.UUID(str(values["i"]))
    except (KeyError, ValueError) as exc:
        raise ValidationFailed(BAD_CURSOR) from exc


async def list_page(
    session: AsyncSession,
    principal: Principal,
    *,
    archived: bool | None,
    pinned: bool | None,
    cursor: str | None,
    limit: int,
) -> Page[Conversation]:
    limit = max(1, min(limit, MAX_PAGE))
    rows = await repository.list_conversations(
        session,
        user_id=principal.user_id,
        archived=archived,
        pinned=pinned,
        after=_after(cursor),
        limit=limit + 1,
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        encode_cursor({"u": rows[-1].updated_at.isoformat(), "i": str(rows[-1].id)})
        if has_more
        else None
    )
    return Page(rows, next_cursor, has_more)


async def update(
    session: AsyncSession,
    principal: Principal,
    conversation_id: uuid.UUID,
    *,
    now: datetime,
    title: str | None = None,
    pinned: bool | None = None,
    archived: bool | None = None,
) -> Conversation:
    conversation = await get_own(session, principal, conversation_id)
    if title is not None:
        cleaned = " ".join(title.split())
        if not cleaned:
            raise ValidationFailed("The title cannot be empty.")
        conversation.title = cleaned[:200]
        # A name the user chose is never replaced by a generated one.
        conversation.meta = {**conversation.meta, "title_source": "user"}
    if pinned is not None:
        conversation.pinned = pinned
    if archived is not None:
        conversation.archived_at = (conversation.archived_at or now) if archived else None
    await session.commit()
    return conversation


async def delete(
    session: AsyncSession, principal: Principal, conversation_id: uuid.UUID, *, now: datetime
) -> None:
    """Soft delete: hidden everywhere at once; retention removes the rows later."""
    conversation = await get_own(session, principal, conversation_id)
    conversation.deleted_at = now
    await session.commit()
    cache = hot.current()
    if cache is not None:
        await cache.invalidate([conversation_id])


def _before(cursor: str | None) -> uuid.UUID | None:
    values = decode_cursor(cursor)
    if values is None:
        return None
    try:
        return uuid.UUID(str(values["b"]))
    except (KeyError, ValueError) as exc:
        raise ValidationFailed(BAD_CURSOR) from exc


async def messages_page(
    session: AsyncSession,
    principal: Principal,
    conversation_id: uuid.UUID,
    *,
    cursor: str | None,
    limit: int,
) -> Page[Any]:
    """The latest `limit` messages before the cursor, newest first (plain rows).

    From the hot cache when it holds the page (its owner compared with the caller first);
    else one query (ownership checked in it), whose first page then fills the cache. An empty
    page asks whether the conversation is the caller's at all. With write-behind, messages
    acknowledged but not stored yet are merged in.
    """
    limit = max(1, min(limit, MAX_PAGE))

    async def check_owner() -> None:
        if await repository.conversation_owner(session, conversation_id) != principal.user_id:
            raise ConversationNotFound()

    try:
        before = _before(cursor)
    except ValidationFailed:
        await check_owner()  # somebody else's conversation is not found, whatever the cursor
        raise
    cache = hot.current()
    version: str | None = None
    if cache is not None and cache.pages:
        cached = await cache.page(conversation_id, principal.user_id, before=before, want=limit + 1)
        if cached is not None:
            return _message_page(cached, limit)
        version = await cache.version(conversation_id) if before is None else None
    want = hot.WINDOW if version is not None else limit + 1
    rows: list[Any] = await repository.list_messages(
        session,
        conversation_id=conversation_id,
        before=before,
        limit=want,
        owner_id=principal.user_id,
    )
    if not rows:
        await check_owner()
    if cache is not None and cache.write_behind:
        waiting = await behind.pending(cache.redis, conversation_id)
        waiting = [m for m in waiting if before is None or m.id < before]
        rows = wire.merge_newest_first(rows, waiting)[:want]
    if cache is not None and version is not None:
        await cache.fill(
            conversation_id, principal.user_id, version, rows, full=len(rows) < hot.WINDOW
        )
    return _message_page(rows, limit)


def _message_page(rows: list[Any], limit: int) -> Page[Any]:
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor({"b": str(rows[-1].id)}) if has_more else None
    return Page(rows, next_cursor, has_more)


async def search(
    session: AsyncSession, principal: Principal, *, q: str, cursor: str | None, limit: int
) -> Page[fts.Hit]:
    limit = max(1, min(limit, MAX_SEARCH_PAGE))
    values = decode_cursor(cursor) or {"o": 0}
    try:
        offset = int(values["o"])
    except (KeyError, ValueError, TypeError) as exc:
        raise ValidationFailed(BAD_CURSOR) from exc
    if offset < 0 or offset > 10_000:
        raise ValidationFailed(BAD_CURSOR)
    hits = await fts.search(session, user_id=principal.user_id, q=q, limit=limit + 1, offset=offset)
    has_more = len(hits) > limit
    return Page(hits[:limit], encode_cursor({"o": offset + limit}) if has_more else None, has_more)


async def iter_messages(database: Database, conversation_id: uuid.UUID) -> AsyncIterator[Message]:
    """Every message oldest first, through a session of its own (for streamed exports)."""
    cache = hot.current()
    waiting = []
    if cache is not None and cache.write_behind:
        waiting = sorted(await behind.pending(cache.redis, conversation_id), key=lambda m: m.id)
    last: uuid.UUID | None = None
    async with database.sessions() as session:
        async for message in repository.iter_messages(session, conversation_id):
            last = message.id
            yield message
    for pending in waiting:  # acknowledged, not stored yet (write-behind)
        if last is None or pending.id > last:
            yield wire.as_model(pending)


# --- used by the assistant ---------------------------------------------------------------------


async def owned_for_chat(
    session: AsyncSession, principal: Principal, conversation_id: uuid.UUID | None, *, now: datetime
) -> Conversation:
    """The conversation a chat message goes to: the caller's own, or a new one — not committed
    yet, so it is stored in one transaction with the message (`append`), or not at all."""
    if conversation_id is None:
        return await repository.create_conversation(
            session, user_id=principal.user_id, title=DEFAULT_TITLE, model=None, now=now
        )
    return await get_own(session, principal, conversation_id)


async def append(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    *,
    role: str,
    content: str,
    now: datetime,
    **extras: Unpack[repository.MessageExtras],
) -> Message:
    """Append one message and commit: one INSERT + the conversation's `updated_at` touch.

    With write-behind, the message (its id assigned here) is acknowledged once it is on the
    Redis stream; the session's other work (a new conversation) is committed first. Either
    way a cached page gets the message written through.
    """
    cache = hot.current()
    message_id: uuid.UUID | None = None
    if cache is not None and cache.write_behind:
        await session.commit()
        staged = behind.new_message(conversation_id, role=role, content=content, now=now, **extras)
        message_id = staged.id
        if await behind.stage(cache.redis, staged):
            if cache.pages:
                await cache.appended(staged)
            return wire.as_model(staged)
    message = await repository.append_message(
        session,
        conversation_id=conversation_id,
        role=role,
        content=content,
        now=now,
        message_id=message_id,
        **extras,
    )
    await session.commit()
    if cache is not None and cache.pages:
        await cache.appended(message)
    return message


async def replay_window(
    session: AsyncSession, conversation_id: uuid.UUID, *, limit: int
) -> tuple[ConversationSummary | None, list[Message]]:
    """The latest stored summary and up to `limit` of the messages after it, oldest first
    (with write-behind, acknowledged messages not stored yet included)."""
    summary = await repository.latest_summary(session, conversation_id)
    after = summary.through_message_id if summary else None
    messages = await repository.recent_messages(
        session, conversation_id=conversation_id, after=after, limit=limit
    )
    cache = hot.current()
    if cache is not None and cache.write_behind:
        waiting = await behind.pending(cache.redis, conversation_id)
        seen = {m.id for m in messages}
        extra = [
            wire.as_model(m)
            for m in waiting
            if m.id not in seen and (after is None or m.id > after)
        ]
        if extra:
            messages = sorted([*messages, *extra], key=lambda m: m.id)[-limit:]
    return summary, messages


async def save_summary(
    session: AsyncSession, conversation_id: uuid.UUID, **summary: Unpack[repository.NewSummary]
) -> ConversationSummary:
    row = await repository.add_summary(session, conversation_id, **summary)
    await session.commit()
    return row


def needs_title(conversation: Conversation) -> bool:
    return conversation.title == DEFAULT_TITLE and conversation.meta.get("title_source") != "user"


async def set_generated_title(
    session: AsyncSession, conversation_id: uuid.UUID, title: str, *, now: datetime
) -> str | None:
    """Set a generated title unless the user named the conversation meanwhile."""
    conversation = await repository.conversation_by_id(session, conversation_id)
    if conversation is None or not needs_title(conversation):
        return None
    conversation.title = title[:200]
    conversation.meta = {**conversation.meta, "title_source": "generated"}
    await session.commit()
    return conversation.title


async def update_meta(
    session: AsyncSession, conversation_id: uuid.UUID, values: dict[str, Any], *, model: str | None
) -> None:
    conversation = await repository.conversation_by_id(session, conversation_id)
    if conversation is None:
        return
    conversation.meta = {**conversation.meta, **values}
    if model is not None:
        conversation.model = model
    await session.commit()
