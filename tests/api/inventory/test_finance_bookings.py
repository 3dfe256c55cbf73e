"""Finance's steps and the calendar: booked and invoiced booking orders keep their dates like
approved ones; finance cancelling a booked order gives the dates back."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.api.booking_orders.conftest import World, act
from tests.api.inventory.conftest import Clock, Period, availability, bo_in_hos_review


async def test_booked_and_invoiced_orders_keep_their_dates_until_finance_cancels(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    start = clock.today + timedelta(days=30)
    period = Period(start, start + timedelta(days=13))
    kept = await bo_in_hos_review(client, world, "Pepsi", [("UAE21", period)])
    assert (await act(client, world.hos, kept["id"], "approve")).status_code == 200
    booked = await act(client, world.finance, kept["id"], "book", po_number="PO-1")
    assert booked.status_code == 200, booked.text
    seen = await availability(client, world.sales2, "uae21", period)
    assert seen["status"] == "booked"
    assert [c["booking_order_id"] for c in seen["commitments"]] == [kept["id"]]
    invoiced = await act(client, world.finance, kept["id"], "invoice", invoice_number="INV-1")
    assert invoiced.status_code == 200, invoiced.text
    assert (await availability(client, world.sales2, "uae21", period))["status"] == "booked"

    later = Period(period.end + timedelta(days=1), period.end + timedelta(days=14))
    dropped = await bo_in_hos_review(client, world, "Nike", [("UAE21", later)])
    assert (await act(client, world.hos, dropped["id"], "approve")).status_code == 200
    assert (await act(client, world.finance, dropped["id"], "book", po_number="PO-2")).is_success
    assert (await availability(client, world.sales2, "uae21", later))["status"] == "booked"
    cancelled = await act(client, world.finance, dropped["id"], "cancel", reason="PO withdrawn")
    assert cancelled.status_code == 200, cancelled.text
    after = await availability(client, world.sales2, "uae21", later)
    assert after["status"] == "free" and after["commitments"] == []
    # The invoiced order's dates are untouched.
    assert (await availability(client, world.sales2, "uae21", period))["status"] == "booked"
