"""Erasure reaches the documents already rendered: no stored object still names the person."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from salesbot.booking_orders.models import BookingOrderRow
from salesbot.files.models import FileRecord
from salesbot.kit.storage import Storage
from tests.api.booking_orders.conftest import Person, World, act, make_world, new_bo
from tests.api.lifecycle.support import add_file
from tests.support.auth import bearer

REASON = {"reason": "Right to erasure request #77"}


def _text(data: bytes) -> str:
    """What a reader of the object sees: PDF text, every spreadsheet cell, or the bytes."""
    if data.startswith(b"%PDF"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    if data.startswith(b"PK"):
        book = load_workbook(io.BytesIO(data), read_only=True)
        cells = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return "\n".join(cells)
    return data.decode("utf-8", "replace")


async def _read(storage: Storage, key: str) -> bytes:
    return b"".join([chunk async for chunk in await storage.open(key)])


async def _approved_with_documents(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    bo = await new_bo(client, world.sales)
    edited = await client.patch(
        f"/api/booking-orders/{bo['id']}",
        json={"version": bo["version"], "fields": {"sales_person": world.sales.name}},
        headers=world.sales.headers,
    )
    assert edited.status_code == 200, edited.text
    for person, action in ((world.sales, "submit"), (world.coord, "approve")):
        assert (await act(client, person, bo["id"], action)).status_code == 200
    approved = await act(client, world.hos, bo["id"], "approve")
    assert approved.status_code == 200, approved.text
    body: dict[str, Any] = approved.json()
    assert body["state"] == "approved" and body["final_pdf_file"] and body["excel_file"]
    return body


async def _document_texts(app: FastAPI, bo_id: str) -> tuple[list[uuid.UUID], str, str]:
    async with app.state.db.sessions() as session:
        row = await session.get_one(BookingOrderRow, uuid.UUID(bo_id))
        excel = await session.get_one(FileRecord, row.excel_file_id)
        pdf = await session.get_one(FileRecord, row.final_pdf_file_id)
    storage = app.state.storage
    pdf_text = _text(await _read(storage, pdf.storage_key))
    excel_text = _text(await _read(storage, excel.storage_key))
    return [excel.id, pdf.id], pdf_text, excel_text


async def _erase(client: httpx.AsyncClient, app: FastAPI, admin: Person, who: Person) -> Any:
    response = await client.request(
        "DELETE", f"/api/users/{who.id}", json=REASON, headers=bearer(app, admin.id)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_erasure_renders_stored_documents_again_under_the_pseudonym(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    world = await make_world(app)
    bo = await _approved_with_documents(client, world)
    ids_before, pdf_before, excel_before = await _document_texts(app, bo["id"])
    # The documents name the head of sales (signature) and the sales person before erasure.
    for person in (world.hos, world.sales):
        assert person.name in pdf_before and person.name in excel_before

    erased_hos = await _erase(client, app, world.admin, world.hos)
    erased_sales = await _erase(client, app, world.admin, world.sales)

    assert erased_hos["documents_reproduced"] == 2 and erased_hos["documents_withdrawn"] == 0
    assert erased_sales["documents_reproduced"] == 2
    ids_after, pdf_after, excel_after = await _document_texts(app, bo["id"])
    assert ids_after == ids_before  # same files (links keep working), new contents
    for erased in (erased_hos, erased_sales):
        assert erased["pseudonym"] in pdf_after and erased["pseudonym"] in excel_after
    # Figures are unchanged: the gross total is printed in both versions.
    assert "485,646.00" in pdf_before and "485,646.00" in pdf_after
    # Nothing left in storage names either person: every object, with or without a row.
    storage = app.state.storage
    keys = [key async for key in storage.list_keys()]
    async with app.state.db.sessions() as session:
        rows = set((await session.scalars(select(FileRecord.storage_key))).all())
    assert rows <= set(keys)
    assert len(keys) == len(rows)  # the replaced objects went after the commit
    for key in keys:
        text = _text(await _read(storage, key))
        for person in (world.hos, world.sales):
            assert person.name not in text and person.email not in text, key


async def test_documents_that_cannot_be_rendered_again_are_withdrawn(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    world = await make_world(app)
    bo = await _approved_with_documents(client, world)
    async with app.state.db.sessions() as session:
        row = await session.get_one(BookingOrderRow, uuid.UUID(bo["id"]))
        source = await session.get_one(FileRecord, row.source_file_id)
        # The original upload is gone (a failed restore, a manual clean-up): no re-render.
        row.source_file_id = None
        await session.delete(source)
        await session.commit()
        old = [row.excel_file_id, row.final_pdf_file_id]
        old_keys = [
            (await session.get_one(FileRecord, fid)).storage_key for fid in old if fid is not None
        ]
    unrelated = await add_file(app, world.finance.id, "other.txt")

    erased = await _erase(client, app, world.admin, world.hos)

    assert erased["documents_withdrawn"] == 1 and erased["documents_reproduced"] == 0
    storage = app.state.storage
    assert not any([await storage.exists(key) for key in old_keys])
    assert await storage.exists(unrelated.storage_key)
    async with app.state.db.sessions() as session:
        row = await session.get_one(BookingOrderRow, uuid.UUID(bo["id"]))
        left = (await session.scalars(select(FileRecord).where(FileRecord.id.in_(old)))).all()
    assert row.excel_file_id is None and row.final_pdf_file_id is None and not left
    assert row.render_error is not None and "erased" in row.render_error
    assert str(row.gross) == "485646.00"
