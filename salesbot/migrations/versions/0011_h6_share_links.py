"""Client links to proposals: links per recipient, views, time per page, decisions.

Revision ID: 0011_h6_share_links
Revises: 0007_proposals, 0009_lifecycle
Create Date: 2026-12-06 22:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from salesbot.kit.db import UTCDateTime

revision: str = "0011_h6_share_links"
down_revision: str | Sequence[str] | None = ("0007_proposals", "0009_lifecycle")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIVE = sa.text("revoked_at IS NULL")
_ACCEPTED = sa.text("decision = 'accepted'")


def _links() -> None:
    op.create_table(
        "share_links",
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("recipient_email", sa.String(length=254), nullable=False),
        sa.Column("recipient_name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=True),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=20), nullable=True),
        sa.Column("first_opened_at", UTCDateTime(), nullable=True),
        sa.Column("emailed_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_share_links_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_share_links_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_links_token_hash")),
    )
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_share_links_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            "uq_share_links_live_recipient",
            ["proposal_id", "recipient_email"],
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        )


def _views() -> None:
    op.create_table(
        "share_views",
        sa.Column("share_id", sa.Uuid(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("ip_prefix", sa.String(length=50), nullable=False),
        sa.Column("device", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["share_links.id"],
            name=op.f("fk_share_views_share_id_share_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_views")),
    )
    with op.batch_alter_table("share_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_views_share_id"), ["share_id"], unique=False)
    op.create_table(
        "share_page_times",
        sa.Column("view_id", sa.Uuid(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("milliseconds", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["view_id"],
            ["share_views.id"],
            name=op.f("fk_share_page_times_view_id_share_views"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_page_times")),
    )
    with op.batch_alter_table("share_page_times", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_page_times_view_id"), ["view_id"], unique=False)


def _decisions() -> None:
    op.create_table(
        "share_decisions",
        sa.Column("share_id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("signer_title", sa.String(length=120), nullable=False),
        sa.Column("signature", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ip_prefix", sa.String(length=50), nullable=False),
        sa.Column("device", sa.String(length=10), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("accepted_file_id", sa.Uuid(), nullable=True),
        sa.Column("booking_order_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('accepted', 'declined')", name=op.f("ck_share_decisions_decision")
        ),
        sa.ForeignKeyConstraint(
            ["accepted_file_id"],
            ["files.id"],
            name=op.f("fk_share_decisions_accepted_file_id_files"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_share_decisions_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["share_id"],
            ["share_links.id"],
            name=op.f("fk_share_decisions_share_id_share_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_decisions")),
        sa.UniqueConstraint("share_id", name=op.f("uq_share_decisions_share_id")),
    )
    with op.batch_alter_table("share_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_share_decisions_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            "uq_share_decisions_accepted_proposal",
            ["proposal_id"],
            unique=True,
            sqlite_where=_ACCEPTED,
            postgresql_where=_ACCEPTED,
        )


def upgrade() -> None:
    _links()
    _views()
    _decisions()


def downgrade() -> None:
    op.drop_table("share_decisions")
    op.drop_table("share_page_times")
    op.drop_table("share_views")
    op.drop_table("share_links")
