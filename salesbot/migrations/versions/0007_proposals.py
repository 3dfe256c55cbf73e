"""Proposals: immutable history with versions, their locations and produced files.

Revision ID: 0007_proposals
Revises: 0003_identity
Create Date: 2026-11-27 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from salesbot.kit.db import UTCDateTime

revision: str = "0007_proposals"
down_revision: str | Sequence[str] | None = "0003_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0004_files"


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("root_id", sa.Uuid(), nullable=False),
        sa.Column("previous_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("client_name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_terms", sa.String(length=300), nullable=False),
        sa.Column("proposal_date", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("option_totals", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('separate', 'combined')", name=op.f("ck_proposals_kind")),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_proposals_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["proposals.id"],
            name=op.f("fk_proposals_previous_id_proposals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("root_id", "version", name="uq_proposals_root_id_version"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index("ix_proposals_owner_id_id", ["owner_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_root_id"), ["root_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_proposals_proposal_date"), ["proposal_date"], unique=False
        )

    op.create_table(
        "proposal_locations",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("location_key", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_proposal_locations_company_id_companies"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_locations_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "position", name=op.f("pk_proposal_locations")),
    )
    with op.batch_alter_table("proposal_locations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_proposal_locations_company_id_proposal_id",
            ["company_id", "proposal_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_proposal_locations_location_key"), ["location_key"], unique=False
        )

    op.create_table(
        "proposal_files",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["files.id"],
            name=op.f("fk_proposal_files_file_id_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_files_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "position", name=op.f("pk_proposal_files")),
    )
    with op.batch_alter_table("proposal_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposal_files_file_id"), ["file_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposal_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_files_file_id"))
    op.drop_table("proposal_files")
    with op.batch_alter_table("proposal_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposal_locations_location_key"))
        batch_op.drop_index("ix_proposal_locations_company_id_proposal_id")
    op.drop_table("proposal_locations")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_proposal_date"))
        batch_op.drop_index(batch_op.f("ix_proposals_root_id"))
        batch_op.drop_index("ix_proposals_owner_id_id")
    op.drop_table("proposals")
