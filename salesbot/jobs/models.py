"""One row per run of a scheduled job: which tick, who ran it, how it went."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, UTCDateTime


class JobRun(IdMixin, Base):
    """A scheduled run; (schedule, scheduled_for) is unique, so a tick runs once per deployment."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("schedule", "scheduled_for", name="uq_job_runs_tick"),)

    schedule: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # running | succeeded | failed | interrupted (its process died while it ran)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    error_type: Mapped[str | None] = mapped_column(String(120))
    instance: Mapped[str] = mapped_column(String(120), nullable=False)
