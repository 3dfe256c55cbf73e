"""Finance completes the chain: approved → booked (PO number) → invoiced (invoice number);
cancelling once booked is finance's; document totals that differ are acknowledged once."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from openpyxl import load_workbook

from tests.api.booking_orders.conftest import (
    WORKED_ROWS,
    Person,
    World,
    act,
    csv_bytes,
    new_bo,
    to_hos_review,
    worked_csv,
)


async def _titles(client: httpx.AsyncClient, person: Person) -> list[str]:
    response = await client.get("/api/notifications", headers=person.headers)
    assert response.status_code == 200
    return [n["title"] for n in response.json()["items"]]


async def _approved(client: httpx.AsyncClient, world: World, **kwargs: Any) -> dict[str, Any]:
    bo = await to_hos_review(client, world, **kwargs)
    response = await act(client, world.hos, bo["id"], "approve")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def _home(client: httpx.AsyncClient, person: Person) -> dict[str, Any]:
    response = await client.get("/api/home", headers=person.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def _get(client: httpx.AsyncClient, person: Person, bo_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/booking-orders/{bo_id}", headers=person.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_the_full_chain_to_booked_and_invoiced(
    client: httpx.AsyncClient, world: World
) -> None:
    approved = await _approved(client, world)
    bo_id = approved["id"]
    year = datetime.now(ZoneInfo("Asia/Dubai")).year
    reference = f"BO-{year}-0001"
    assert approved["reference"] == reference and approved["state"] == "approved"
    assert (await _get(client, world.finance, bo_id))["allowed_actions"] == ["book"]
    for person in (world.sales, world.hos):
        assert (await _get(client, person, bo_id))["allowed_actions"] == []
    assert (await _get(client, world.coord, bo_id))["allowed_actions"] == ["revise"]

    # Finance's start page lists it as waiting, until it is invoiced.
    assert [b["id"] for b in (await _home(client, world.finance))["waiting_booking_orders"]] == [
        bo_id
    ]
    booked = await act(client, world.finance, bo_id, "book", po_number="  PO-12345 ")
    assert booked.status_code == 200, booked.text
    done = booked.json()
    assert done["state"] == "booked"
    assert done["po_number"] == "PO-12345"
    assert done["booked_at"] is not None and done["invoice_number"] is None
    assert done["allowed_actions"] == ["cancel", "invoice"]
    assert done["final_pdf_file"] is not None  # the signed documents stay with it
    for person in (world.sales, world.coord, world.hos):
        assert f"Booking order booked: {reference}" in await _titles(client, person)
    assert f"Booking order booked: {reference}" not in await _titles(client, world.finance)
    assert await _titles(client, world.hos_b) == []

    assert (await _home(client, world.finance))["waiting_count"] == 1
    invoiced = await act(client, world.finance, bo_id, "invoice", invoice_number="INV-2026-0042")
    assert invoiced.status_code == 200, invoiced.text
    final = invoiced.json()
    assert final["state"] == "invoiced"
    assert final["invoice_number"] == "INV-2026-0042" and final["po_number"] == "PO-12345"
    assert final["invoiced_at"] is not None and final["allowed_actions"] == []
    assert f"Booking order invoiced: {reference}" in await _titles(client, world.sales)
    assert f"Booking order invoiced: {reference}" not in await _titles(client, world.coord)
    assert (await _home(client, world.finance))["waiting_booking_orders"] == []

    events = await client.get(f"/api/booking-orders/{bo_id}/events", headers=world.sales.headers)
    steps = [(e["action"], e["from_state"], e["to_state"], e["actor_name"]) for e in events.json()]
    assert steps[-2:] == [
        ("book", "approved", "booked", "Faris Finance"),
        ("invoice", "booked", "invoiced", "Faris Finance"),
    ]
    assert events.json()[-2]["details"] == {"po_number": "PO-12345"}
    assert events.json()[-1]["details"] == {"invoice_number": "INV-2026-0042"}
    for action, number in (("bo_book", "PO-12345"), ("bo_invoice", "INV-2026-0042")):
        audit = await client.get(
            "/api/audit", params={"action": action}, headers=world.admin.headers
        )
        [entry] = audit.json()["items"]
        assert entry["target_id"] == bo_id
        assert number in entry["details"].values()

    # Booked and invoiced are stages of the API's one table (/api/meta), in workflow order.
    meta = (await client.get("/api/meta", headers=world.sales.headers)).json()
    stages = [s["state"] for s in meta["booking_order_stages"]]
    assert stages.index("approved") < stages.index("booked") < stages.index("invoiced")
    listed = await client.get(
        "/api/booking-orders", params={"stage": "invoiced"}, headers=world.finance.headers
    )
    assert [i["id"] for i in listed.json()["items"]] == [bo_id]
    # Finance's export carries both numbers.
    export = await client.get("/api/booking-orders/export", headers=world.finance.headers)
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("PO number", "Invoice number")
    assert rows[1][3] == "invoiced" and rows[1][-2:] == ("PO-12345", "INV-2026-0042")


async def test_only_finance_of_the_company_or_an_admin_books_and_only_in_turn(
    client: httpx.AsyncClient, world: World
) -> None:
    in_review = await to_hos_review(client, world)
    early = await act(client, world.finance, in_review["id"], "book", po_number="PO-1")
    assert early.status_code == 409
    assert early.json()["error"]["message"] == (
        "Only an approved booking order can be booked; this one is in head of sales review"
    )
    approved = await _approved(client, world)
    bo_id = approved["id"]
    for person in (world.sales, world.coord, world.hos, world.hos_b, world.viewer):
        refused = await act(client, person, bo_id, "book", po_number="PO-12345")
        assert refused.status_code == 403, (person.name, refused.text)
    not_yet = await act(client, world.finance, bo_id, "invoice", invoice_number="INV-1")
    assert not_yet.status_code == 409
    assert (
        "Only a booked booking order can be marked invoiced" in not_yet.json()["error"]["message"]
    )
    # An admin may act for finance.
    booked = await act(client, world.admin, bo_id, "book", po_number="4500012345")
    assert booked.status_code == 200, booked.text
    again = await act(client, world.finance, bo_id, "book", po_number="4500012345")
    assert again.status_code == 409
    assert again.json()["error"]["message"].startswith(
        "This booking order was already booked by Amira Admin at"
    )
    # Booked is not editable, nor revisable.
    edit = await client.patch(
        f"/api/booking-orders/{bo_id}",
        json={"version": booked.json()["version"], "fields": {"agency": "PHD"}},
        headers=world.coord.headers,
    )
    assert edit.status_code == 409 and edit.json()["error"]["code"] == "not_editable"
    assert (await act(client, world.coord, bo_id, "revise")).status_code == 409


async def test_the_po_number_is_required_and_checked_with_a_readable_message(
    client: httpx.AsyncClient, world: World
) -> None:
    bo_id = (await _approved(client, world))["id"]
    missing = await act(client, world.finance, bo_id, "book", version=None)
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "number_required"
    assert missing.json()["error"]["message"] == (
        "Please give the PO number to book, e.g. PO-12345 or 4500012345."
    )
    for bad in ("!!!", "PO-", "ABCDEF", "x" * 41 + "1", "12 <script>"):
        refused = await act(client, world.finance, bo_id, "book", po_number=bad)
        assert refused.status_code == 422, bad
        error = refused.json()["error"]
        assert error["code"] == "invalid_number"
        assert "doesn't look like a PO number" in error["message"]
        assert "e.g. PO-12345 or 4500012345" in error["message"]
    assert (await _get(client, world.finance, bo_id))["state"] == "approved"
    booked = await act(client, world.finance, bo_id, "book", po_number="PO  2026/77")
    assert booked.status_code == 200, booked.text
    assert booked.json()["po_number"] == "PO 2026/77"
    no_invoice = await act(client, world.finance, bo_id, "invoice", invoice_number=" ")
    assert no_invoice.status_code == 422
    assert "invoice number" in no_invoice.json()["error"]["message"]


async def test_after_booking_only_finance_cancels(client: httpx.AsyncClient, world: World) -> None:
    bo_id = (await _approved(client, world))["id"]
    assert (await act(client, world.finance, bo_id, "book", po_number="PO-9")).status_code == 200
    assert (await _get(client, world.sales, bo_id))["allowed_actions"] == []
    for person in (world.sales, world.coord, world.hos):
        refused = await act(client, person, bo_id, "cancel", reason="Client changed mind")
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["message"] == (
            "Only finance of Viola or an admin can cancel a booking order that is booked"
        )
    no_reason = await act(client, world.finance, bo_id, "cancel")
    assert no_reason.status_code == 422
    cancelled = await act(client, world.finance, bo_id, "cancel", reason="PO withdrawn")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    reference = cancelled.json()["reference"]
    for person in (world.sales, world.coord, world.hos):
        assert f"Booking order cancelled: {reference}" in await _titles(client, person)

    # Invoiced is final.
    other = (await _approved(client, world))["id"]
    assert (await act(client, world.finance, other, "book", po_number="PO-10")).status_code == 200
    invoiced = await act(client, world.finance, other, "invoice", invoice_number="INV-10")
    assert invoiced.status_code == 200
    late = await act(client, world.finance, other, "cancel", reason="Too late")
    assert late.status_code == 409
    assert "invoiced booking order can't be cancelled" in late.json()["error"]["message"]


async def test_differing_document_totals_are_acknowledged_once_by_a_coordinator(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales, data=worked_csv(**{"Net amount (pre-VAT)": "470,000"}))
    difference = (
        "Location totals (460,000.00) + fees (municipality: 520.00, prod/upload: 2,000.00) "
        "= 462,520.00 doesn't match net (470,000.00)"
    )
    # The document's net differs, and with it its VAT and gross: one list, one warning.
    assert bo["totals_check"]["pending"] is True
    assert bo["totals_check"]["differences"][0] == difference
    assert len(bo["totals_check"]["differences"]) == 3
    assert bo["totals_check"]["acknowledged_by"] is None
    assert bo["warnings"].count(difference) == 1
    assert (await act(client, world.sales, bo["id"], "submit")).status_code == 200

    gated = await act(client, world.coord, bo["id"], "approve")
    assert gated.status_code == 409
    assert gated.json()["error"]["code"] == "totals_unacknowledged"
    assert difference in gated.json()["error"]["message"]
    assert "A coordinator must acknowledge" in gated.json()["error"]["message"]

    path = f"/api/booking-orders/{bo['id']}/acknowledge-totals"
    by_sales = await client.post(path, headers=world.sales.headers)
    assert by_sales.status_code == 403
    by_other = await client.post(path, headers=world.coord_b.headers)
    assert by_other.status_code in {403, 404}
    acknowledged = await client.post(path, headers=world.coord.headers)
    assert acknowledged.status_code == 200, acknowledged.text
    check = acknowledged.json()["totals_check"]
    assert check["pending"] is False and check["acknowledged_by"] == "Cora Coordinator"
    assert check["acknowledged_at"] is not None
    assert check["differences"] == bo["totals_check"]["differences"]
    assert difference not in acknowledged.json()["warnings"]
    twice = await client.post(path, headers=world.coord.headers)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "nothing_to_acknowledge"

    assert (await act(client, world.coord, bo["id"], "approve")).status_code == 200
    approved = await act(client, world.hos, bo["id"], "approve")
    assert approved.status_code == 200, approved.text
    record = approved.json()
    assert record["warnings"] == []  # no open "check" line on the approved record
    assert record["totals_check"]["acknowledged_by"] == "Cora Coordinator"
    events = await client.get(f"/api/booking-orders/{bo['id']}/events", headers=world.sales.headers)
    [ack] = [e for e in events.json() if e["action"] == "acknowledge"]
    assert ack["actor_name"] == "Cora Coordinator"
    assert ack["details"] == {"differences": bo["totals_check"]["differences"]}
    audit = await client.get(
        "/api/audit", params={"action": "bo_totals_acknowledged"}, headers=world.admin.headers
    )
    assert [e["target_id"] for e in audit.json()["items"]] == [bo["id"]]


async def test_an_edit_that_changes_the_differences_asks_again(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales, data=worked_csv(**{"Net amount (pre-VAT)": "470,000"}))
    assert (await act(client, world.sales, bo["id"], "submit")).status_code == 200
    path = f"/api/booking-orders/{bo['id']}/acknowledge-totals"
    acknowledged = await client.post(path, headers=world.coord.headers)
    assert acknowledged.status_code == 200
    edited = await client.patch(
        f"/api/booking-orders/{bo['id']}",
        json={"version": acknowledged.json()["version"], "fields": {"net_pre_vat": "480000"}},
        headers=world.coord.headers,
    )
    assert edited.status_code == 200, edited.text
    check = edited.json()["totals_check"]
    assert check["pending"] is True and check["acknowledged_by"] is None
    assert "doesn't match net (480,000.00)" in check["differences"][0]
    gated = await act(client, world.coord, bo["id"], "approve")
    assert gated.status_code == 409 and gated.json()["error"]["code"] == "totals_unacknowledged"
    # An edit of a fee recalculates every total: nothing differs, nothing to acknowledge.
    recalculated = await client.patch(
        f"/api/booking-orders/{bo['id']}",
        json={"version": edited.json()["version"], "fields": {"municipality_fee": "1000"}},
        headers=world.coord.headers,
    )
    assert recalculated.status_code == 200, recalculated.text
    assert recalculated.json()["totals_check"]["differences"] == []
    assert (await act(client, world.coord, bo["id"], "approve")).status_code == 200


async def test_the_sales_person_defaults_to_the_uploader(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    assert bo["fields"]["sales_person"] == "Sami Sales"
    rows = [list(r) for r in WORKED_ROWS] + [["Sales person", "Omar Haddad"]]
    named = await new_bo(client, world.sales2, data=csv_bytes(rows))
    assert named["fields"]["sales_person"] == "Omar Haddad"
