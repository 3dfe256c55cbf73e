"""Request and response models for availability, holds and occupancy."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class CommitmentOut(BaseModel):
    """A hold or a booking of some units of one location."""

    id: uuid.UUID
    kind: Literal["hold", "booking"]
    status: str = Field(description="active, released, expired, converted or replaced")
    location_key: str
    start_date: date
    end_date: date
    units: int = Field(description="Faces (static) or spots in the loop (digital)")
    client: str
    owner_name: str
    proposal_id: uuid.UUID | None = None
    booking_order_id: uuid.UUID | None = None
    reference: str | None = None
    expires_at: datetime | None = None
    renewals: int = 0
    counts: bool = Field(description="Whether it takes inventory now (expired holds do not)")
    renewable: bool = False
    text: str = Field(examples=["UAE21 is held for Pepsi until 12 Jan 2027 (1–31 Mar 2027)"])


class DayOut(BaseModel):
    date: date
    booked: int
    held: int
    free: int


class AvailabilityOut(BaseModel):
    """One location's inventory over a range of days, answered from holds and bookings."""

    key: str
    display_name: str
    display_type: Literal["digital", "static"]
    from_date: date = Field(serialization_alias="from")
    to_date: date = Field(serialization_alias="to")
    capacity: int = Field(description="Faces (static) or spots in the loop (digital)")
    unit: Literal["face", "spot"]
    free_units: int = Field(description="Units free on every day of the range")
    status: Literal["free", "partly_free", "held", "booked"]
    answer: str = Field(examples=["The Landmark is free 1–31 Mar 2027 (all 6 spots)."])
    days: list[DayOut]
    commitments: list[CommitmentOut]


class HoldsOut(BaseModel):
    """The holds a proposal placed, and what else already claims those dates."""

    holds: list[CommitmentOut]
    warnings: list[str] = Field(
        default_factory=list, examples=[["UAE21 is held for Pepsi until 12 Jan 2027"]]
    )


class HoldList(BaseModel):
    items: list[CommitmentOut]


class WeekOut(BaseModel):
    start: date
    booked_pct: int
    held_pct: int


class OccupancyRow(BaseModel):
    key: str
    display_name: str
    display_type: Literal["digital", "static"]
    capacity: int
    unit: Literal["face", "spot"]
    weeks: list[WeekOut]


class OccupancyOut(BaseModel):
    """Company-wide occupancy by week (Monday first), in whole percent of unit-days."""

    weeks: list[date]
    rows: list[OccupancyRow]
