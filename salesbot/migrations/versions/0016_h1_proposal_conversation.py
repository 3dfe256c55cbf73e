"""Proposals remember the conversation they were made in, so a follow-up edit ("make it 4 weeks
instead") finds the latest proposal of that conversation and never another one's.

Revision ID: 0016_h1_proposal_conversation
Revises: 0015_h2_bo_finance
Create Date: 2026-12-07 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_h1_proposal_conversation"
down_revision: str | Sequence[str] | None = "0015_h2_bo_finance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conversation_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_proposals_conversation_id_conversations"),
            "conversations",
            ["conversation_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_proposals_conversation_id"), ["conversation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_conversation_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_proposals_conversation_id_conversations"), type_="foreignkey"
        )
        batch_op.drop_column("conversation_id")
