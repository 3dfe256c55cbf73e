"""Inventory: holds (from proposals) and bookings (from approved booking orders).

Revision ID: 0011_h7_inventory
Revises: 0007_proposals
Create Date: 2026-12-06 22:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from salesbot.kit.db import UTCDateTime

revision: str = "0011_h7_inventory"
down_revision: str | Sequence[str] | None = "0007_proposals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0006_booking_orders"

_TABLE = "inventory_commitments"


def _fk(column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{_TABLE}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("location_id", sa.Uuid(), nullable=False),
        sa.Column("location_key", sa.String(length=80), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=True),
        sa.Column("booking_order_id", sa.Uuid(), nullable=True),
        sa.Column("reference", sa.String(length=20), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("converted_to_id", sa.Uuid(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _fk("location_id", "locations", "CASCADE"),
        _fk("owner_id", "users", "SET NULL"),
        _fk("proposal_id", "proposals", "SET NULL"),
        _fk("booking_order_id", "booking_orders", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_TABLE}")),
    )
    with op.batch_alter_table(_TABLE, schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventory_commitments_location_dates",
            ["location_id", "start_date", "end_date"],
            unique=False,
        )
        for column in ("status", "owner_id", "proposal_id", "booking_order_id", "reference"):
            batch_op.create_index(batch_op.f(f"ix_{_TABLE}_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table(_TABLE)
