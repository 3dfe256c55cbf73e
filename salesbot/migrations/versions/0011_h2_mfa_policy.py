"""Roles an admin marks as needing two-step sign-in (the setting is the initial default).

Revision ID: 0011_h2_mfa_policy
Revises: 0010_totp
Create Date: 2026-12-06 22:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from salesbot.kit.db import UTCDateTime

revision: str = "0011_h2_mfa_policy"
down_revision: str | Sequence[str] | None = "0010_totp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mfa_role_policies",
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_mfa_role_policies_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("role", name=op.f("pk_mfa_role_policies")),
    )


def downgrade() -> None:
    op.drop_table("mfa_role_policies")
