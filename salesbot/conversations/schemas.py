"""Request and response models for conversations, messages, search and export."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Role = Literal["user", "assistant", "system", "tool"]


class ConversationCreate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)


class ConversationUpdate(BaseModel):
    """Rename, pin/unpin, archive/unarchive; absent fields are left alone."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    pinned: bool | None = None
    archived: bool | None = None


class ConversationOut(BaseModel):
    id: uuid.UUID
    title: str
    model: str | None
    pinned: bool
    archived: bool
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    next_cursor: str | None = None
    has_more: bool = False


class ToolCallOut(BaseModel):
    id: str
    name: str
    args: dict[str, Any] = {}


class MessageOut(BaseModel):
    id: uuid.UUID
    conversation_id: uuid.UUID
    role: Role
    content: str
    tool_calls: list[ToolCallOut] | None = None
    tool_call_id: str | None = None
    attachments: list[dict[str, Any]] | None = None
    tokens_used: int | None = None
    created_at: datetime
    metadata: dict[str, Any] = {}


class MessagePage(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None = None
    has_more: bool = False


class SearchHit(BaseModel):
    conversation_id: uuid.UUID
    conversation_title: str
    message_id: uuid.UUID | None = Field(
        description="The matching message; null when only the title matched"
    )
    role: Role | None = None
    snippet: str = Field(description="Plain text around the match")
    highlights: list[tuple[int, int]] = Field(
        default=[], description="[start, end) character ranges of the matched words in `snippet`"
    )
    snippet_html: str = Field(description="`snippet` HTML-escaped, matches wrapped in <mark>")
    rank: float
    created_at: datetime


class SearchPage(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None = None
    has_more: bool = False
    notice: str | None = Field(
        default=None, description="Why the search differs from what was typed (e.g. `ab*`)"
    )
