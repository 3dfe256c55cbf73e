"""The `files` table: one row per stored object, uploaded or generated."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin, UTCDateTime

PURPOSE_UPLOAD = "upload"
PURPOSE_GENERATED = "generated"
PURPOSES = (PURPOSE_UPLOAD, PURPOSE_GENERATED)


class FileRecord(IdMixin, TimestampMixin, Base):
    """A file's metadata; the bytes live in object storage under `storage_key`."""

    __tablename__ = "files"
    __table_args__ = (
        Index("ix_files_owner_id_id", "owner_id", "id"),
        CheckConstraint("purpose IN ('upload', 'generated')", name="purpose"),
    )

    # Erasure (salesbot.lifecycle) removes a person's own files with their objects first; what
    # is left (a business record's documents) stays without an owner.
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    # Set when the file belongs to a company's business record (e.g. a BO attachment).
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(255), nullable=False)
    safe_name: Mapped[str] = mapped_column(String(255), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    content_type: Mapped[str] = mapped_column(String(120), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(512), unique=True, nullable=False)
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
