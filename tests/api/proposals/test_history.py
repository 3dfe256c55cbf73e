"""History: who sees which proposals, filters and cursor, versions by duplication, Excel export."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.api.locations.support import Person, Team, download, table_rows

pytestmark = pytest.mark.jobs


def body(location: str, client_name: str, rate: str = "1M", **extra: Any) -> dict[str, Any]:
    entry = {
        "location": location,
        "start_date": "2026-03-01",
        "durations": ["2 weeks"],
        "net_rates": [rate],
    }
    if location == "uae21":
        entry["production_fee"] = "5000"
    return {"kind": "separate", "client_name": client_name, "proposals": [entry], **extra}


async def make(client: httpx.AsyncClient, person: Person, payload: dict[str, Any]) -> Any:
    response = await client.post("/api/proposals", json=payload, headers=person.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def visible(client: httpx.AsyncClient, person: Person, query: str = "") -> list[str]:
    response = await client.get(f"/api/proposals?limit=100{query}", headers=person.headers)
    assert response.status_code == 200, response.text
    return [item["client_name"] for item in response.json()["items"]]


async def test_who_sees_which_proposals(client: httpx.AsyncClient, catalogue: Team) -> None:
    mine = await make(client, catalogue.sales, body("gateway", "Nike"))  # Backlite
    await make(client, catalogue.sales, body("uae21", "Adidas"))  # Viola
    await make(client, catalogue.other, body("jawhara", "Puma"))  # Backlite

    assert await visible(client, catalogue.sales) == ["Adidas", "Nike"]  # newest first
    assert await visible(client, catalogue.other) == ["Puma"]
    assert await visible(client, catalogue.hos_backlite) == ["Puma", "Nike"]
    assert await visible(client, catalogue.hos_viola) == ["Adidas"]
    assert await visible(client, catalogue.admin) == ["Puma", "Adidas", "Nike"]
    assert await visible(client, catalogue.viewer) == []

    url = f"/api/proposals/{mine['id']}"
    assert (await client.get(url, headers=catalogue.sales.headers)).status_code == 200
    assert (await client.get(url, headers=catalogue.hos_backlite.headers)).status_code == 200
    for outsider in (catalogue.other, catalogue.hos_viola, catalogue.viewer):
        response = await client.get(url, headers=outsider.headers)
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "Proposal not found."
    # The head of sales may also download the files of their company's proposals.
    pdf = next(c for c in mine["files"] if c["name"].endswith(".pdf"))
    assert await download(client, catalogue.hos_backlite, pdf["download_url"])
    denied = await client.get(pdf["download_url"], headers=catalogue.other.headers)
    assert denied.status_code == 404


async def test_get_returns_the_recorded_proposal(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    made = await make(client, catalogue.sales, body("landmark", "Nike", "1.5M"))
    got = await client.get(f"/api/proposals/{made['id']}", headers=catalogue.sales.headers)
    assert got.json() == made
    assert made["version"] == 1 and made["root_id"] == made["id"] and made["previous_id"] is None
    assert made["owner_id"] == str(catalogue.sales.id)
    assert made["input"] == body("landmark", "Nike", "1.5M")

    # Later catalogue and rate changes do not rewrite history.
    await client.patch(
        "/api/locations/the_landmark", json={"upload_fee": "9000"}, headers=catalogue.admin.headers
    )
    again = await client.get(f"/api/proposals/{made['id']}", headers=catalogue.sales.headers)
    assert again.json()["locations"][0]["options"][0]["total"]["text"] == "AED 1,578,696"


async def test_filters_and_cursor(client: httpx.AsyncClient, catalogue: Team) -> None:
    for name, location in (
        ("Nike UAE", "gateway"),
        ("Adidas", "jawhara"),
        ("nike ksa", "jawhara"),
        ("Puma 100%_x", "gateway"),
    ):
        await make(client, catalogue.sales, body(location, name))
    sales = catalogue.sales
    assert await visible(client, sales, "&client=NIKE") == ["nike ksa", "Nike UAE"]
    assert await visible(client, sales, "&client=100%25_") == ["Puma 100%_x"]  # literal % and _
    assert await visible(client, sales, "&location=the gateway") == ["Puma 100%_x", "Nike UAE"]
    assert await visible(client, sales, "&location=jawhara&client=nike") == ["nike ksa"]
    listed = (await client.get("/api/proposals", headers=sales.headers)).json()["items"]
    made_on = listed[0]["proposal_date"]
    assert len(await visible(client, sales, f"&date_from={made_on}&date_to={made_on}")) == 4
    assert await visible(client, sales, "&date_to=2000-01-01") == []

    seen: list[str] = []
    cursor = None
    while True:
        query = "/api/proposals?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(query, headers=sales.headers)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            assert page["has_more"] is False
            break
    assert len(seen) == 4 and seen == sorted(seen, reverse=True)
    summary = listed[0]
    assert summary["locations"] == [{"key": "dubai_gateway", "display_name": "The Dubai Gateway"}]
    assert summary["totals"] == ["AED 1,052,646"]  # (1,000,000 + 2,000 + 520) × 1.05
    assert {c["name"].rsplit(".", 1)[1] for c in summary["files"]} == {"pptx", "pdf"}


async def test_duplicate_makes_a_linked_new_version(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    original = await make(client, catalogue.sales, body("gateway", "Nike"))
    url = f"/api/proposals/{original['id']}/duplicate"
    copy = await client.post(url, headers=catalogue.sales.headers)
    assert copy.status_code == 201, copy.text
    second = copy.json()
    assert (second["version"], second["root_id"], second["previous_id"]) == (
        2,
        original["id"],
        original["id"],
    )
    assert second["id"] != original["id"]
    assert {c["file_id"] for c in second["files"]}.isdisjoint(
        {c["file_id"] for c in original["files"]}
    )
    assert second["locations"] == original["locations"]

    changed = await client.post(
        f"/api/proposals/{second['id']}/duplicate",
        json={"currency": "EUR", "client_name": "Nike Europe"},
        headers=catalogue.hos_backlite.headers,
    )
    assert changed.status_code == 201, changed.text
    third = changed.json()
    assert (third["version"], third["previous_id"], third["root_id"]) == (
        3,
        second["id"],
        original["id"],
    )
    assert third["owner_id"] == str(catalogue.hos_backlite.id)
    assert third["client_name"] == "Nike Europe" and third["currency"] == "EUR"
    total = third["locations"][0]["options"][0]["total"]
    assert total["text"] == "€265,150.13"  # 1,052,646 AED / 3.97
    deck = await download(
        client,
        catalogue.hos_backlite,
        next(c for c in third["files"] if c["name"].endswith(".pptx"))["download_url"],
    )
    assert table_rows(deck)[0] == ["Nike Europe Investment Sheet"]

    # The original is unchanged, and outsiders cannot duplicate what they cannot see.
    again = await client.get(f"/api/proposals/{original['id']}", headers=catalogue.sales.headers)
    assert again.json() == original
    hidden = await client.post(url, headers=catalogue.other.headers)
    assert hidden.status_code == 404
    viewer = await client.post(url, headers=catalogue.viewer.headers)
    assert viewer.status_code == 403


async def test_duplicate_of_a_deleted_location_is_refused(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    original = await make(client, catalogue.sales, body("jawhara", "Nike"))
    await client.delete("/api/locations/jawhara", headers=catalogue.admin.headers)
    response = await client.post(
        f"/api/proposals/{original['id']}/duplicate", headers=catalogue.sales.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(
        "Unknown location 'jawhara' in proposal 1"
    )
    # History still shows it.
    listed = await visible(client, catalogue.sales, "&location=jawhara")
    assert listed == ["Nike"]


async def test_excel_export(client: httpx.AsyncClient, catalogue: Team) -> None:
    await make(client, catalogue.sales, body("gateway", "=cmd|' /C calc'!A0"))
    combined = {
        "kind": "combined",
        "client_name": "Adidas",
        "combined_net_rate": "2M",
        "locations": [
            {"location": "gateway", "start_date": "2026-02-01", "duration": "4 weeks"},
            {
                "location": "uae21",
                "start_date": "2026-02-01",
                "duration": "4 weeks",
                "production_fee": "20000",
            },
        ],
    }
    await make(client, catalogue.other, combined)

    response = await client.get("/api/proposals/export", headers=catalogue.admin.headers)
    assert response.status_code == 200
    assert "proposals.xlsx" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == (
        "Proposal ID",
        "Version",
        "Created",
        "Proposal date",
        "Owner",
        "Kind",
        "Client",
    )
    assert len(rows) == 3
    package = rows[1]
    assert package[4] == "other@example.com"
    assert package[5:8] == ("combined", "Adidas", "The Dubai Gateway, UAE21")
    assert package[12:15] == ("AED 2,000 | AED 20,000", "AED 101,126", "AED 2,123,646")
    assert str(package[15]) == "2123646"
    assert rows[2][6] == "'=cmd|' /C calc'!A0"  # never a formula
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    own = await client.get("/api/proposals/export", headers=catalogue.sales.headers)
    own_rows = list(
        load_workbook(io.BytesIO(own.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert len(own_rows) == 2 and own_rows[1][4] == "sales@example.com"
    viewer = await client.get("/api/proposals/export", headers=catalogue.viewer.headers)
    assert viewer.status_code == 403
