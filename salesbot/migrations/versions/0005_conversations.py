"""Conversations, messages, summaries, usage records and full-text search.

Revision ID: 0005_conversations
Revises: 0003_identity
Create Date: 2026-11-26 12:00:00

Search: PostgreSQL gets a stored `tsvector` column on messages and an expression index on
titles, both GIN; SQLite gets FTS5 tables kept in sync by triggers.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from salesbot.kit.db import UTCDateTime

revision: str = "0005_conversations"
down_revision: str | Sequence[str] | None = "0003_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE messages_fts USING fts5("
    "content, message_id UNINDEXED, conversation_id UNINDEXED, "
    "tokenize='porter unicode61 remove_diacritics 2')",
    # The FTS row shares the message's rowid; deletes also match the id, so a stale rowid
    # (e.g. after VACUUM) can never remove another message's entry.
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, content, message_id, conversation_id) "
    "VALUES (new.rowid, new.content, new.id, new.conversation_id); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    "DELETE FROM messages_fts WHERE rowid = old.rowid AND message_id = old.id; END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN "
    "DELETE FROM messages_fts WHERE rowid = old.rowid AND message_id = old.id; "
    "INSERT INTO messages_fts(rowid, content, message_id, conversation_id) "
    "VALUES (new.rowid, new.content, new.id, new.conversation_id); END",
    "CREATE VIRTUAL TABLE conversations_fts USING fts5("
    "title, conversation_id UNINDEXED, tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN "
    "INSERT INTO conversations_fts(rowid, title, conversation_id) "
    "VALUES (new.rowid, new.title, new.id); END",
    "CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN "
    "DELETE FROM conversations_fts WHERE rowid = old.rowid AND conversation_id = old.id; END",
    "CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN "
    "DELETE FROM conversations_fts WHERE rowid = old.rowid AND conversation_id = old.id; "
    "INSERT INTO conversations_fts(rowid, title, conversation_id) "
    "VALUES (new.rowid, new.title, new.id); END",
]

POSTGRES_FTS = [
    "ALTER TABLE messages ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', coalesce(content, ''))) STORED",
    "CREATE INDEX ix_messages_search_vector ON messages USING GIN (search_vector)",
    "CREATE INDEX ix_conversations_title_search ON conversations "
    "USING GIN (to_tsvector('english', coalesce(title, '')))",
]


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("archived_at", UTCDateTime(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_conversations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index(
        "ix_conversations_user_updated",
        "conversations",
        ["user_id", "updated_at", "id"],
        unique=False,
    )
    op.create_table(
        "messages",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("tool_calls", sa.JSON(), nullable=True),
        sa.Column("tool_call_id", sa.String(length=120), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=True),
        sa.Column("tokens_used", sa.Integer(), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index(
        "ix_messages_conversation_id_id", "messages", ["conversation_id", "id"], unique=False
    )
    op.create_table(
        "conversation_summaries",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("through_message_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_summaries_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_summaries")),
    )
    op.create_index(
        "ix_conversation_summaries_conversation_id_id",
        "conversation_summaries",
        ["conversation_id", "id"],
        unique=False,
    )
    op.create_table(
        "usage_records",
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("conversation_id", sa.Uuid(), nullable=True),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("model", sa.String(length=120), nullable=False),
        sa.Column("call_type", sa.String(length=20), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("cached_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("reasoning_tokens", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Numeric(precision=16, scale=8), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_usage_records_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_usage_records_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_records")),
    )
    op.create_index("ix_usage_records_created_at", "usage_records", ["created_at"], unique=False)
    op.create_index(
        "ix_usage_records_user_id_created_at",
        "usage_records",
        ["user_id", "created_at"],
        unique=False,
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_FTS if dialect == "sqlite" else POSTGRES_FTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("messages_fts", "conversations_fts"):
            op.execute(f"DROP TABLE IF EXISTS {name}")
    op.drop_index("ix_usage_records_user_id_created_at", table_name="usage_records")
    op.drop_index("ix_usage_records_created_at", table_name="usage_records")
    op.drop_table("usage_records")
    op.drop_index(
        "ix_conversation_summaries_conversation_id_id", table_name="conversation_summaries"
    )
    op.drop_table("conversation_summaries")
    op.drop_index("ix_messages_conversation_id_id", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_conversations_user_updated", table_name="conversations")
    op.drop_table("conversations")
