"""The stored (JSON) form of a booking order on its row."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from salesbot.booking_orders.calculations import BookingOrder, Calculated
from salesbot.booking_orders.models import BookingOrderRow

# Amounts and dates are stored as strings (str(Decimal), ISO dates), never through a float.
_FORM: TypeAdapter[BookingOrder] = TypeAdapter(BookingOrder)


def encode(bo: BookingOrder) -> dict[str, Any]:
    """JSON-safe: amounts and dates as strings, so nothing passes through a float."""
    data: dict[str, Any] = _FORM.dump_python(bo, mode="json")
    return data


def decode(data: dict[str, Any]) -> BookingOrder:
    return _FORM.validate_python(data)


def store(row: BookingOrderRow, bo: BookingOrder, calc: Calculated | None) -> None:
    """Write the booking order and the columns lists filter and sort on."""
    row.data = encode(bo)
    row.bo_number = bo.bo_number[:100]
    row.client = bo.client[:200]
    row.currency = bo.currency
    row.gross = calc.gross if calc is not None else None
