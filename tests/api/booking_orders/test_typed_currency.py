"""Typed currencies in booking-order amounts, by the proposals' rule (#15 item 1, "same rules
... for booking orders"): an unmarked amount is in the booking order's currency (AED unless the
document says otherwise); one carrying a marker ("$1,000", "USD 1000", "1000 dollars",
"€100k", "AED 400k") is in that currency, converted at the stored rate to cents, half up, and
the answer says how; a currency without a rate is refused with the supported ones."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.assistant.conftest import chat, conversation_of, text_of
from tests.api.booking_orders.conftest import World, new_bo, run_tool_as, upload, worked_csv

USD_FEE = "Amounts read as USD 1,000 (AED 3,672.50 at 3.6725 AED per USD)."


async def _patch(
    client: httpx.AsyncClient, world: World, bo: dict[str, Any], **body: Any
) -> httpx.Response:
    return await client.patch(
        f"/api/booking-orders/{bo['id']}",
        json={"version": bo["version"], **body},
        headers=world.sales.headers,
    )


@pytest.mark.parametrize("typed", ["$1,000", "USD 1000", "1000 dollars", "usd 1k"])
async def test_a_dollar_fee_is_converted_to_the_booking_orders_aed_and_said_so(
    client: httpx.AsyncClient, world: World, typed: str
) -> None:
    bo = await new_bo(client, world.sales)
    response = await _patch(client, world, bo, fields={"municipality_fee": typed})
    assert response.status_code == 200, response.text
    edited = response.json()
    # 1,000 × 3.6725 = 3,672.50 AED; net = rentals 460,000 + upload fee 2,000 + 3,672.50.
    assert edited["fields"]["municipality_fee"] == "3672.50"
    assert edited["totals"]["net_pre_vat"] == "465672.50"
    assert edited["currency_note"] == USD_FEE


async def test_a_euro_location_amount_and_an_unmarked_fee_in_one_edit(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    name = bo["fields"]["locations"][0]["name"]
    response = await _patch(
        client,
        world,
        bo,
        fields={"municipality_fee": "1000"},
        locations=[{"location": name, "changes": {"net_amount": "€100k"}}],
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["fields"]["municipality_fee"] == "1000"  # unmarked: AED, as before
    assert edited["fields"]["locations"][0]["net_amount"] == "397000.00"  # 100,000 × 3.97
    assert edited["currency_note"] == (
        "Amounts read as EUR 100,000 (AED 397,000 at 3.97 AED per EUR)."
    )


async def test_unmarked_and_aed_amounts_need_no_note(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    for typed in ("1000", "AED 1,000"):
        response = await _patch(client, world, bo, fields={"municipality_fee": typed})
        assert response.status_code == 200, response.text
        bo = response.json()
        assert bo["fields"]["municipality_fee"] in ("1000", "1000.00")
        assert bo["currency_note"] is None


async def test_a_currency_without_a_rate_is_refused_with_the_supported_ones(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    response = await _patch(client, world, bo, fields={"municipality_fee": "SAR 1000"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == (
        "Currency 'SAR' is not supported. Supported currencies: AED, EUR, GBP, USD"
    )
    again = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.sales.headers)
    assert again.json()["version"] == bo["version"]  # nothing written
    assert again.json()["fields"]["municipality_fee"] == bo["fields"]["municipality_fee"]


async def test_in_a_usd_booking_order_unmarked_is_usd_and_aed_is_converted(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    converted = await _patch(client, world, bo, currency="USD")
    assert converted.status_code == 200, converted.text
    bo = converted.json()
    response = await _patch(client, world, bo, fields={"municipality_fee": "250"})
    assert response.status_code == 200, response.text
    bo = response.json()
    assert bo["fields"]["municipality_fee"] == "250"
    assert bo["currency_note"] == "Amounts read as USD 250 (the booking order's currency)."
    response = await _patch(client, world, bo, fields={"municipality_fee": "AED 3,672.50"})
    assert response.status_code == 200, response.text
    bo = response.json()
    assert bo["fields"]["municipality_fee"] == "1000.00"  # 3,672.50 / 3.6725
    assert bo["currency_note"] == (
        "Amounts read as AED 3,672.50 (USD 1,000 at 3.6725 AED per USD)."
    )


async def test_the_fee_in_the_upload_message_may_carry_a_currency(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(
        client,
        world.sales,
        company="Emirates NBD",
        notes="here is the signed BO from Emirates NBD for Viola, upload fee is $2,000",
    )
    assert bo["fields"]["production_upload_fee"] == "7345.00"  # 2,000 × 3.6725
    assert bo["currency_note"] == ("Amounts read as USD 2,000 (AED 7,345 at 3.6725 AED per USD).")
    plain = await new_bo(
        client, world.sales, notes="booking order for Viola, upload fee is 6000 dirhams"
    )
    assert plain["fields"]["production_upload_fee"] == "6000"
    assert plain["currency_note"] is None


async def test_the_chat_tools_read_and_say_the_currency(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    file_id = await upload(client, world.sales, "bo.csv", worked_csv(), "text/csv")
    parsed = await run_tool_as(
        app,
        world.sales,
        "parse_booking_order",
        {"company": "viola", "notes": "booking order for Viola, upload fee is 2000 dollars"},
        [file_id],
    )
    assert not parsed.is_error, parsed.summary
    assert parsed.data["fields"]["production_upload_fee"] == "7345.00"
    assert "Amounts read as USD 2,000 (AED 7,345 at 3.6725 AED per USD)." in parsed.summary

    edited = await run_tool_as(
        app, world.sales, "edit_booking_order", {"field": "dm fee", "value": "$1,000"}
    )
    assert not edited.is_error, edited.summary
    assert edited.data["fields"]["municipality_fee"] == "3672.50"
    assert edited.summary.startswith(f"Updated. {USD_FEE}")

    refused = await run_tool_as(
        app, world.sales, "edit_booking_order", {"field": "dm fee", "value": "SAR 1000"}
    )
    assert refused.is_error
    assert refused.summary == (
        "Currency 'SAR' is not supported. Supported currencies: AED, EUR, GBP, USD"
    )


async def test_a_full_chat_reads_the_fee_in_dollars_and_says_so(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = world.sales.headers
    file_id = await upload(client, world.sales, "bo.csv", worked_csv(), "text/csv")
    read = await chat(
        client,
        headers,
        "here is the signed BO for Viola, upload fee is 2000 dollars",
        file_ids=[str(file_id)],
    )
    said = text_of(read)
    assert "Amounts read as USD 2,000 (AED 7,345 at 3.6725 AED per USD)." in said, said

    edited = await chat(
        client, headers, "change dm fee to $1,000", conversation_id=conversation_of(read)
    )
    reply = text_of(edited)
    assert reply.startswith(f"Updated. {USD_FEE}"), reply
    listed = await client.get("/api/booking-orders", headers=headers)
    bo_id = listed.json()["items"][0]["id"]
    bo = (await client.get(f"/api/booking-orders/{bo_id}", headers=headers)).json()
    assert bo["fields"]["municipality_fee"] == "3672.50"
    assert bo["fields"]["production_upload_fee"] == "7345.00"
