"""Mockup tables: billboard photos with their frames, and generated mockups."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow

STATUSES = ("queued", "running", "done", "failed")


class MockupPhoto(IdMixin, TimestampMixin, Base):
    """A billboard photo of a location, named `{key}_{n}.{ext}`, with its frames.

    `frames` holds `{"points": [[x, y] × 4], "settings": {...}}` per frame, already validated,
    clamped and with the corners ordered (top-left, top-right, bottom-right, bottom-left).
    """

    __tablename__ = "mockup_photos"
    __table_args__ = (
        UniqueConstraint("location_id", "number", name="uq_mockup_photos_location_id_number"),
        UniqueConstraint("location_id", "sha256", name="uq_mockup_photos_location_id_sha256"),
        CheckConstraint("time_of_day IN ('day', 'night')", name="time_of_day"),
    )

    location_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("locations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    file_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("files.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    time_of_day: Mapped[str] = mapped_column(String(5), nullable=False)
    finish: Mapped[str] = mapped_column(String(40), nullable=False, default="other")
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    frames: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    @property
    def frame_count(self) -> int:
        return len(self.frames or [])


class Mockup(IdMixin, TimestampMixin, Base):
    """One requested mockup: who, where, which photo and creatives, and the produced image.

    Rows start `queued` and are updated as the work progresses (`progress`, `message`), so a
    job on any worker reports to whoever polls the row.
    """

    __tablename__ = "mockups"
    __table_args__ = (
        Index("ix_mockups_owner_id_id", "owner_id", "id"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    )

    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE")
    )
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("locations.id", ondelete="SET NULL")
    )
    # Copied so history survives a location or photo being deleted.
    location_key: Mapped[str] = mapped_column(String(80), nullable=False)
    location_name: Mapped[str] = mapped_column(String(200), nullable=False)
    photo_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("mockup_photos.id", ondelete="SET NULL"), index=True
    )
    photo_name: Mapped[str] = mapped_column(String(120), nullable=False)
    time_of_day: Mapped[str] = mapped_column(String(5), nullable=False)
    finish: Mapped[str] = mapped_column(String(40), nullable=False)
    # upload | ai | poster: where the creatives came from.
    creative_source: Mapped[str] = mapped_column(String(10), nullable=False)
    creative_file_ids: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    prompt: Mapped[str | None] = mapped_column(String(1000))
    output_format: Mapped[str] = mapped_column(String(4), nullable=False, default="jpeg")
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued")
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    message: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(String(500))
    output_file_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("files.id", ondelete="SET NULL")
    )
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
