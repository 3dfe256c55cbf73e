"""The spec's worked-example booking order, shared by the booking-order tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from salesbot.booking_orders.calculations import BookingOrder, Location


def worked_example(**changes: Any) -> BookingOrder:
    """Rentals 160,000 / 160,000 / 140,000, DM 520, production 2,000, SLA 10 %."""
    bo = BookingOrder(
        company="Viola",
        bo_number="DPD-112652",
        bo_date=date(2025, 2, 20),
        client="Nike",
        agency="OMD",
        brand_campaign="Air Max Spring",
        category="Sportswear",
        asset=("UAE02", "UAE03", "UAE21"),
        payment_terms="60 days",
        sales_person="Sara Khan",
        commission_pct=Decimal(5),
        sla_pct=Decimal(10),
        municipality_fee=Decimal(520),
        production_upload_fee=Decimal(2000),
        locations=(
            Location("UAE02", "UAE02", date(2025, 3, 1), date(2025, 3, 31), Decimal(160000)),
            Location("UAE03", "UAE03", date(2025, 3, 1), date(2025, 3, 31), Decimal(160000)),
            Location("UAE21", "UAE21", date(2025, 3, 15), date(2025, 3, 28), Decimal(140000)),
        ),
    )
    return replace(bo, **changes)
