"""People, multipart bodies and leftover checks for the files API tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from salesbot.files.models import FileRecord
from salesbot.users.models import Company, RoleAssignment, User
from tests.support.auth import bearer

BOUNDARY = "salesbot-test-boundary-7d1f"


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    headers: dict[str, str]


@dataclass(frozen=True)
class People:
    owner: Person  # a salesperson
    other: Person  # another salesperson
    coordinator: Person  # coordinator of `company`
    outsider: Person  # coordinator of another company
    admin: Person
    viewer: Person
    company_id: uuid.UUID


@pytest.fixture
async def people(app: FastAPI) -> People:
    """Accounts without passwords (bearer tokens only), so no slow hashing per test."""
    async with app.state.db.sessions() as session:
        ours = Company(code="backlite", name="Backlite", bo_prefix="BL")
        theirs = Company(code="viola", name="Viola", bo_prefix="VL")
        session.add_all([ours, theirs])
        await session.flush()
        made: dict[str, uuid.UUID] = {}
        for key, role, company in (
            ("owner", "sales_person", None),
            ("other", "sales_person", None),
            ("coordinator", "coordinator", ours.id),
            ("outsider", "coordinator", theirs.id),
            ("admin", "admin", None),
            ("viewer", "viewer", None),
        ):
            user = User(email=f"{key}@example.com", name=key.title(), password_hash=None)
            user.roles = [RoleAssignment(role=role, company_id=company)]
            session.add(user)
            await session.flush()
            made[key] = user.id
        await session.commit()
        company_id = ours.id
    return People(
        **{key: Person(user_id, bearer(app, user_id)) for key, user_id in made.items()},
        company_id=company_id,
    )


def multipart(*files: tuple[str | bytes, bytes, str | None], field: str = "files") -> bytes:
    """A multipart body written by hand, so hostile names reach the server byte for byte."""
    out = bytearray()
    for name, data, content_type in files:
        # Text names are quoted as clients do it; bytes go out exactly as given.
        raw_name = (
            name.replace("\\", "\\\\").replace('"', '\\"').encode()
            if isinstance(name, str)
            else name
        )
        out += f"--{BOUNDARY}\r\n".encode()
        out += f'Content-Disposition: form-data; name="{field}"; filename="'.encode()
        out += raw_name + b'"\r\n'
        if content_type is not None:
            out += f"Content-Type: {content_type}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    out += f"--{BOUNDARY}--\r\n".encode()
    return bytes(out)


MULTIPART_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


async def upload(
    client: httpx.AsyncClient,
    person: Person,
    *files: tuple[str | bytes, bytes, str | None],
) -> httpx.Response:
    return await client.post(
        "/api/files",
        content=multipart(*files),
        headers={**person.headers, "Content-Type": MULTIPART_TYPE},
    )


def stored_files(app: FastAPI) -> list[str]:
    """Every file under the local storage root and the upload temp dir."""
    settings = app.state.settings
    found: list[str] = []
    for root in (Path(settings.files_dir), Path(settings.tmp_dir)):
        if root.exists():
            found += [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    return found


async def row_count(app: FastAPI) -> int:
    async with app.state.db.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(FileRecord))).scalar())
