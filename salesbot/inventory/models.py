"""Holds and bookings: units of a location taken for a range of days."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin, UTCDateTime


class Commitment(IdMixin, TimestampMixin, Base):
    """A hold (from a proposal, expires) or a booking (from an approved booking order).

    `status` is `active` while it counts; a hold ends `released`, `expired` or `converted` (into
    the booking that names it in `converted_to_id`); a booking ends `replaced` when a revision of
    its booking order is approved, or `released` when finance cancels the booked order (approved,
    booked and invoiced booking orders all keep their bookings). An active hold past
    `expires_at` already stops counting; the scheduled clean-up only writes that down.
    """

    __tablename__ = "inventory_commitments"
    __table_args__ = (
        Index("ix_inventory_commitments_location_dates", "location_id", "start_date", "end_date"),
    )

    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # hold | booking
    status: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    location_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("locations.id", ondelete="CASCADE"), nullable=False
    )
    location_key: Mapped[str] = mapped_column(String(80), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    units: Mapped[int] = mapped_column(Integer, nullable=False)
    client: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Kept so the calendar still names the salesperson after their account is erased.
    owner_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    proposal_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("proposals.id", ondelete="SET NULL"), index=True
    )
    booking_order_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("booking_orders.id", ondelete="SET NULL"), index=True
    )
    reference: Mapped[str | None] = mapped_column(String(20), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    renewals: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    converted_to_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
