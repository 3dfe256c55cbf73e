"""Edits: recalculation after every change, who may edit when, and bad values."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.booking_orders.conftest import World, act, new_bo, to_hos_review


async def _patch(
    client: httpx.AsyncClient, person: Any, bo: dict[str, Any], **body: Any
) -> httpx.Response:
    return await client.patch(
        f"/api/booking-orders/{bo['id']}",
        json={"version": bo["version"], **body},
        headers=person.headers,
    )


async def test_editing_the_dm_fee_recalculates_exactly_as_the_spec(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    response = await _patch(client, world.sales, bo, fields={"municipality_fee": "1000"})
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["version"] == bo["version"] + 1
    totals = edited["totals"]
    assert (
        totals["net_pre_vat"],
        totals["vat"],
        totals["gross"],
        totals["sla_deduction"],
        totals["net_excl_sla"],
    ) == ("463000.00", "23150.00", "486150.00", "46000.00", "417000.00")
    events = await client.get(f"/api/booking-orders/{bo['id']}/events", headers=world.sales.headers)
    last = events.json()[-1]
    assert (last["action"], last["details"]) == (
        "edit",
        {"changed": ["gross", "municipality_fee", "net_pre_vat", "vat"]},
    )


async def test_plain_language_edits_of_locations_and_text(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    response = await _patch(
        client,
        world.sales,
        bo,
        fields={"client": "Nike UAE", "DM fee": 8000},
        locations=[{"location": "uae21", "changes": {"net amount": "150,000"}}],
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["fields"]["client"] == "Nike UAE"
    assert edited["fields"]["municipality_fee"] == "8000"
    assert edited["fields"]["locations"][2]["net_amount"] == "150000"
    assert edited["totals"]["rentals"] == "470000.00"
    assert edited["totals"]["net_pre_vat"] == "480000.00"


async def test_locations_can_be_added_and_removed_and_currency_converted(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    response = await _patch(
        client,
        world.sales,
        bo,
        add_locations=[
            {
                "name": "UAE05",
                "start_date": "2025-04-01",
                "end_date": "2025-04-14",
                "net_amount": "36725",
            }
        ],
        remove_locations=["UAE02", "UAE03"],
        currency="usd",
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert [loc["name"] for loc in edited["fields"]["locations"]] == ["UAE21", "UAE05"]
    assert edited["fields"]["locations"][1]["campaign_duration"] == "2 weeks"
    assert edited["fields"]["currency"] == "USD"
    # 36,725 AED at 3.6725 AED per USD is exactly 10,000 USD.
    assert edited["fields"]["locations"][1]["net_amount"] == "10000.00"
    assert edited["totals"]["currency"] == "USD"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"fields": {"municipality_fee": "-5"}}, "Municipality fee can't be negative"),
        ({"fields": {"production_upload_fee": "2000000000"}}, "looks wrong"),
        ({"fields": {"sla_pct": "150"}}, "SLA must be between 0 and 100 %"),
        ({"fields": {"company": "Backlite"}}, "can't be changed"),
        ({"fields": {"gross": "10"}}, "Gross is calculated"),
        ({"fields": {"colour": "blue"}}, "is not a field you can edit"),
        (
            {"locations": [{"location": "UAE99", "changes": {"net_amount": "1"}}]},
            "No location named 'UAE99'",
        ),
    ],
)
async def test_bad_values_are_refused_and_nothing_changes(
    client: httpx.AsyncClient, world: World, body: dict[str, Any], message: str
) -> None:
    bo = await new_bo(client, world.sales)
    response = await _patch(client, world.sales, bo, **body)
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]
    again = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.sales.headers)
    assert again.json()["version"] == bo["version"]
    assert again.json()["totals"] == bo["totals"]


async def test_who_may_edit_depends_on_the_stage(client: httpx.AsyncClient, world: World) -> None:
    bo = await new_bo(client, world.sales)
    coordinator = await _patch(client, world.coord, bo, fields={"agency": "PHD"})
    assert coordinator.status_code == 403
    assert coordinator.json()["error"]["message"] == (
        "Only the sales person who owns this draft can edit it."
    )
    submitted = (await act(client, world.sales, bo["id"], "submit")).json()
    owner = await _patch(client, world.sales, submitted, fields={"agency": "PHD"})
    assert owner.status_code == 403
    assert "Only a coordinator of Viola" in owner.json()["error"]["message"]
    foreign = await _patch(client, world.coord_b, submitted, fields={"agency": "PHD"})
    assert foreign.status_code == 404
    ok = await _patch(client, world.coord, submitted, fields={"agency": "PHD"})
    assert ok.status_code == 200
    assert ok.json()["fields"]["agency"] == "PHD"
    finance = await _patch(client, world.finance, ok.json(), fields={"agency": "X"})
    assert finance.status_code == 403


async def test_a_booking_order_with_the_head_of_sales_is_not_editable(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await to_hos_review(client, world)
    response = await _patch(client, world.coord, bo, fields={"agency": "PHD"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_editable"


async def test_an_edit_from_a_stale_version_is_a_conflict(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    first = await _patch(client, world.sales, bo, fields={"agency": "PHD"})
    assert first.status_code == 200
    second = await _patch(client, world.sales, bo, fields={"agency": "Starcom"})
    assert second.status_code == 409
    assert second.json()["error"]["message"].startswith(
        "This booking order was already changed by Sami Sales at "
    )
    current = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.sales.headers)
    assert current.json()["fields"]["agency"] == "PHD"


async def test_the_preview_follows_every_edit(client: httpx.AsyncClient, world: World) -> None:
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    bo = await new_bo(client, world.sales)
    await _patch(client, world.sales, bo, fields={"municipality_fee": "1000"})
    pdf = await client.get(f"/api/booking-orders/{bo['id']}/preview", headers=world.sales.headers)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "486,150.00 AED" in text
    xlsx = await client.get(
        f"/api/booking-orders/{bo['id']}/preview",
        params={"format": "xlsx"},
        headers=world.sales.headers,
    )
    sheet = load_workbook(io.BytesIO(xlsx.content))["BO Form"]
    assert sheet["E23"].value == 1000
    assert sheet["B39"].value is None
