"""Company templates and stamps, the stamped original, and the Excel export."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pypdfium2 as pdfium
from fastapi import FastAPI
from openpyxl import load_workbook
from PIL import Image

from salesbot.booking_orders.documents.stamp import Corner, spot_box
from salesbot.booking_orders.documents.templates import default_template
from tests.api.booking_orders.conftest import (
    BO_PDF_LINES,
    XLSX,
    World,
    act,
    new_bo,
    png_bytes,
    text_pdf,
    to_hos_review,
    upload,
)


def _custom_template() -> bytes:
    book = load_workbook(io.BytesIO(default_template("Viola")))
    book["BO Form"]["A2"] = "VIOLA OUTDOOR — CUSTOM FORM"
    book["BO Form"]["A13"] = "Advertiser:"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_companies_use_the_default_template_until_an_admin_uploads_one(
    client: httpx.AsyncClient, world: World
) -> None:
    before = await client.get(
        "/api/booking-orders/companies/viola/documents", headers=world.sales.headers
    )
    assert before.json() == {
        "company": {"code": "viola", "name": "Viola"},
        "template": None,
        "stamp": None,
    }
    file_id = await upload(client, world.admin, "viola.xlsx", _custom_template(), XLSX)
    refused = await client.put(
        "/api/booking-orders/companies/viola/template",
        json={"file_id": str(file_id)},
        headers=world.hos.headers,
    )
    assert refused.status_code == 403
    done = await client.put(
        "/api/booking-orders/companies/Viola/template",
        json={"file_id": str(file_id)},
        headers=world.admin.headers,
    )
    assert done.status_code == 200, done.text
    assert done.json()["template"]["file_id"] == str(file_id)

    bo = await to_hos_review(client, world)
    approved = (await act(client, world.hos, bo["id"], "approve")).json()
    excel = await client.get(approved["excel_file"]["download_url"], headers=world.hos.headers)
    sheet = load_workbook(io.BytesIO(excel.content))["BO Form"]
    assert sheet["A2"].value == "VIOLA OUTDOOR — CUSTOM FORM"
    assert sheet["A13"].value == "Advertiser:"  # the company's own wording is kept
    assert sheet["B13"].value == "Nike"
    assert sheet["B39"].value == "Hana Head"


async def test_bad_templates_and_stamps_are_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    wrong = await upload(client, world.admin, "wrong.xlsx", out.getvalue(), XLSX)
    response = await client.put(
        "/api/booking-orders/companies/viola/template",
        json={"file_id": str(wrong)},
        headers=world.admin.headers,
    )
    assert response.status_code == 422
    assert "'BO Form' sheet" in response.json()["error"]["message"]
    pdf = await upload(client, world.admin, "stamp.pdf", text_pdf(["stamp"]), "application/pdf")
    response = await client.put(
        "/api/booking-orders/companies/viola/stamp",
        json={"file_id": str(pdf)},
        headers=world.admin.headers,
    )
    assert response.status_code == 422
    unknown = await client.put(
        "/api/booking-orders/companies/acme/stamp",
        json={"file_id": str(pdf)},
        headers=world.admin.headers,
    )
    assert unknown.status_code == 422


async def test_the_stamp_lands_in_the_emptiest_corner_of_the_original(
    client: httpx.AsyncClient, world: World
) -> None:
    red = Image.new("RGBA", (400, 400), (220, 0, 0, 255))
    out = io.BytesIO()
    red.save(out, format="PNG")
    stamp_id = await upload(client, world.admin, "stamp.png", out.getvalue(), "image/png")
    response = await client.put(
        "/api/booking-orders/companies/viola/stamp",
        json={"file_id": str(stamp_id)},
        headers=world.admin.headers,
    )
    assert response.status_code == 200
    original = text_pdf(BO_PDF_LINES, ink_bottom_right=True)
    bo = await to_hos_review(
        client, world, data=original, name="order.pdf", content_type="application/pdf"
    )
    approved = (await act(client, world.hos, bo["id"], "approve")).json()
    stamped = await client.get(approved["stamped_file"]["download_url"], headers=world.hos.headers)
    page = pdfium.PdfDocument(stamped.content)[0]
    rgb = np.asarray(page.render(scale=1.0).to_pil().convert("RGB")).astype(int)
    red_pixels = (rgb[:, :, 0] > 180) & (rgb[:, :, 1] < 80) & (rgb[:, :, 2] < 80)

    def red_share(corner: Corner) -> float:
        x0, y0, x1, y1 = spot_box(rgb.shape[1], rgb.shape[0], corner)
        return float(red_pixels[y0:y1, x0:x1].mean())

    assert red_share(Corner.BOTTOM_LEFT) > 0.3
    assert red_share(Corner.BOTTOM_RIGHT) == 0.0
    assert red_share(Corner.TOP_RIGHT) == 0.0


async def test_a_photo_original_is_stamped_as_a_pdf_page(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    from salesbot.booking_orders.calculations import BookingOrder, Location
    from salesbot.booking_orders.models import BookingOrderRow
    from salesbot.booking_orders.stored import encode
    from salesbot.kit.db import utcnow

    # A photographed order (read by an AI provider in production) approved by the HoS.
    photo_id = await upload(client, world.sales, "photo.png", png_bytes(), "image/png")
    async with app.state.db.sessions() as session:
        bo = BookingOrder(
            company="Viola",
            client="Nike",
            locations=(Location("UAE21", "UAE21", None, None, None),),
        )
        row = BookingOrderRow(
            company_id=world.viola_id,
            owner_id=world.sales.id,
            state="hos_review",
            revision=1,
            data=encode(bo),
            intake_warnings=[],
            source_file_id=photo_id,
            updated_at=utcnow(),
        )
        session.add(row)
        await session.commit()
        bo_id = str(row.id)
    approved = (await act(client, world.hos, bo_id, "approve")).json()
    assert approved["stamped_file"]["content_type"] == "application/pdf"
    assert approved["final_pdf_file"] is not None


async def test_documents_can_be_produced_again(client: httpx.AsyncClient, world: World) -> None:
    bo = await new_bo(client, world.sales)
    early = await client.post(
        f"/api/booking-orders/{bo['id']}/documents", headers=world.coord.headers
    )
    assert early.status_code == 409
    await act(client, world.sales, bo["id"], "submit")
    await act(client, world.coord, bo["id"], "approve")
    first = (await act(client, world.hos, bo["id"], "approve")).json()
    again = await client.post(
        f"/api/booking-orders/{bo['id']}/documents", headers=world.coord.headers
    )
    assert again.status_code == 200
    assert again.json()["final_pdf_file"]["file_id"] != first["final_pdf_file"]["file_id"]
    foreign = await client.post(
        f"/api/booking-orders/{bo['id']}/documents", headers=world.coord_b.headers
    )
    assert foreign.status_code == 404


async def test_export_for_admins_and_finance(client: httpx.AsyncClient, world: World) -> None:
    bo = await to_hos_review(client, world)
    await act(client, world.hos, bo["id"], "approve")
    await new_bo(client, world.sales, company="backlite")
    refused = await client.get("/api/booking-orders/export", headers=world.sales.headers)
    assert refused.status_code == 403
    finance = await client.get("/api/booking-orders/export", headers=world.finance.headers)
    assert finance.status_code == 200
    assert finance.headers["content-type"] == XLSX
    sheet = load_workbook(io.BytesIO(finance.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Reference", "Revision", "Company", "Stage")
    assert len(rows) == 2  # finance of Viola sees Viola's booking orders only
    assert rows[1][2:6] == ("Viola", "approved", "DPD-112652", "Nike")
    assert rows[1][12] == 485646
    admin = await client.get(
        "/api/booking-orders/export", params={"stage": "draft"}, headers=world.admin.headers
    )
    admin_rows = list(load_workbook(io.BytesIO(admin.content)).active.iter_rows(values_only=True))
    assert [r[2] for r in admin_rows[1:]] == ["Backlite"]


async def test_demo_companies_get_product_made_templates_and_stamps(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    from salesbot.booking_orders.company_documents import install_default_documents
    from salesbot.users.models import Company

    async with app.state.db.sessions() as session:
        viola = await session.get_one(Company, world.viola_id)
        for _ in range(2):  # idempotent, like `salesbot demo`
            await install_default_documents(session, app.state.storage, viola, world.admin.id)
            await session.commit()
    docs = await client.get(
        "/api/booking-orders/companies/viola/documents", headers=world.coord.headers
    )
    body = docs.json()
    assert body["template"]["name"] == "Viola BO template.xlsx"
    assert body["stamp"]["name"] == "Viola stamp.png"
    template = await client.get(body["template"]["download_url"], headers=world.coord.headers)
    assert load_workbook(io.BytesIO(template.content))["BO Form"]["A2"].value == "Viola"
    files = await client.get("/api/files", headers=world.admin.headers)
    assert len(files.json()["items"]) == 2
