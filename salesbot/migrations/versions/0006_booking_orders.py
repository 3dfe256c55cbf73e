"""Booking orders: orders, events, reference counters, company documents; notifications.

Revision ID: 0006_booking_orders
Revises: 0003_identity
Depends on: 0004_files
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from salesbot.kit.db import UTCDateTime

revision: str = "0006_booking_orders"
down_revision: str | Sequence[str] | None = "0003_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0004_files"


def _file_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["files.id"], name=op.f(f"fk_{table}_{column}_files"), ondelete="SET NULL"
    )


def upgrade() -> None:
    op.create_table(
        "booking_orders",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Uuid(), nullable=True),
        sa.Column("reference", sa.String(length=20), nullable=True),
        sa.Column("bo_number", sa.String(length=100), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("gross", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("intake_warnings", sa.JSON(), nullable=False),
        sa.Column("extraction", sa.String(length=20), nullable=False),
        sa.Column("source_file_id", sa.Uuid(), nullable=True),
        sa.Column("excel_file_id", sa.Uuid(), nullable=True),
        sa.Column("stamped_file_id", sa.Uuid(), nullable=True),
        sa.Column("final_pdf_file_id", sa.Uuid(), nullable=True),
        sa.Column("render_error", sa.String(length=300), nullable=True),
        sa.Column("hos_name", sa.String(length=200), nullable=True),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_booking_orders_company_id_companies"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_booking_orders_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["booking_orders.id"],
            name=op.f("fk_booking_orders_previous_id_booking_orders"),
            ondelete="SET NULL",
        ),
        _file_fk("booking_orders", "source_file_id"),
        _file_fk("booking_orders", "excel_file_id"),
        _file_fk("booking_orders", "stamped_file_id"),
        _file_fk("booking_orders", "final_pdf_file_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_orders")),
        sa.UniqueConstraint(
            "reference", "revision", name=op.f("uq_booking_orders_reference_revision")
        ),
    )
    with op.batch_alter_table("booking_orders", schema=None) as batch_op:
        for column in ("company_id", "owner_id", "state", "reference", "bo_number"):
            batch_op.create_index(batch_op.f(f"ix_booking_orders_{column}"), [column], unique=False)

    op.create_table(
        "booking_order_events",
        sa.Column("booking_order_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_state", sa.String(length=32), nullable=True),
        sa.Column("to_state", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_order_id"],
            ["booking_orders.id"],
            name=op.f("fk_booking_order_events_booking_order_id_booking_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_booking_order_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_order_events")),
    )
    with op.batch_alter_table("booking_order_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_order_events_booking_order_id"),
            ["booking_order_id"],
            unique=False,
        )

    op.create_table(
        "bo_reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_bo_reference_counters")),
    )

    op.create_table(
        "company_documents",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("template_file_id", sa.Uuid(), nullable=True),
        sa.Column("stamp_file_id", sa.Uuid(), nullable=True),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_company_documents_company_id_companies"),
            ondelete="CASCADE",
        ),
        _file_fk("company_documents", "template_file_id"),
        _file_fk("company_documents", "stamp_file_id"),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_company_documents_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_company_documents")),
    )

    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=True),
        sa.Column("booking_order_id", sa.Uuid(), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["booking_order_id"],
            ["booking_orders.id"],
            name=op.f("fk_notifications_booking_order_id_booking_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_user_id_read_at", ["user_id", "read_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notifications_booking_order_id"), ["booking_order_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_booking_order_id"))
        batch_op.drop_index("ix_notifications_user_id_read_at")
    op.drop_table("notifications")
    op.drop_table("company_documents")
    op.drop_table("bo_reference_counters")
    with op.batch_alter_table("booking_order_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_order_events_booking_order_id"))
    op.drop_table("booking_order_events")
    with op.batch_alter_table("booking_orders", schema=None) as batch_op:
        for column in ("bo_number", "reference", "state", "owner_id", "company_id"):
            batch_op.drop_index(batch_op.f(f"ix_booking_orders_{column}"))
    op.drop_table("booking_orders")
