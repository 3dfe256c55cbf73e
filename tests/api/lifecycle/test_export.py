"""Personal-data export: a job builds the ZIP, the person is told, downloads it, and only them."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import uuid
import zipfile
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from salesbot.kit.db import utcnow
from salesbot.lifecycle.models import DataExport
from salesbot.notifications.models import Notification
from salesbot.users.models import AuditEvent
from salesbot.users.roles import Role
from tests.api.lifecycle.support import (
    Person,
    add_business_records,
    add_conversation,
    add_file,
    add_personal_data,
    make_user,
)
from tests.support.auth import bearer

pytestmark = pytest.mark.jobs


async def _finished(
    app: FastAPI, client: httpx.AsyncClient, person: Person, path: str, method: str = "POST"
) -> dict[str, Any]:
    started = await client.request(method, path, headers=bearer(app, person.id))
    assert started.status_code == 202, started.text
    await asyncio.to_thread(app.state.jobs.join)
    export_id = started.json()["id"]
    done = await client.get(f"/api/exports/{export_id}", headers=bearer(app, person.id))
    assert done.status_code == 200, done.text
    return dict(done.json())


async def _zip(app: FastAPI, client: httpx.AsyncClient, who: Person, url: str) -> zipfile.ZipFile:
    response = await client.get(url, headers=bearer(app, who.id))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


async def test_export_holds_everything_the_person_owns(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await make_user(app, "pat", Role.hos, company="backlite")
    other = await make_user(app, "olga")
    await add_personal_data(app, person)
    await add_personal_data(app, other)
    async with app.state.db.sessions() as session:
        from salesbot.users import service as users

        company = await users.company_by_ref(session, "backlite")
    assert company is not None
    await add_business_records(app, person, company.id)

    done = await _finished(app, client, person, "/api/me/export")

    assert done["status"] == "done" and done["progress"] == 100, done
    archive = await _zip(app, client, person, done["download_url"])
    names = set(archive.namelist())
    for expected in (
        "README.txt",
        "profile.json",
        "sessions.json",
        "api_keys.json",
        "files.json",
        "proposals.json",
        "mockups.json",
        "booking_orders.json",
        "notifications.json",
        "audit.json",
    ):
        assert expected in names, expected
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == person.email
    assert profile["roles"] == [{"role": "hos", "company": "backlite"}]
    talks = sorted(n for n in names if n.startswith("conversations/"))
    assert talks == sorted(f"conversations/{c}.json" for c in person.conversations)
    first = json.loads(archive.read(f"conversations/{person.conversations[0]}.json"))
    assert [m["content"] for m in first["items"]] == [
        f"message {n} of {person.id}" for n in range(3)
    ]
    files = json.loads(archive.read("files.json"))["items"]
    mine = person.own_files + person.business_files
    assert sorted(f["id"] for f in files) == sorted(str(f.id) for f in mine)
    for record in mine:
        data = archive.read(f"files/{record.id}-{record.safe_name}")
        assert hashlib.sha256(data).hexdigest() == record.sha256
    assert str(other.id) not in archive.read("files.json").decode()
    assert len(json.loads(archive.read("booking_orders.json"))["items"]) == 1
    assert json.loads(archive.read("proposals.json"))["items"][0]["figures"] == {
        "total": "52500.00"
    }
    assert b"key_hash" not in archive.read("api_keys.json")
    assert b"token_hash" not in archive.read("sessions.json")
    async with app.state.db.sessions() as session:
        told = await session.scalar(
            select(Notification).where(
                Notification.user_id == person.id, Notification.kind == "data_export"
            )
        )
    assert told is not None and told.link == "/settings#data"
    # Only the person (or the admin who asked) may download it.
    refused = await client.get(done["download_url"], headers=bearer(app, other.id))
    assert refused.status_code == 404
    peek = await client.get(f"/api/exports/{done['id']}", headers=bearer(app, other.id))
    assert peek.status_code == 404


async def test_a_running_export_is_returned_instead_of_a_second_one(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await make_user(app, "pat")
    async with app.state.db.sessions() as session:
        running = DataExport(user_id=person.id, status="running", progress=40)
        session.add(running)
        await session.commit()
    for method in ("POST", "GET"):  # GET kept for older clients: the same answer
        again = await client.request(method, "/api/me/export", headers=bearer(app, person.id))
        assert again.status_code == 202
        assert again.json()["id"] == str(running.id) and again.json()["progress"] == 40
    async with app.state.db.sessions() as session:
        rows = (await session.scalars(select(DataExport))).all()
    assert len(rows) == 1
    early = await client.get(f"/api/exports/{running.id}/download", headers=bearer(app, person.id))
    assert early.status_code == 409


async def test_the_download_link_expires(app: FastAPI, client: httpx.AsyncClient) -> None:
    person = await make_user(app, "pat")
    done = await _finished(app, client, person, "/api/me/export")
    async with app.state.db.sessions() as session:
        export = await session.get(DataExport, uuid.UUID(done["id"]))
        assert export is not None
        export.expires_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    listed = await client.get("/api/me/exports", headers=bearer(app, person.id))
    assert listed.json()[0]["download_url"] is None
    gone = await client.get(done["download_url"], headers=bearer(app, person.id))
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "export_expired"


async def test_an_admin_exports_someone_and_it_is_audited(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await make_user(app, "boss", Role.admin)
    person = await make_user(app, "pat")
    await add_personal_data(app, person)
    done = await _finished(app, client, admin, f"/api/users/{person.id}/export")
    assert done["user_id"] == str(person.id) and done["status"] == "done"
    archive = await _zip(app, client, admin, done["download_url"])
    assert json.loads(archive.read("profile.json"))["email"] == person.email
    async with app.state.db.sessions() as session:
        actions = (
            await session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == admin.id))
        ).all()
    assert {"data_export_requested", "data_export_downloaded"} <= set(actions)
    for method in ("POST", "GET"):
        unknown = await client.request(
            method, f"/api/users/{uuid.uuid4()}/export", headers=bearer(app, admin.id)
        )
        assert unknown.status_code == 404


async def test_the_older_get_still_starts_an_export(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    person = await make_user(app, "pat")
    done = await _finished(app, client, person, "/api/me/export", method="GET")
    assert done["status"] == "done" and done["user_id"] == str(person.id)
    schema = (await client.get("/openapi.json")).json()["paths"]["/api/me/export"]
    assert schema["get"].get("deprecated") is True and not schema["post"].get("deprecated")


async def test_a_large_export_is_complete(app: FastAPI, client: httpx.AsyncClient) -> None:
    """1,000 messages and 50 MB of files (peak memory: benchmarks/lifecycle_export.py)."""
    person = await make_user(app, "pat")
    await add_conversation(app, person.id, messages=1000)
    made = []
    for n in range(5):
        data = f"file {n}\n".encode() + b"x" * (10 * 1024 * 1024 - 16)
        made.append(await add_file(app, person.id, f"big{n}.txt", data=data))
    done = await _finished(app, client, person, "/api/me/export")
    assert done["status"] == "done", done
    archive = await _zip(app, client, person, done["download_url"])
    talk = [n for n in archive.namelist() if n.startswith("conversations/")]
    assert len(json.loads(archive.read(talk[0]))["items"]) == 1000
    for record in made:
        info = archive.getinfo(f"files/{record.id}-{record.safe_name}")
        assert info.file_size == record.size
        digest = hashlib.sha256()
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        assert digest.hexdigest() == record.sha256


async def test_starting_exports_is_rate_limited_per_person_asking(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    app.state.settings.rate_limit_data_export = "2/hour"
    person = await make_user(app, "pat")
    for _ in range(2):
        await _finished(app, client, person, "/api/me/export")
    refused = await client.post("/api/me/export", headers=bearer(app, person.id))
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    async with app.state.db.sessions() as session:
        assert len((await session.scalars(select(DataExport))).all()) == 2  # nothing started
    other = await make_user(app, "sam")
    assert (await client.post("/api/me/export", headers=bearer(app, other.id))).status_code == 202
