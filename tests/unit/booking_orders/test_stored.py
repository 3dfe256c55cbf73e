"""The stored (JSON) form of a booking order: exact strings, and back again unchanged."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

from salesbot.booking_orders.stored import decode, encode
from tests.unit.booking_orders._sample import worked_example


def test_amounts_and_dates_are_stored_as_exact_strings() -> None:
    bo = replace(worked_example(), vat=Decimal("23126.00"), net_pre_vat=None)
    data = encode(bo)
    assert data["vat"] == "23126.00"
    assert data["net_pre_vat"] is None
    assert data["municipality_fee"] == "520"
    assert data["bo_date"] == "2025-02-20"
    assert data["asset"] == ["UAE02", "UAE03", "UAE21"]
    assert data["locations"][2] == {
        "name": "UAE21",
        "asset": "UAE21",
        "start_date": "2025-03-15",
        "end_date": "2025-03-28",
        "net_amount": "140000",
        "campaign_duration": "",
    }
    json.dumps(data)  # nothing but JSON types


def test_decoding_gives_the_same_booking_order_back() -> None:
    bo = replace(worked_example(), gross=Decimal("1E+2"), commission_pct=Decimal("2.50"))
    again = decode(encode(bo))
    assert again == bo
    assert str(again.commission_pct) == "2.50"
    assert decode(json.loads(json.dumps(encode(bo)))) == bo
