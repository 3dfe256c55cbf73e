"""Catalogue import (all or nothing, per-row report) and export, CSV and XLSX, round trip."""

from __future__ import annotations

import io

import httpx
from openpyxl import Workbook, load_workbook
from pypdf import PdfWriter

from tests.api.locations.support import XLSX_TYPE, Team, upload

HEADER = "key,display_name,aliases,company,display_type,series,width_m,height_m,number_of_faces,"
HEADER += "spot_duration_s,loop_duration_s,sov_pct,upload_fee,is_active\n"


async def import_file(
    client: httpx.AsyncClient, team: Team, name: str, data: bytes, kind: str, **extra: object
) -> httpx.Response:
    file_id = await upload(client, team.admin, name, data, kind)
    return await client.post(
        "/api/locations/import", json={"file_id": file_id, **extra}, headers=team.admin.headers
    )


async def all_locations(client: httpx.AsyncClient, team: Team) -> list[dict[str, object]]:
    response = await client.get(
        "/api/locations?include_inactive=true&limit=500", headers=team.admin.headers
    )
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def test_csv_import_creates_and_updates(client: httpx.AsyncClient, catalogue: Team) -> None:
    csv = (
        HEADER
        + "uae21,UAE21,uae 21;highway 21,viola,static,The Highway Series,12,4,3,,,,,true\n"
        + ",Mall of the Emirates Screen,moe,Backlite,digital,The Mall Series,6,3,1,10,60,,"
        + "2500,yes\n"
        + "\n"  # blank lines are skipped
    )
    response = await import_file(client, catalogue, "catalogue.csv", csv.encode(), "text/csv")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], report["updated"], report["dry_run"]) == (1, 1, False)
    assert report["rows"] == [
        {"row": 2, "key": "uae21", "action": "updated"},
        {"row": 3, "key": "mall_of_the_emirates_screen", "action": "created"},
    ]
    by_key = {loc["key"]: loc for loc in await all_locations(client, catalogue)}
    assert by_key["uae21"]["number_of_faces"] == 3
    assert by_key["uae21"]["aliases"] == ["uae 21", "highway 21"]
    moe = by_key["mall_of_the_emirates_screen"]
    assert (moe["company"], moe["spot_duration_s"], moe["loop_duration_s"]) == ("backlite", 10, 60)
    assert (moe["sov_pct"], moe["upload_fee"]) == ("16.6", "2500")  # blank SOV → default


async def test_a_bad_row_writes_nothing_and_reports_every_row(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    before = await all_locations(client, catalogue)
    csv = (
        HEADER
        + "new_one,New One,,viola,static,,,,1,,,,,true\n"
        + "bad_type,Bad Type,,viola,led,,,,1,,,,,true\n"
        + "new_one,Again,,viola,static,,,,1,,,,,true\n"
        + "no_company,No Company,,Acme,static,,,,0,,,,,true\n"
    )
    response = await import_file(client, catalogue, "bad.csv", csv.encode(), "text/csv")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "import_failed"
    assert (
        error["message"] == "3 rows have problems; nothing was imported. Fix them and import again."
    )
    rows = error["details"]["rows"]
    assert [(r["row"], r["key"]) for r in rows] == [
        (3, "bad_type"),
        (4, "new_one"),
        (5, "no_company"),
    ]
    assert rows[0]["errors"] == ["display_type: Input should be 'digital' or 'static'"]
    assert rows[1]["errors"] == ["key: 'new_one' is also on row 2"]
    assert "company: unknown company 'Acme'" in rows[2]["errors"]
    assert any(e.startswith("number_of_faces:") for e in rows[2]["errors"])
    assert await all_locations(client, catalogue) == before


async def test_file_level_problems(client: httpx.AsyncClient, catalogue: Team) -> None:
    unknown = await import_file(
        client,
        catalogue,
        "c.csv",
        b"key,display_name,display_type,colour\nx,X,static,red\n",
        "text/csv",
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["message"].startswith("Unknown columns: colour.")
    missing = await import_file(client, catalogue, "c.csv", b"key,display_name\nx,X\n", "text/csv")
    assert missing.json()["error"]["message"] == "Missing columns: display_type."
    writer, out = PdfWriter(), io.BytesIO()  # a real PDF, so only the import refuses it
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    pdf = out.getvalue()
    wrong = await import_file(client, catalogue, "c.pdf", pdf, "application/pdf")
    assert wrong.status_code == 422
    assert wrong.json()["error"]["code"] == "import_file_type"


async def test_dry_run_checks_without_writing(client: httpx.AsyncClient, catalogue: Team) -> None:
    csv = HEADER + "fresh,Fresh,,viola,static,,,,1,,,,,true\n"
    response = await import_file(client, catalogue, "c.csv", csv.encode(), "text/csv", dry_run=True)
    assert response.status_code == 200
    assert response.json()["rows"] == [{"row": 2, "key": "fresh", "action": "created"}]
    assert "fresh" not in [loc["key"] for loc in await all_locations(client, catalogue)]


async def test_export_then_import_round_trips_csv_and_xlsx(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    admin = catalogue.admin.headers
    await client.patch(
        "/api/locations/jawhara",
        json={"is_active": False, "display_name": "=HYPERLINK(1)"},
        headers=admin,
    )
    before = await all_locations(client, catalogue)
    csv = await client.get("/api/locations/export?format=csv", headers=admin)
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    lines = csv.text.splitlines()
    assert lines[0] == HEADER.strip()
    assert lines[1].startswith("city_walk_screen,City Walk Digital Screen,city walk,viola,digital")
    # Formula-looking text is made inert for spreadsheets.
    assert any(",'=HYPERLINK(1)," in line for line in lines)

    xlsx = await client.get("/api/locations/export?format=xlsx", headers=admin)
    assert xlsx.headers["content-type"] == XLSX_TYPE
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("key", "display_name", "aliases")
    gateway = next(row for row in values if row[0] == "dubai_gateway")
    assert gateway[2] == "gateway; dpd gateway"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

    for name, data, kind in (
        ("locations.csv", csv.content, "text/csv"),
        ("locations.xlsx", xlsx.content, XLSX_TYPE),
    ):
        response = await import_file(client, catalogue, name, data, kind)
        assert response.status_code == 200, response.text
        assert response.json()["updated"] == len(before)
        assert response.json()["created"] == 0
        after = await all_locations(client, catalogue)
        strip = ("updated_at",)
        assert [{k: v for k, v in loc.items() if k not in strip} for loc in after] == [
            {k: v for k, v in loc.items() if k not in strip} for loc in before
        ]


async def test_xlsx_import_reads_numbers_and_booleans(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            "Key",
            "Display Name",
            "Company",
            "Display Type",
            "Width M",
            "Height M",
            "SOV pct",
            "Upload Fee",
            "Is Active",
        ]
    )
    sheet.append(["la_mer", "La Mer Screen", "viola", "digital", 7.5, 3, 12.5, 2750, False])
    buffer = io.BytesIO()
    book.save(buffer)
    response = await import_file(client, catalogue, "new.xlsx", buffer.getvalue(), XLSX_TYPE)
    assert response.status_code == 200, response.text
    got = (await client.get("/api/locations/la_mer", headers=catalogue.admin.headers)).json()
    assert (got["width_m"], got["height_m"], got["sov_pct"], got["upload_fee"]) == (
        "7.5",
        "3",
        "12.5",
        "2750",
    )
    assert got["is_active"] is False


async def test_only_admins_import(client: httpx.AsyncClient, catalogue: Team) -> None:
    file_id = await upload(client, catalogue.sales, "c.csv", HEADER.encode(), "text/csv")
    response = await client.post(
        "/api/locations/import", json={"file_id": file_id}, headers=catalogue.sales.headers
    )
    assert response.status_code == 403
    response = await client.post(
        "/api/locations/import", json={"file_id": file_id}, headers=catalogue.admin.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "The file has no location rows."
    missing = await client.post(
        "/api/locations/import",
        json={"file_id": "0190a1b2-0000-7000-8000-000000000000"},
        headers=catalogue.admin.headers,
    )
    assert missing.status_code == 404
