"""The notifications table: one row per recipient, read or unread."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin, UTCDateTime


class Notification(IdMixin, TimestampMixin, Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # A path inside the web UI (e.g. /booking-orders/<id>), never an external URL.
    link: Mapped[str | None] = mapped_column(String(300))
    booking_order_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("booking_orders.id", ondelete="CASCADE"), index=True
    )
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
