"""The approval workflow through the API: turns, companies, reasons, races, revisions."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.api.booking_orders.conftest import Person, World, act, new_bo, to_hos_review


async def _notes(client: httpx.AsyncClient, person: Person) -> list[dict[str, Any]]:
    response = await client.get("/api/notifications", headers=person.headers)
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def _download(client: httpx.AsyncClient, person: Person, card: dict[str, str]) -> bytes:
    response = await client.get(card["download_url"], headers=person.headers)
    assert response.status_code == 200, response.text
    return response.content


async def test_the_full_path_to_approval(client: httpx.AsyncClient, world: World) -> None:
    bo = await new_bo(client, world.sales)
    bo_id = bo["id"]

    submitted = await act(client, world.sales, bo_id, "submit")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "coordinator_review"
    assert submitted.json()["editable"] is False
    [note] = await _notes(client, world.coord)
    assert note["title"] == "Booking order to review: booking order DPD-112652"
    assert note["link"] == f"/booking-orders/{bo_id}"
    assert await _notes(client, world.coord_b) == []
    assert await _notes(client, world.hos) == []

    coordinator = await client.get(f"/api/booking-orders/{bo_id}", headers=world.coord.headers)
    assert coordinator.json()["allowed_actions"] == ["approve", "reject", "cancel"]
    assert coordinator.json()["editable"] is True

    approved = await act(client, world.coord, bo_id, "approve")
    assert approved.json()["state"] == "hos_review"
    [note] = await _notes(client, world.hos)
    assert note["title"] == "Booking order awaiting your approval: booking order DPD-112652"

    final = await act(client, world.hos, bo_id, "approve")
    assert final.status_code == 200, final.text
    done = final.json()
    year = datetime.now(ZoneInfo("Asia/Dubai")).year
    assert done["state"] == "approved"
    assert done["reference"] == f"BO-{year}-0001"
    assert done["hos_name"] == "Hana Head"
    assert done["allowed_actions"] == []

    # The signed Excel, the stamped original and the final combined PDF, readable by finance.
    excel = load_workbook(io.BytesIO(await _download(client, world.finance, done["excel_file"])))
    sheet = excel["BO Form"]
    assert sheet["B39"].value == "Hana Head"
    assert sheet["B39"].font.i is True
    assert sheet["B13"].value == "Nike"
    assert sheet["B21"].value == 485646
    assert sheet["B21"].number_format == '#,##0.00" AED"'
    final_pdf = PdfReader(
        io.BytesIO(await _download(client, world.finance, done["final_pdf_file"]))
    )
    stamped = PdfReader(io.BytesIO(await _download(client, world.sales, done["stamped_file"])))
    assert len(final_pdf.pages) == 1 + len(stamped.pages)
    first = final_pdf.pages[0].extract_text()
    assert f"Reference: BO-{year}-0001" in first
    assert "Hana Head" in first
    assert re.search(r"\d{2}-\d{2}-\d{4}", final_pdf.pages[1].extract_text())

    for person in (world.finance, world.sales, world.coord):
        titles = [n["title"] for n in await _notes(client, person)]
        assert f"Booking order approved: BO-{year}-0001" in titles
    assert await _notes(client, world.hos_b) == []

    events = await client.get(f"/api/booking-orders/{bo_id}/events", headers=world.sales.headers)
    steps = [(e["action"], e["from_state"], e["to_state"], e["actor_name"]) for e in events.json()]
    assert steps == [
        ("create", None, "draft", "Sami Sales"),
        ("submit", "draft", "coordinator_review", "Sami Sales"),
        ("approve", "coordinator_review", "hos_review", "Cora Coordinator"),
        ("approve", "hos_review", "approved", "Hana Head"),
    ]


async def test_acting_out_of_turn_or_for_another_company_is_refused_with_the_reason(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    early = await act(client, world.coord, bo["id"], "approve")
    assert early.status_code == 409
    assert early.json()["error"]["message"] == "A booking order that is a draft can't be approved"
    other_owner = await act(client, world.sales2, bo["id"], "submit")
    assert other_owner.status_code == 404  # another sales person's draft is not even visible
    await act(client, world.sales, bo["id"], "submit")

    foreign = await act(client, world.coord_b, bo["id"], "approve")
    assert foreign.status_code == 403
    assert foreign.json()["error"]["message"] == (
        "Only a coordinator of Viola can approve at this stage"
    )
    hos_too_early = await act(client, world.hos, bo["id"], "approve")
    assert hos_too_early.status_code == 403
    assert "Only a coordinator of Viola" in hos_too_early.json()["error"]["message"]
    sales = await act(client, world.sales, bo["id"], "approve")
    assert sales.status_code == 403

    await act(client, world.coord, bo["id"], "approve")
    coordinator = await act(client, world.coord_b, bo["id"], "approve")
    assert coordinator.json()["error"]["message"] == (
        "Only a head of sales of Viola can approve at this stage"
    )
    foreign_hos = await act(client, world.hos_b, bo["id"], "approve")
    assert foreign_hos.status_code == 403
    assert foreign_hos.json()["error"]["message"] == (
        "Only a head of sales of Viola can approve at this stage"
    )


async def test_rejections_need_a_reason_and_go_back_one_step(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await to_hos_review(client, world)
    missing = await act(client, world.hos, bo["id"], "reject", reason="  ")
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "reason_required"

    back = await act(client, world.hos, bo["id"], "reject", reason="Wrong SLA")
    assert back.json()["state"] == "coordinator_review"
    titles = [n["body"] for n in await _notes(client, world.coord)]
    assert any("Reason: Wrong SLA" in body for body in titles)

    to_draft = await act(client, world.coord, bo["id"], "reject", reason="Client name is off")
    assert to_draft.json()["state"] == "draft"
    assert to_draft.json()["editable"] is False  # the coordinator no longer edits a draft
    [note] = [n for n in await _notes(client, world.sales) if n["title"].startswith("Booking")]
    assert note["title"] == "Booking order returned to you: booking order DPD-112652"
    assert "Reason: Client name is off" in str(note["body"])
    mine = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.sales.headers)
    assert mine.json()["editable"] is True

    events = await client.get(f"/api/booking-orders/{bo['id']}/events", headers=world.hos.headers)
    assert [e["reason"] for e in events.json() if e["action"] == "reject"] == [
        "Wrong SLA",
        "Client name is off",
    ]


async def test_cancel_needs_a_reason_and_is_final(client: httpx.AsyncClient, world: World) -> None:
    bo = await new_bo(client, world.sales)
    assert (await act(client, world.sales, bo["id"], "cancel")).status_code == 422
    cancelled = await act(client, world.sales, bo["id"], "cancel", reason="Client withdrew")
    assert cancelled.json()["state"] == "cancelled"
    again = await act(client, world.sales, bo["id"], "submit")
    assert again.status_code == 409
    assert "cancelled" in again.json()["error"]["message"]


async def test_an_approved_booking_order_is_revised_not_edited(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await to_hos_review(client, world)
    approved = (await act(client, world.hos, bo["id"], "approve")).json()

    edit = await client.patch(
        f"/api/booking-orders/{bo['id']}",
        json={"version": approved["version"], "fields": {"municipality_fee": "1000"}},
        headers=world.coord.headers,
    )
    assert edit.status_code == 409
    assert edit.json()["error"]["code"] == "revise_required"
    cancel = await act(client, world.coord, bo["id"], "cancel", reason="Too late")
    assert cancel.status_code == 409

    assert (await act(client, world.sales, bo["id"], "revise")).status_code == 403
    revised = await act(client, world.coord, bo["id"], "revise")
    assert revised.status_code == 201, revised.text
    new = revised.json()
    assert new["id"] != bo["id"]
    assert new["previous_id"] == bo["id"]
    assert new["state"] == "coordinator_review"
    assert (new["reference"], new["revision"]) == (approved["reference"], 2)
    assert new["excel_file"] is None
    still = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.coord.headers)
    assert still.json()["state"] == "approved"
    twice = await act(client, world.coord, bo["id"], "revise")
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] in ("revision_exists", "stale_version")

    # The revision goes through review again and keeps its reference.
    changed = await client.patch(
        f"/api/booking-orders/{new['id']}",
        json={"version": new["version"], "fields": {"municipality_fee": "1000"}},
        headers=world.coord.headers,
    )
    assert changed.status_code == 200, changed.text
    await act(client, world.coord, new["id"], "approve")
    second = await act(client, world.hos, new["id"], "approve")
    assert second.json()["reference"] == approved["reference"]
    assert second.json()["totals"]["net_pre_vat"] == "463000.00"


async def test_a_double_clicked_approval_applies_once(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await to_hos_review(client, world)
    first, second = await asyncio.gather(
        act(client, world.hos, bo["id"], "approve", version=bo["version"]),
        act(client, world.hos, bo["id"], "approve", version=bo["version"]),
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 409]
    loser = first if first.status_code == 409 else second
    message = loser.json()["error"]["message"]
    assert re.fullmatch(
        r"This booking order was already approved by Hana Head at \d{2}-\d{2}-\d{4} \d{2}:\d{2}",
        message,
    ), message
    events = await client.get(f"/api/booking-orders/{bo['id']}/events", headers=world.hos.headers)
    assert [e["to_state"] for e in events.json()].count("approved") == 1


async def test_a_repeated_click_without_a_version_also_gets_409(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    await act(client, world.sales, bo["id"], "submit")
    assert (await act(client, world.coord, bo["id"], "approve")).status_code == 200
    repeat = await act(client, world.coord, bo["id"], "approve")
    assert repeat.status_code == 409
    # domain.md: `This booking order was already approved by X at T`.
    message = repeat.json()["error"]["message"]
    assert re.fullmatch(
        r"This booking order was already approved by Cora Coordinator at "
        r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}",
        message,
    ), message


async def test_a_stale_version_is_a_conflict_naming_who_acted(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    await act(client, world.sales, bo["id"], "submit")
    stale = await act(client, world.coord, bo["id"], "approve", version=bo["version"])
    assert stale.status_code == 409
    assert stale.json()["error"]["message"].startswith(
        "This booking order was already submitted by Sami Sales at "
    )
    assert stale.json()["error"]["details"]["state"] == "coordinator_review"


async def test_visibility_follows_owner_company_and_role(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    for person, visible in (
        (world.sales, True),
        (world.coord, True),
        (world.hos, True),
        (world.finance, True),
        (world.admin, True),
        (world.sales2, False),
        (world.coord_b, False),
        (world.viewer, False),
    ):
        one = await client.get(f"/api/booking-orders/{bo['id']}", headers=person.headers)
        assert one.status_code == (200 if visible else 404), person.name
        page = await client.get("/api/booking-orders", headers=person.headers)
        assert [i["id"] for i in page.json()["items"]] == ([bo["id"]] if visible else [])


async def test_list_filters_by_stage_and_company_with_a_cursor(
    client: httpx.AsyncClient, world: World
) -> None:
    ids = [(await new_bo(client, world.sales))["id"] for _ in range(3)]
    await act(client, world.sales, ids[0], "submit")
    other = await new_bo(client, world.sales, company="backlite")
    page = await client.get("/api/booking-orders", params={"limit": 2}, headers=world.sales.headers)
    body = page.json()
    assert [i["id"] for i in body["items"]] == [other["id"], ids[2]]
    assert body["has_more"] is True
    rest = await client.get(
        "/api/booking-orders",
        params={"limit": 2, "cursor": body["next_cursor"]},
        headers=world.sales.headers,
    )
    assert [i["id"] for i in rest.json()["items"]] == [ids[1], ids[0]]
    staged = await client.get(
        "/api/booking-orders",
        params={"stage": "coordinator_review"},
        headers=world.sales.headers,
    )
    assert [i["id"] for i in staged.json()["items"]] == [ids[0]]
    by_company = await client.get(
        "/api/booking-orders", params={"company": "Backlite"}, headers=world.sales.headers
    )
    assert [i["id"] for i in by_company.json()["items"]] == [other["id"]]
    bad = await client.get(
        "/api/booking-orders", params={"cursor": "nonsense"}, headers=world.sales.headers
    )
    assert bad.status_code == 422
