"""Mockups: billboard photos with frames, and generated mockups.

Revision ID: 0008_mockups
Revises: 0003_identity
Create Date: 2026-11-28 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from salesbot.kit.db import UTCDateTime

revision: str = "0008_mockups"
down_revision: str | Sequence[str] | None = "0003_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0004_files"


def upgrade() -> None:
    op.create_table(
        "mockup_photos",
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("time_of_day", sa.String(length=5), nullable=False),
        sa.Column("finish", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("frames", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "time_of_day IN ('day', 'night')", name=op.f("ck_mockup_photos_time_of_day")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_mockup_photos_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["files.id"],
            name=op.f("fk_mockup_photos_file_id_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_mockup_photos_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mockup_photos")),
        sa.UniqueConstraint("location_id", "number", name="uq_mockup_photos_location_id_number"),
        sa.UniqueConstraint("location_id", "sha256", name="uq_mockup_photos_location_id_sha256"),
    )
    with op.batch_alter_table("mockup_photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mockup_photos_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mockup_photos_file_id"), ["file_id"], unique=False)

    op.create_table(
        "mockups",
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("location_key", sa.String(length=80), nullable=False),
        sa.Column("location_name", sa.String(length=200), nullable=False),
        sa.Column("photo_id", sa.Uuid(), nullable=True),
        sa.Column("photo_name", sa.String(length=120), nullable=False),
        sa.Column("time_of_day", sa.String(length=5), nullable=False),
        sa.Column("finish", sa.String(length=40), nullable=False),
        sa.Column("creative_source", sa.String(length=10), nullable=False),
        sa.Column("creative_file_ids", sa.JSON(), nullable=False),
        sa.Column("prompt", sa.String(length=1000), nullable=True),
        sa.Column("output_format", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=300), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("output_file_id", sa.Uuid(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_mockups_status")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_mockups_owner_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_mockups_location_id_locations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"],
            ["mockup_photos.id"],
            name=op.f("fk_mockups_photo_id_mockup_photos"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["output_file_id"],
            ["files.id"],
            name=op.f("fk_mockups_output_file_id_files"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mockups")),
    )
    with op.batch_alter_table("mockups", schema=None) as batch_op:
        batch_op.create_index("ix_mockups_owner_id_id", ["owner_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mockups_photo_id"), ["photo_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mockups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mockups_photo_id"))
        batch_op.drop_index("ix_mockups_owner_id_id")
    op.drop_table("mockups")
    with op.batch_alter_table("mockup_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mockup_photos_file_id"))
        batch_op.drop_index(batch_op.f("ix_mockup_photos_location_id"))
    op.drop_table("mockup_photos")
