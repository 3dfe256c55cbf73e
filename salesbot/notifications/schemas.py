"""Response models for the notification endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class NotificationOut(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    link: str | None
    booking_order_id: uuid.UUID | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None = None
    has_more: bool = False
    unread_count: int


class UnreadCount(BaseModel):
    unread_count: int


class MarkedRead(BaseModel):
    marked: int
    unread_count: int
