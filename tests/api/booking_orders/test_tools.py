"""The assistant's booking-order tools, run the way the assistant runs them."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from salesbot.booking_orders.tools import TOOLS
from salesbot.kit.errors import Forbidden
from tests.api.booking_orders.conftest import World, run_tool_as, upload, worked_csv


def test_the_tools_and_their_permissions() -> None:
    assert {t.name: t.permission for t in TOOLS} == {
        "parse_booking_order": "booking_orders:create",
        "edit_booking_order": "booking_orders:create",
        "submit_booking_order": "booking_orders:create",
        "approve_booking_order": "booking_orders:edit",
        "reject_booking_order": "booking_orders:edit",
        "cancel_booking_order": "booking_orders:read",
        "book_booking_order": "booking_orders:finance",
        "invoice_booking_order": "booking_orders:finance",
        "booking_order_status": "booking_orders:read",
        "find_booking_order": "booking_orders:read",
    }


async def test_a_booking_order_through_chat(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    file_id = await upload(client, world.sales, "bo.csv", worked_csv(), "text/csv")
    parsed = await run_tool_as(
        app,
        world.sales,
        "parse_booking_order",
        {"notes": "booking order for Viola, upload fee is 2000"},
        [file_id],
    )
    assert not parsed.is_error, parsed.summary
    assert parsed.summary.startswith("BO DPD-112652 for Nike (Viola) is a draft.")
    assert "Net 462,520.00 AED, VAT 23,126.00, gross 485,646.00." in parsed.summary

    fee = await run_tool_as(
        app, world.sales, "edit_booking_order", {"field": "municipality fee", "value": "8000"}
    )
    assert fee.data["totals"]["net_pre_vat"] == "470000.00"
    location = await run_tool_as(
        app,
        world.sales,
        "edit_booking_order",
        {"field": "net amount", "value": "150000", "location": "UAE21"},
    )
    assert location.data["fields"]["locations"][2]["net_amount"] == "150000"
    client_name = await run_tool_as(
        app,
        world.sales,
        "edit_booking_order",
        {"field": "client", "value": "Nike UAE", "booking_order": "DPD-112652"},
    )
    assert client_name.summary.startswith("Updated. BO DPD-112652 for Nike UAE (Viola)")
    bad = await run_tool_as(
        app, world.sales, "edit_booking_order", {"field": "dm fee", "value": "-1"}
    )
    assert bad.is_error
    assert "can't be negative" in bad.summary

    # An irreversible step is described first and runs only once confirmed.
    described = await run_tool_as(app, world.sales, "submit_booking_order", {})
    assert described.is_error and described.data["code"] == "confirm"
    gross = f"{Decimal(client_name.data['totals']['gross']):,.2f}"  # after the edits above
    assert described.summary == (
        f"This will submit BO DPD-112652 for coordinator review — Nike UAE, gross {gross} AED. "
        "Say yes to go ahead, or no to leave it as it is."
    )
    assert described.data["args"] == {
        "booking_order": "DPD-112652",
        "reason": None,
        "confirm": True,
    }
    submitted = await run_tool_as(app, world.sales, "submit_booking_order", described.data["args"])
    assert submitted.data["state"] == "coordinator_review"

    asked = await run_tool_as(app, world.coord, "reject_booking_order", {})
    assert not asked.is_error
    assert asked.summary == (
        "Why are you rejecting BO DPD-112652? Tell me the reason and I'll record it."
    )
    assert asked.data["needs"] == ["reason"]

    approved = await run_tool_as(app, world.coord, "approve_booking_order", {"confirm": True})
    assert approved.data["state"] == "hos_review"
    with pytest.raises(Forbidden):
        await run_tool_as(
            app, world.sales, "approve_booking_order", {"booking_order": "DPD-112652"}
        )
    final = await run_tool_as(app, world.hos, "approve_booking_order", {"confirm": True})
    assert final.data["state"] == "approved"
    reference = final.data["reference"]
    assert [card.name.rsplit(".", 1)[1] for card in final.files] == ["pdf", "xlsx", "pdf"]

    status = await run_tool_as(
        app, world.finance, "booking_order_status", {"booking_order": reference}
    )
    assert status.summary.startswith(f"{reference} for Nike UAE (Viola) is approved.")
    found = await run_tool_as(app, world.sales, "find_booking_order", {"query": "dpd-112652"})
    assert found.data["reference"] == reference
    missing = await run_tool_as(app, world.sales2, "find_booking_order", {"query": reference})
    assert missing.summary == f"No booking order you can see matches '{reference}'."


async def test_cancel_asks_for_a_reason_then_cancels(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    file_id = await upload(client, world.sales, "bo.csv", worked_csv(), "text/csv")
    await run_tool_as(app, world.sales, "parse_booking_order", {"company": "viola"}, [file_id])
    asked = await run_tool_as(app, world.sales, "cancel_booking_order", {})
    assert asked.data["needs"] == ["reason"]
    why = {"reason": "Client withdrew"}
    described = await run_tool_as(app, world.sales, "cancel_booking_order", why)
    assert described.data["code"] == "confirm"
    assert '(reason: "Client withdrew")' in described.summary
    done = await run_tool_as(app, world.sales, "cancel_booking_order", {**why, "confirm": True})
    assert done.data["state"] == "cancelled"
    nothing = await run_tool_as(app, world.sales, "submit_booking_order", {})
    assert nothing.is_error
    assert nothing.summary == "You have no booking order you could submit now."


async def test_with_several_candidates_the_assistant_asks_which(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    for name in ("a.csv", "b.csv"):
        file_id = await upload(client, world.sales, name, worked_csv(), "text/csv")
        await run_tool_as(app, world.sales, "parse_booking_order", {"company": "viola"}, [file_id])
    asked = await run_tool_as(app, world.sales, "submit_booking_order", {"confirm": True})
    assert asked.is_error and asked.data["code"] == "which"
    assert asked.summary == (
        "Which booking order should I submit? BO DPD-112652 (Nike); BO DPD-112652 (Nike)."
    )
    listed = await client.get("/api/booking-orders", headers=world.sales.headers)
    assert {bo["state"] for bo in listed.json()["items"]} == {"draft"}  # nothing submitted


async def test_parse_without_a_file_asks_for_one(app: FastAPI, world: World) -> None:
    result = await run_tool_as(app, world.sales, "parse_booking_order", {"company": "viola"})
    assert result.data == {"needs": ["file"]}
