"""Messages carry their owner: search reads only the caller's messages.

Revision ID: 0017_h8_messages_user
Revises: 0016_h1_proposal_conversation
Create Date: 2026-12-07 02:15:00

`messages.user_id` copies the conversation's owner (set on insert, backfilled here; a
conversation never changes owner). On PostgreSQL two indexes replace the global ones search
used: (user_id, created_at) walks one user's messages newest first, and a GIN index on
(user_id, search_vector) (the `btree_gin` extension, in PostgreSQL's contrib and on Supabase)
finds one user's matches of a rarer word without touching anybody else's. SQLite keeps its FTS5
tables; its column stays nullable (SQLite cannot add a NOT NULL column without a default).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_h8_messages_user"
down_revision: str | Sequence[str] | None = "0016_h1_proposal_conversation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("messages", sa.Column("user_id", sa.Uuid(), nullable=True))
    if postgres:
        op.execute(
            "UPDATE messages m SET user_id = c.user_id FROM conversations c "
            "WHERE c.id = m.conversation_id"
        )
        op.alter_column("messages", "user_id", nullable=False)
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        op.execute(
            "CREATE INDEX ix_messages_user_search ON messages USING GIN (user_id, search_vector)"
        )
        op.drop_index("ix_messages_search_vector", table_name="messages")
    else:
        op.execute(
            "UPDATE messages SET user_id = "
            "(SELECT c.user_id FROM conversations c WHERE c.id = messages.conversation_id)"
        )
    op.create_index("ix_messages_user_id_created_at", "messages", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_user_id_created_at", table_name="messages")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_messages_search_vector ON messages USING GIN (search_vector)")
        op.execute("DROP INDEX ix_messages_user_search")
    op.drop_column("messages", "user_id")
