"""People, companies, the catalogue of the spec's examples, and file helpers for API tests."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from pptx import Presentation
from pypdf import PdfReader

from salesbot.users.models import Company, RoleAssignment, User
from tests.support.auth import bearer

BOUNDARY = "salesbot-locations-boundary-41c2"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    headers: dict[str, str]


@dataclass(frozen=True)
class Team:
    admin: Person
    sales: Person  # a salesperson
    other: Person  # another salesperson
    hos_backlite: Person
    hos_viola: Person
    viewer: Person
    backlite_id: uuid.UUID
    viola_id: uuid.UUID


async def make_team(app: FastAPI) -> Team:
    """Two companies and one account per role (bearer tokens only, no password hashing)."""
    async with app.state.db.sessions() as session:
        backlite = Company(code="backlite", name="Backlite", bo_prefix="BL", accent_color="#2b59c3")
        viola = Company(code="viola", name="Viola", bo_prefix="VL", accent_color="#7b3fa0")
        session.add_all([backlite, viola])
        await session.flush()
        made: dict[str, uuid.UUID] = {}
        for key, role, company in (
            ("admin", "admin", None),
            ("sales", "sales_person", None),
            ("other", "sales_person", None),
            ("hos_backlite", "hos", backlite.id),
            ("hos_viola", "hos", viola.id),
            ("viewer", "viewer", None),
        ):
            user = User(email=f"{key}@example.com", name=key.title(), password_hash=None)
            user.roles = [RoleAssignment(role=role, company_id=company)]
            session.add(user)
            await session.flush()
            made[key] = user.id
        await session.commit()
        ids = (backlite.id, viola.id)
    people = {key: Person(uid, bearer(app, uid)) for key, uid in made.items()}
    return Team(**people, backlite_id=ids[0], viola_id=ids[1])


# The spec's example locations (domain.md §2), spread over both companies and both types.
CATALOGUE: list[dict[str, Any]] = [
    {
        "key": "dubai_gateway",
        "display_name": "The Dubai Gateway",
        "aliases": ["gateway", "dpd gateway"],
        "company": "backlite",
        "display_type": "digital",
        "series": "The Landmark Series",
        "width_m": "7",
        "height_m": "14",
        "number_of_faces": 4,
        "spot_duration_s": 12,
        "loop_duration_s": 96,
        "sov_pct": "12.5",
        "upload_fee": "2000",
    },
    {
        "key": "the_landmark",
        "display_name": "The Landmark",
        "aliases": ["landmark"],
        "company": "backlite",
        "display_type": "digital",
        "series": "The Landmark Series",
        "upload_fee": "3000",
    },
    {
        "key": "jawhara",
        "display_name": "The Jawhara",
        "aliases": ["jawhara tower"],
        "company": "backlite",
        "display_type": "digital",
        "series": "The Portrait Gallery",
        "width_m": "8",
        "height_m": "16",
        "number_of_faces": 2,
    },
    {
        "key": "uae21",
        "display_name": "UAE21",
        "aliases": ["uae 21"],
        "company": "viola",
        "display_type": "static",
        "series": "The Highway Series",
        "width_m": "12",
        "height_m": "4",
        "number_of_faces": 2,
    },
    {
        "key": "city_walk_screen",
        "display_name": "City Walk Digital Screen",
        "aliases": ["city walk"],
        "company": "viola",
        "display_type": "digital",
        "series": "The City Series",
    },
]


async def seed_catalogue(client: httpx.AsyncClient, admin: Person) -> None:
    for spec in CATALOGUE:
        response = await client.post("/api/locations", json=spec, headers=admin.headers)
        assert response.status_code == 201, response.text


def multipart(name: str, data: bytes, content_type: str) -> tuple[bytes, str]:
    body = (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    body += data + f"\r\n--{BOUNDARY}--\r\n".encode()
    return body, f"multipart/form-data; boundary={BOUNDARY}"


async def upload(
    client: httpx.AsyncClient, person: Person, name: str, data: bytes, content_type: str
) -> str:
    """Upload one file through the files API; its id."""
    body, header = multipart(name, data, content_type)
    response = await client.post(
        "/api/files", content=body, headers={**person.headers, "Content-Type": header}
    )
    assert response.status_code == 201, response.text
    return str(response.json()[0]["id"])


async def download(client: httpx.AsyncClient, person: Person, url: str) -> bytes:
    response = await client.get(url, headers=person.headers)
    assert response.status_code == 200, response.text
    return response.content


def slide_texts(pptx: bytes) -> list[str]:
    """All text of each slide, including table cells."""
    texts = []
    for slide in Presentation(io.BytesIO(pptx)).slides:
        parts: list[str] = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
        texts.append("\n".join(parts))
    return texts


def table_rows(pptx: bytes) -> list[list[str]]:
    """The investment table's rows (visible cells only) from the first slide that has one."""
    for slide in Presentation(io.BytesIO(pptx)).slides:
        for shape in slide.shapes:
            if getattr(shape, "has_table", False) and shape.has_table:
                return [
                    [cell.text for cell in row.cells if not cell.is_spanned]
                    for row in shape.table.rows
                ]
    raise AssertionError("no investment table in the deck")


def pdf_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    return "".join(text.split())
