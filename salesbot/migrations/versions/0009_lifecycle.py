"""Data lifecycle: legal holds, retention policies, data exports; files outlive their owner.

`files.owner_id` was RESTRICT, so no user could ever be erased; it becomes nullable with
ON DELETE SET NULL (erasure deletes the person's own files first, with their objects, and the
documents of kept business records stay without an owner).

Revision ID: 0009_lifecycle
Revises: 0004_files, 0005_conversations
Create Date: 2026-12-06 19:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from salesbot.kit.db import UTCDateTime

revision: str = "0009_lifecycle"
down_revision: str | Sequence[str] | None = ("0004_files", "0005_conversations")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_constraint("fk_files_owner_id_users", type_="foreignkey")
        batch_op.alter_column("owner_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_foreign_key(
            "fk_files_owner_id_users", "users", ["owner_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "legal_holds",
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("released_at", UTCDateTime(), nullable=True),
        sa.Column("released_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "scope IN ('user', 'company', 'conversation')", name=op.f("ck_legal_holds_scope")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_legal_holds_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["released_by_id"],
            ["users.id"],
            name=op.f("fk_legal_holds_released_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_legal_holds_scope_target_id", ["scope", "target_id"], unique=False
        )
    op.create_table(
        "retention_policies",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("archive_idle_days", sa.Integer(), nullable=True),
        sa.Column("purge_deleted_days", sa.Integer(), nullable=True),
        sa.Column("orphan_upload_days", sa.Integer(), nullable=True),
        sa.Column("business_record_years", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_retention_policies_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_retention_policies_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_retention_policies")),
    )
    op.create_table(
        "data_exports",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=512), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_data_exports_status"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_data_exports_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_data_exports_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.create_index("ix_data_exports_user_id_id", ["user_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.drop_index("ix_data_exports_user_id_id")
    op.drop_table("data_exports")
    op.drop_table("retention_policies")
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_holds_scope_target_id")
    op.drop_table("legal_holds")
    # Files without an owner cannot go back under a NOT NULL column: they are removed first.
    op.execute("DELETE FROM files WHERE owner_id IS NULL")
    with op.batch_alter_table("files", schema=None) as batch_op:
        batch_op.drop_constraint("fk_files_owner_id_users", type_="foreignkey")
        batch_op.alter_column("owner_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            "fk_files_owner_id_users", "users", ["owner_id"], ["id"], ondelete="RESTRICT"
        )
