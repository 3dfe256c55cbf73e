"""Finance's steps through the assistant: the number is checked first, then the step is
described and waits for a yes (like every irreversible booking-order action)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from salesbot.kit.errors import Forbidden
from tests.api.booking_orders.conftest import World, act, run_tool_as, to_hos_review


async def test_finance_books_and_invoices_through_chat_after_a_yes(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    bo = await to_hos_review(client, world)
    approved = await act(client, world.hos, bo["id"], "approve")
    reference = approved.json()["reference"]

    with pytest.raises(Forbidden):  # the tool needs finance's permission
        await run_tool_as(app, world.sales, "book_booking_order", {"po_number": "PO-1"})

    bad = await run_tool_as(
        app, world.finance, "book_booking_order", {"booking_order": reference, "po_number": "!!"}
    )
    assert bad.is_error and "doesn't look like a PO number" in bad.summary

    # Without a booking order named, the only one finance could book is meant.
    asked = await run_tool_as(app, world.finance, "book_booking_order", {"po_number": "PO-12345"})
    assert asked.is_error and asked.data["code"] == "confirm"
    assert asked.summary.startswith(f"This will book {reference} with PO number PO-12345 — Nike")
    assert asked.data["args"] == {
        "booking_order": reference,
        "confirm": True,
        "po_number": "PO-12345",
    }
    still = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.finance.headers)
    assert still.json()["state"] == "approved"

    booked = await run_tool_as(app, world.finance, "book_booking_order", asked.data["args"])
    assert not booked.is_error, booked.summary
    assert booked.summary.startswith("Booked with PO number PO-12345.")
    assert "is booked by finance" in booked.summary

    no_number = await run_tool_as(app, world.finance, "invoice_booking_order", {})
    assert no_number.data["needs"] == ["invoice_number"]
    asked = await run_tool_as(
        app, world.finance, "invoice_booking_order", {"invoice_number": "INV-2026-0042"}
    )
    assert asked.data["code"] == "confirm"
    assert "mark " + reference + " invoiced with invoice number INV-2026-0042" in asked.summary
    done = await run_tool_as(app, world.finance, "invoice_booking_order", asked.data["args"])
    assert not done.is_error, done.summary
    assert done.summary.startswith("Marked invoiced with invoice number INV-2026-0042.")
    assert done.data["state"] == "invoiced"
