"""Message search ranks a bounded set of recent matches: an index on messages' creation time.

Revision ID: 0011_h4_search_recent
Revises: 0009_lifecycle
Create Date: 2026-12-06 22:50:00

The search ranked every match (one heap fetch each) before keeping a page, which took seconds
for a word found in half of a user's messages. It now ranks only the most recent matches
(salesbot/conversations/search.py): for a common word PostgreSQL walks this index newest first
and stops after a few hundred matches; for a rare word it still uses the GIN index. Both
dialects get the index (SQLite orders the same candidates by it).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_h4_search_recent"
down_revision: str | Sequence[str] | None = "0009_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_messages_created_at", "messages", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_messages_created_at", table_name="messages")
