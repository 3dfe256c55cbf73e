"""Lifecycle tables: legal holds, per-company retention policies, personal-data exports."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow

HOLD_SCOPES = ("user", "company", "conversation")
EXPORT_STATUSES = ("queued", "running", "done", "failed")


class LegalHold(IdMixin, TimestampMixin, Base):
    """A hold on a user, a company or a conversation: no purge or erasure touches what it covers.

    `target_id` has no foreign key on purpose: a hold outlives nothing it protects (what it
    covers cannot be purged), and a released hold is kept as the record of the hold.
    """

    __tablename__ = "legal_holds"
    __table_args__ = (
        Index("ix_legal_holds_scope_target_id", "scope", "target_id"),
        CheckConstraint("scope IN ('user', 'company', 'conversation')", name="scope"),
    )

    scope: Mapped[str] = mapped_column(String(12), nullable=False)
    target_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )


class RetentionPolicy(Base):
    """A company's retention periods; a NULL period means the global default from settings."""

    __tablename__ = "retention_policies"

    company_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    archive_idle_days: Mapped[int | None] = mapped_column(Integer)
    purge_deleted_days: Mapped[int | None] = mapped_column(Integer)
    orphan_upload_days: Mapped[int | None] = mapped_column(Integer)
    business_record_years: Mapped[int | None] = mapped_column(Integer)
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class DataExport(IdMixin, TimestampMixin, Base):
    """One personal-data export: its job's progress and, when done, the ZIP in storage."""

    __tablename__ = "data_exports"
    __table_args__ = (
        Index("ix_data_exports_user_id_id", "user_id", "id"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued")
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    storage_key: Mapped[str | None] = mapped_column(String(512))
    size: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(300))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
