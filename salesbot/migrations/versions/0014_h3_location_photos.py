"""Location photos for proposal slides: an image uploaded in the catalogue admin, and the small
copy slides use (made once from that image or from the best mockup photo).

Revision ID: 0014_h3_location_photos
Revises: 0013_one_head
Create Date: 2026-12-07 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_h3_location_photos"
down_revision: str | Sequence[str] | None = "0013_one_head"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("locations") as batch:
        batch.add_column(sa.Column("photo_file_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("slide_photo_file_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("slide_photo_source", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("locations") as batch:
        batch.drop_column("slide_photo_source")
        batch.drop_column("slide_photo_file_id")
        batch.drop_column("photo_file_id")
