"""Slack channel: linked Slack accounts, one-time link codes, threads, approval messages.

Revision ID: 0011_h8_slack
Revises: 0006_booking_orders, 0009_lifecycle
Create Date: 2026-12-06 22:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from salesbot.kit.db import UTCDateTime

revision: str = "0011_h8_slack"
# Needs users (0002), conversations (0005, via 0009_lifecycle) and booking orders (0006).
down_revision: str | Sequence[str] | None = ("0006_booking_orders", "0009_lifecycle")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "slack_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("slack_links", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_links")),
        sa.UniqueConstraint("team_id", "slack_user_id", name=op.f("uq_slack_link_user")),
    )
    op.create_index(op.f("ix_slack_links_user_id"), "slack_links", ["user_id"])
    op.create_table(
        "slack_link_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_link_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_slack_link_codes_code_hash")),
    )
    op.create_table(
        "slack_threads",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("slack_threads", "conversation_id", "conversations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_threads")),
        sa.UniqueConstraint("channel_id", "thread_ts", name=op.f("uq_slack_thread")),
    )
    op.create_index(op.f("ix_slack_threads_conversation_id"), "slack_threads", ["conversation_id"])
    op.create_table(
        "slack_approval_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("booking_order_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("settled_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("slack_approval_messages", "booking_order_id", "booking_orders"),
        _fk("slack_approval_messages", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_approval_messages")),
    )
    op.create_index(
        "ix_slack_approval_messages_bo",
        "slack_approval_messages",
        ["booking_order_id", "version"],
    )


def downgrade() -> None:
    op.drop_index("ix_slack_approval_messages_bo", table_name="slack_approval_messages")
    op.drop_table("slack_approval_messages")
    op.drop_index(op.f("ix_slack_threads_conversation_id"), table_name="slack_threads")
    op.drop_table("slack_threads")
    op.drop_table("slack_link_codes")
    op.drop_index(op.f("ix_slack_links_user_id"), table_name="slack_links")
    op.drop_table("slack_links")
