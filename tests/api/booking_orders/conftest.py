"""Companies, people and documents for the booking-order API tests."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from salesbot.assistant.tooling import run_tool
from salesbot.auth.service import principal_for
from salesbot.booking_orders.tools import TOOLS
from salesbot.kit.tools import ToolContext, ToolResult
from salesbot.users.models import Company, RoleAssignment, User
from tests.support.auth import bearer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    name: str
    email: str
    headers: dict[str, str]


@dataclass(frozen=True)
class World:
    sales: Person
    sales2: Person
    coord: Person  # coordinator of Viola
    hos: Person  # head of sales of Viola
    finance: Person  # finance of Viola
    coord_b: Person  # coordinator of Backlite
    hos_b: Person  # head of sales of Backlite
    admin: Person
    viewer: Person
    viola_id: uuid.UUID
    backlite_id: uuid.UUID


PEOPLE: tuple[tuple[str, str, str, str | None], ...] = (
    ("sales", "Sami Sales", "sales_person", None),
    ("sales2", "Sara Sales", "sales_person", None),
    ("coord", "Cora Coordinator", "coordinator", "viola"),
    ("hos", "Hana Head", "hos", "viola"),
    ("finance", "Faris Finance", "finance", "viola"),
    ("coord_b", "Carl Coordinator", "coordinator", "backlite"),
    ("hos_b", "Hugo Head", "hos", "backlite"),
    ("admin", "Amira Admin", "admin", None),
    ("viewer", "Vera Viewer", "viewer", None),
)


async def make_world(app: FastAPI) -> World:
    """Viola and Backlite with one person per role (bearer tokens, no password hashing)."""
    async with app.state.db.sessions() as session:
        viola = Company(code="viola", name="Viola", bo_prefix="VL")
        backlite = Company(code="backlite", name="Backlite", bo_prefix="BL")
        session.add_all([viola, backlite])
        await session.flush()
        companies = {"viola": viola.id, "backlite": backlite.id}
        made: dict[str, Person] = {}
        for key, name, role, company in PEOPLE:
            user = User(email=f"{key}@example.com", name=name, password_hash=None)
            user.roles = [
                RoleAssignment(role=role, company_id=companies[company] if company else None)
            ]
            session.add(user)
            await session.flush()
            made[key] = Person(user.id, name, user.email, bearer(app, user.id, minutes=30))
        await session.commit()
    return World(**made, viola_id=viola.id, backlite_id=backlite.id)


@pytest.fixture
async def world(app: FastAPI) -> World:
    return await make_world(app)


# ---------------------------------------------------------------- documents

# The spec's worked example: rentals 160,000 / 160,000 / 140,000, DM 520, production 2,000,
# SLA 10 % → net 462,520, VAT 23,126, gross 485,646.
WORKED_ROWS: list[list[object]] = [
    ["BOOKING ORDER"],
    ["Client:", "Nike"],
    ["BO No.", "DPD-112652", "", "Date", "20/02/2025"],
    ["Agency", "OMD"],
    ["Brand / Campaign", "Air Max Spring"],
    ["Payment terms", "60 days"],
    [],
    ["Location", "Start date", "End date", "Net Amount (AED)"],
    ["UAE02", "1st March 2025", "31st March 2025", "160,000"],
    ["UAE03", "01/03/2025", "31/03/2025", "160,000"],
    ["UAE21", "2025-03-15", "2025-03-28", "140000"],
    [],
    ["Municipality fee", "520"],
    ["Production/upload fee", "2,000"],
    ["SLA %", "10%"],
    ["Commission", "5%"],
    ["Net amount (pre-VAT)", "462,520.00"],
    ["VAT 5%", "23,126.00"],
    ["Gross total", "485,646.00"],
]


def csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def worked_csv(**changes: str) -> bytes:
    """The worked example as CSV; `changes` replace the value of a labelled row."""
    rows = [list(r) for r in WORKED_ROWS]
    for row in rows:
        if row and str(row[0]) in changes:
            row[1] = changes[str(row[0])]
    return csv_bytes(rows)


def text_pdf(lines: list[str], *, ink_bottom_right: bool = False) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    y = 800
    for line in lines:
        canvas.drawString(40, y, line)
        y -= 16
    if ink_bottom_right:
        width, _ = A4
        canvas.rect(width - 220, 10, 215, 215, fill=1)
    canvas.save()
    return out.getvalue()


BO_PDF_LINES = [
    "BOOKING ORDER",
    "Client: Nike        BO Number: DPD-112652",
    "BO Date: 20th February 2025    Agency: OMD",
    "Brand/Campaign: Air Max Spring",
    "Payment Terms: 60 days",
    "Location    Start Date    End Date    Net Amount",
    "UAE02   1st March 2025   31st March 2025   AED 160,000.00",
    "UAE03   1st March 2025   31st March 2025   AED 160,000.00",
    "UAE21   15th March 2025   28th March 2025   AED 140,000.00",
    "Municipality Fee: AED 520.00    Production/Upload Fee: AED 2,000.00",
    "SLA: 10%    Commission: 5%",
    "Net Amount (pre-VAT): AED 462,520.00",
    "VAT: AED 23,126.00    Gross Amount: AED 485,646.00",
]


def png_bytes() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 300), "white")
    ImageDraw.Draw(image).text((20, 20), "BOOKING ORDER (photo)", fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# ---------------------------------------------------------------- API helpers


async def upload(
    client: httpx.AsyncClient, person: Person, name: str, data: bytes, content_type: str
) -> uuid.UUID:
    response = await client.post(
        "/api/files", files={"files": (name, data, content_type)}, headers=person.headers
    )
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()[0]["id"])


async def intake(
    client: httpx.AsyncClient,
    person: Person,
    *,
    data: bytes | None = None,
    name: str = "booking-order.csv",
    content_type: str = "text/csv",
    company: str | None = "viola",
    notes: str = "",
) -> httpx.Response:
    file_id = await upload(client, person, name, data or worked_csv(), content_type)
    body: dict[str, Any] = {"file_id": str(file_id), "notes": notes}
    if company is not None:
        body["company"] = company
    return await client.post("/api/booking-orders", json=body, headers=person.headers)


async def new_bo(client: httpx.AsyncClient, person: Person, **kwargs: Any) -> dict[str, Any]:
    response = await intake(client, person, **kwargs)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def act(
    client: httpx.AsyncClient,
    person: Person,
    bo_id: str,
    action: str,
    **body: Any,
) -> httpx.Response:
    return await client.post(
        f"/api/booking-orders/{bo_id}/{action}", json=body or None, headers=person.headers
    )


async def to_hos_review(client: httpx.AsyncClient, world: World, **kwargs: Any) -> dict[str, Any]:
    bo = await new_bo(client, world.sales, **kwargs)
    assert (await act(client, world.sales, bo["id"], "submit")).status_code == 200
    response = await act(client, world.coord, bo["id"], "approve")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    assert data["state"] == "hos_review"
    return data


async def run_tool_as(
    app: FastAPI,
    person: Person,
    name: str,
    args: dict[str, Any],
    attachments: list[uuid.UUID] | None = None,
) -> ToolResult:
    """One booking-order chat tool, run as `person` would run it through the assistant."""
    async with app.state.db.sessions() as session:
        user = await session.get_one(User, person.id)
        ctx = ToolContext(
            principal=principal_for(user, "bearer"),
            session=session,
            app=app.state,
            attachment_ids=attachments or [],
        )
        return await run_tool(next(t for t in TOOLS if t.name == name), ctx, args)
