"""Finance completes the booking-order chain: the PO number and time of booking, the invoice
number and time of invoicing, and the coordinator's acknowledgement of totals that differ
from the document's (who, when, which differences). The new stages `booked` and `invoiced`
fit the existing `state` column.

Revision ID: 0015_h2_bo_finance
Revises: 0014_h3_location_photos
Create Date: 2026-12-07 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from salesbot.kit.db import UTCDateTime

revision: str = "0015_h2_bo_finance"
down_revision: str | Sequence[str] | None = "0014_h3_location_photos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("booking_orders") as batch:
        batch.add_column(sa.Column("po_number", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("booked_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("invoice_number", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("invoiced_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("totals_acknowledged", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("booking_orders") as batch:
        batch.drop_column("totals_acknowledged")
        batch.drop_column("invoiced_at")
        batch.drop_column("invoice_number")
        batch.drop_column("booked_at")
        batch.drop_column("po_number")
