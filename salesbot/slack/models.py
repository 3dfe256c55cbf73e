"""Slack accounts linked to product accounts, one-time link codes, threads and posted messages."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin, UTCDateTime


class SlackLink(IdMixin, TimestampMixin, Base):
    """A Slack user (in one workspace) acting as one product account."""

    __tablename__ = "slack_links"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id", name="uq_slack_link_user"),)

    team_id: Mapped[str] = mapped_column(String(32), nullable=False)
    slack_user_id: Mapped[str] = mapped_column(String(32), nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    method: Mapped[str] = mapped_column(String(20), nullable=False)  # email | code


class SlackLinkCode(IdMixin, TimestampMixin, Base):
    """A one-time link offered in Slack, confirmed by the signed-in user in the web UI."""

    __tablename__ = "slack_link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    team_id: Mapped[str] = mapped_column(String(32), nullable=False)
    slack_user_id: Mapped[str] = mapped_column(String(32), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SlackThread(IdMixin, TimestampMixin, Base):
    """A Slack thread is a conversation (the same one the web UI lists)."""

    __tablename__ = "slack_threads"
    __table_args__ = (UniqueConstraint("channel_id", "thread_ts", name="uq_slack_thread"),)

    channel_id: Mapped[str] = mapped_column(String(32), nullable=False)
    thread_ts: Mapped[str] = mapped_column(String(32), nullable=False)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False, index=True
    )


class SlackApprovalMessage(IdMixin, TimestampMixin, Base):
    """A booking-order message posted to an approver, updated when someone acts on it."""

    __tablename__ = "slack_approval_messages"
    __table_args__ = (Index("ix_slack_approval_messages_bo", "booking_order_id", "version"),)

    booking_order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("booking_orders.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    channel_id: Mapped[str] = mapped_column(String(32), nullable=False)
    ts: Mapped[str] = mapped_column(String(32), nullable=False)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
