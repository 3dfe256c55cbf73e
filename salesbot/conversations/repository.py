"""Queries for conversations, messages and summaries; no business rules."""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import Integer, Select, and_, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.conversations.models import Conversation, ConversationSummary, Message
from salesbot.kit.ids import new_id


async def create_conversation(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    title: str,
    now: datetime,
    model: str | None = None,
    conversation_id: uuid.UUID | None = None,
    meta: dict[str, Any] | None = None,
) -> Conversation:
    conversation = Conversation(
        id=conversation_id or new_id(),
        user_id=user_id,
        title=title,
        model=model,
        created_at=now,
        updated_at=now,
        pinned=False,
        meta=meta or {},
    )
    session.add(conversation)
    await session.flush()
    return conversation


async def conversation_by_id(
    session: AsyncSession, conversation_id: uuid.UUID, *, include_deleted: bool = False
) -> Conversation | None:
    stmt = select(Conversation).where(Conversation.id == conversation_id)
    if not include_deleted:
        stmt = stmt.where(Conversation.deleted_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_conversations(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    archived: bool | None,
    pinned: bool | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Conversation]:
    """Newest activity first; `after` is the (updated_at, id) of the previous page's last row."""
    stmt = select(Conversation).where(
        Conversation.user_id == user_id, Conversation.deleted_at.is_(None)
    )
    if archived is not None:
        stmt = stmt.where(
            Conversation.archived_at.is_not(None)
            if archived
            else Conversation.archived_at.is_(None)
        )
    if pinned is not None:
        stmt = stmt.where(Conversation.pinned.is_(pinned))
    if after is not None:
        updated, last_id = after
        stmt = stmt.where(
            or_(
                Conversation.updated_at < updated,
                and_(Conversation.updated_at == updated, Conversation.id < last_id),
            )
        )
    stmt = stmt.order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(limit)
    return list((await session.execute(stmt)).scalars())


class MessageExtras(TypedDict, total=False):
    """The optional parts of a new message."""

    tool_calls: list[dict[str, Any]] | None
    tool_call_id: str | None
    attachments: list[dict[str, Any]] | None
    tokens_used: int | None
    meta: dict[str, Any] | None


async def append_message(
    session: AsyncSession,
    *,
    conversation_id: uuid.UUID,
    role: str,
    content: str,
    now: datetime,
    message_id: uuid.UUID | None = None,
    **extras: Unpack[MessageExtras],
) -> Message:
    """One INSERT plus an `updated_at` touch, whatever the conversation's length."""
    message = Message(
        id=message_id or new_id(),
        conversation_id=conversation_id,
        # Read inside the INSERT itself: no extra round trip.
        user_id=select(Conversation.user_id)
        .where(Conversation.id == conversation_id)
        .scalar_subquery(),
        role=role,
        content=content,
        tool_calls=extras.get("tool_calls"),
        tool_call_id=extras.get("tool_call_id"),
        attachments=extras.get("attachments"),
        tokens_used=extras.get("tokens_used"),
        meta=extras.get("meta") or {},
        created_at=now,
    )
    session.add(message)
    await session.flush()
    await touch(session, conversation_id, now)
    return message


async def insert_messages(session: AsyncSession, messages: Sequence[Message]) -> None:
    """Bulk insert (imports); callers touch the conversation once afterwards."""
    for start in range(0, len(messages), 500):
        session.add_all(messages[start : start + 500])
        await session.flush()


async def touch(
    session: AsyncSession, conversation_id: uuid.UUID, now: datetime, **values: Any
) -> None:
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )


_MESSAGES = Message.__table__
_CONVERSATIONS = Conversation.__table__
# The columns of a message page, as plain rows (no ORM objects): the API's hottest read.
_MESSAGE_PAGE = select(
    _MESSAGES.c.id,
    _MESSAGES.c.conversation_id,
    _MESSAGES.c.role,
    _MESSAGES.c.content,
    _MESSAGES.c.tool_calls,
    _MESSAGES.c.tool_call_id,
    _MESSAGES.c.attachments,
    _MESSAGES.c.tokens_used,
    _MESSAGES.c.created_at,
    _MESSAGES.c.metadata.label("meta"),
)


async def conversation_owner(session: AsyncSession, conversation_id: uuid.UUID) -> uuid.UUID | None:
    """Whose (not deleted) conversation this is; None when there is none."""
    stmt = select(_CONVERSATIONS.c.user_id).where(
        _CONVERSATIONS.c.id == conversation_id, _CONVERSATIONS.c.deleted_at.is_(None)
    )
    owner: uuid.UUID | None = (await session.execute(stmt)).scalar_one_or_none()
    return owner


@functools.cache
def _message_page_query(*, owned: bool, before: bool) -> Select[Any]:
    """The page query with its values as parameters, built once per shape: building it per
    request (and its cache key) cost ~100 µs of a message page's CPU."""
    stmt = _MESSAGE_PAGE.where(_MESSAGES.c.conversation_id == bindparam("conversation_id"))
    if owned:
        stmt = stmt.join(_CONVERSATIONS, _CONVERSATIONS.c.id == _MESSAGES.c.conversation_id).where(
            _CONVERSATIONS.c.user_id == bindparam("owner_id"), _CONVERSATIONS.c.deleted_at.is_(None)
        )
    if before:
        stmt = stmt.where(_MESSAGES.c.id < bindparam("before"))
    return stmt.order_by(_MESSAGES.c.id.desc()).limit(bindparam("limit", type_=Integer))


async def list_messages(
    session: AsyncSession,
    *,
    conversation_id: uuid.UUID,
    before: uuid.UUID | None,
    limit: int,
    owner_id: uuid.UUID | None = None,
) -> list[Any]:
    """Latest first, as `Row`s; ids are time-ordered so `id` alone orders the conversation.

    With `owner_id`, only when the (not deleted) conversation is theirs: no rows otherwise.
    """
    stmt = _message_page_query(owned=owner_id is not None, before=before is not None)
    values = {"conversation_id": conversation_id, "owner_id": owner_id, "before": before}
    params = {name: value for name, value in values.items() if value is not None}
    return list((await session.execute(stmt, {**params, "limit": limit})).all())


async def recent_messages(
    session: AsyncSession,
    *,
    conversation_id: uuid.UUID,
    after: uuid.UUID | None,
    limit: int,
) -> list[Message]:
    """Up to `limit` of the latest messages newer than `after`, oldest first."""
    stmt = select(Message).where(Message.conversation_id == conversation_id)
    if after is not None:
        stmt = stmt.where(Message.id > after)
    rows = list((await session.execute(stmt.order_by(Message.id.desc()).limit(limit))).scalars())
    rows.reverse()
    return rows


async def iter_messages(
    session: AsyncSession, conversation_id: uuid.UUID, *, batch: int = 500
) -> AsyncIterator[Message]:
    """Every message oldest first, read in keyset batches (exports of long conversations)."""
    last: uuid.UUID | None = None
    while True:
        stmt = select(Message).where(Message.conversation_id == conversation_id)
        if last is not None:
            stmt = stmt.where(Message.id > last)
        rows = list((await session.execute(stmt.order_by(Message.id).limit(batch))).scalars())
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        last = rows[-1].id


async def existing_message_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        stmt = select(Message.id).where(Message.id.in_(chunk))
        found.update((await session.execute(stmt)).scalars())
    return found


async def latest_summary(
    session: AsyncSession, conversation_id: uuid.UUID
) -> ConversationSummary | None:
    stmt = (
        select(ConversationSummary)
        .where(ConversationSummary.conversation_id == conversation_id)
        .order_by(ConversationSummary.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


class NewSummary(TypedDict):
    """A summary of a conversation's messages up to and including `through_message_id`."""

    through_message_id: uuid.UUID
    content: str
    model: str
    tokens: int
    now: datetime


async def add_summary(
    session: AsyncSession, conversation_id: uuid.UUID, **summary: Unpack[NewSummary]
) -> ConversationSummary:
    row = ConversationSummary(
        conversation_id=conversation_id,
        through_message_id=summary["through_message_id"],
        content=summary["content"],
        model=summary["model"],
        tokens=summary["tokens"],
        created_at=summary["now"],
    )
    session.add(row)
    await session.flush()
    return row
