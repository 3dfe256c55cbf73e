"""Usage records: one row per model call, with tokens and cost."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin


class UsageRecord(IdMixin, TimestampMixin, Base):
    __tablename__ = "usage_records"
    __table_args__ = (
        Index("ix_usage_records_created_at", "created_at"),
        Index("ix_usage_records_user_id_created_at", "user_id", "created_at"),
    )

    # Kept (without the person) when a user or conversation is deleted: costs stay accountable.
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("conversations.id", ondelete="SET NULL")
    )
    run_id: Mapped[str | None] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(120), nullable=False)
    call_type: Mapped[str] = mapped_column(String(20), nullable=False)  # chat | title | summary
    input_tokens: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    cached_tokens: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reasoning_tokens: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    cost: Mapped[Decimal] = mapped_column(Numeric(16, 8), nullable=False, default=Decimal("0"))
