"""Booking-order tables: orders, their events, reference counters, company documents."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow


class BookingOrderRow(IdMixin, TimestampMixin, Base):
    """One version of a booking order; a revision is a new row pointing at the approved one.

    `data` holds every field of `calculations.BookingOrder` as JSON (amounts and dates as
    strings, so nothing passes through a float); a few fields are copied into columns for
    listing and search. `version` is the optimistic-concurrency counter.
    """

    __tablename__ = "booking_orders"
    __table_args__ = (
        UniqueConstraint("reference", "revision", name="uq_booking_orders_reference_revision"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("companies.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("booking_orders.id", ondelete="SET NULL")
    )
    reference: Mapped[str | None] = mapped_column(String(20), index=True)
    bo_number: Mapped[str] = mapped_column(String(100), nullable=False, default="", index=True)
    client: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="AED")
    gross: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    intake_warnings: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    extraction: Mapped[str] = mapped_column(String(20), nullable=False, default="manual")
    source_file_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("files.id", ondelete="SET NULL")
    )
    excel_file_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("files.id", ondelete="SET NULL")
    )
    stamped_file_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("files.id", ondelete="SET NULL")
    )
    final_pdf_file_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("files.id", ondelete="SET NULL")
    )
    render_error: Mapped[str | None] = mapped_column(String(300))
    hos_name: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Finance's steps after approval: the client's PO number, then the invoice number.
    po_number: Mapped[str | None] = mapped_column(String(40))
    booked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invoice_number: Mapped[str | None] = mapped_column(String(40))
    invoiced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The coordinator's acknowledgement of document totals that differ from the calculated
    # ones: {"by_id", "by", "at" (ISO), "warnings": [the differences acknowledged]}.
    totals_acknowledged: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    # Every UPDATE carries "AND version = <loaded>" and bumps it; a lost race raises
    # StaleDataError instead of silently overwriting the winner.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class BookingOrderEvent(IdMixin, TimestampMixin, Base):
    """One recorded step of a booking order: a transition, an edit, or its creation."""

    __tablename__ = "booking_order_events"

    booking_order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("booking_orders.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    # Kept so the history still names the person after their account is erased.
    actor_name: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)


class ReferenceCounter(Base):
    """The last BO reference number handed out in a year (updated in the approving transaction)."""

    __tablename__ = "bo_reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False)


class CompanyDocuments(Base):
    """A company's own BO template and stamp (files); absent means the product's defaults."""

    __tablename__ = "company_documents"

    company_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    template_file_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("files.id", ondelete="SET NULL")
    )
    stamp_file_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("files.id", ondelete="SET NULL")
    )
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
