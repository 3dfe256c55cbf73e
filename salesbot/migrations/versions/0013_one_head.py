"""One head again: the branches that grew in parallel (identity, files and conversations,
booking orders and mockups, scheduled jobs, search, client links, inventory, Slack, two-step
sign-in) meet here, so the next migration has a single parent and `alembic heads` names one.

Revision ID: 0013_one_head
Revises: 0008_mockups, 0009_scheduled_job_runs, 0011_h4_search_recent, 0011_h6_share_links,
    0011_h7_inventory, 0011_h8_slack, 0012_h2_totp_sealed
Create Date: 2026-12-06 23:55:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0013_one_head"
down_revision: str | Sequence[str] | None = (
    "0008_mockups",
    "0009_scheduled_job_runs",
    "0011_h4_search_recent",
    "0011_h6_share_links",
    "0011_h7_inventory",
    "0011_h8_slack",
    "0012_h2_totp_sealed",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: only the history's branches join."""


def downgrade() -> None:
    """Nothing to change."""
