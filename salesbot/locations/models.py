"""The inventory: billboard and LED-screen locations."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow


class Location(IdMixin, TimestampMixin, Base):
    __tablename__ = "locations"

    key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    aliases: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    company_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("companies.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    display_type: Mapped[str] = mapped_column(String(10), nullable=False)  # digital | static
    series: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    width_m: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    height_m: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    number_of_faces: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    spot_duration_s: Mapped[int | None] = mapped_column(Integer)
    loop_duration_s: Mapped[int | None] = mapped_column(Integer)
    sov_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    upload_fee: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    template_file_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # An image an admin uploaded for the location's slides (else the best mockup photo is used).
    photo_file_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The small JPEG slides use, and the sha256 of the image it was made from.
    slide_photo_file_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    slide_photo_source: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
