"""The admin row of the authorisation matrix: one real request per protected route.

Each route gets a request built on seeded records (so its ids resolve) and the 2xx status it
documents; the test checks the body against the route's response model. A route missing here
fails the matrix, so a new route must add its expectation.
"""

from __future__ import annotations

import io
import itertools
import re
import uuid
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pyotp
from fastapi import FastAPI
from PIL import Image

from salesbot.lifecycle.models import DataExport
from salesbot.notifications import service as notifications
from salesbot.notifications.service import Recipient
from salesbot.users.credentials import hash_password
from salesbot.users.models import AuthSession, User
from tests.api.booking_orders.conftest import (
    WORKED_ROWS,
    World,
    act,
    csv_bytes,
    make_world,
    new_bo,
    upload,
    worked_csv,
)
from tests.api.locations.support import CATALOGUE, seed_catalogue
from tests.api.locations.support import Person as CataloguePerson
from tests.support.auth import PASSWORD

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Ctx:
    """The seeded records every call may use (all owned by, or visible to, the admin)."""

    app: FastAPI
    client: httpx.AsyncClient
    world: World
    file_id: str = ""
    bo_id: str = ""
    proposal_id: str = ""
    conversation_id: str = ""
    photo_id: str = ""
    notification_id: str = ""
    seen: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return self.world.admin.headers

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, path, headers=self.headers, **kwargs)

    async def upload(self, name: str, data: bytes, content_type: str) -> str:
        return str(await upload(self.client, self.world.admin, name, data, content_type))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (200, 200), (200, 0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def _photo_jpeg() -> bytes:
    # A different picture each time: the same photo twice is refused as a duplicate.
    out = io.BytesIO()
    shade = uuid.uuid4().bytes
    Image.new("RGB", (400, 300), (shade[0], 255, shade[1])).save(out, format="JPEG")
    return out.getvalue()


PROPOSAL = {
    "kind": "separate",
    "client_name": "Nike",
    "proposals": [
        {
            "location": "uae21",
            "start_date": "2026-01-01",
            "durations": ["2 weeks"],
            "net_rates": ["100000"],
            "production_fee": "5000",
        }
    ],
}
FRAME = [[100.0, 60.0], [300.0, 70.0], [296.0, 190.0], [104.0, 200.0]]


async def seed(app: FastAPI, client: httpx.AsyncClient) -> Ctx:
    """Companies, people, the example catalogue, and one record of each kind for the admin."""
    world = await make_world(app)
    ctx = Ctx(app, client, world)
    await seed_catalogue(client, CataloguePerson(world.admin.id, world.admin.headers))
    ctx.file_id = await ctx.upload("notes.csv", b"a,b\n1,2\n", "text/csv")
    ctx.bo_id = (await new_bo(client, world.admin))["id"]
    made = await ctx.request("POST", "/api/proposals", json=PROPOSAL)
    assert made.status_code == 201, made.text
    ctx.proposal_id = made.json()["id"]
    talk = await ctx.request("POST", "/api/conversations", json={"title": "Matrix"})
    assert talk.status_code == 201, talk.text
    ctx.conversation_id = talk.json()["id"]
    ctx.photo_id = await _photo(ctx)
    async with app.state.db.sessions() as session:
        admin = world.admin
        notifications.notify(
            session,
            [Recipient(admin.id, admin.email, admin.name)],
            kind="test",
            title="Hi",
            body="",
        )
        await session.commit()
    page = await ctx.request("GET", "/api/notifications")
    ctx.notification_id = page.json()["items"][0]["id"]
    return ctx


async def _photo_upload(ctx: Ctx) -> httpx.Response:
    boundary = "salesbot-matrix-boundary"
    fields = {"location": "the_landmark", "time_of_day": "day", "finish": "gold"}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    body += _photo_jpeg() + f"\r\n--{boundary}--\r\n".encode()
    headers = {**ctx.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return await ctx.client.post("/api/mockups/photos", content=body, headers=headers)


async def _photo(ctx: Ctx) -> str:
    """A framed photo of the_landmark; its id."""
    response = await _photo_upload(ctx)
    assert response.status_code == 201, response.text
    photo_id = str(response.json()["id"])
    frames = {"frames": [{"points": FRAME, "settings": {}}]}
    framed = await ctx.request("PUT", f"/api/mockups/photos/{photo_id}/frames", json=frames)
    assert framed.status_code == 200, framed.text
    return photo_id


_BO_PERIODS = itertools.count()


def _bo_document() -> bytes:
    """The worked example with a fortnight of UAE21 of its own: approving it books UAE21 (a
    catalogue location), so two approvals of the same dates would be a double booking."""
    first = date(2025, 1, 5) + timedelta(weeks=2 * next(_BO_PERIODS))
    rows = [list(r) for r in WORKED_ROWS]
    for row in rows:
        if row and row[0] == "UAE21":
            row[1], row[2] = first.isoformat(), (first + timedelta(days=13)).isoformat()
    return csv_bytes(rows)


async def _bo_in(ctx: Ctx, *actions: str) -> str:
    """A fresh booking order of the admin's, taken through `actions` by whoever acts there."""
    bo_id = str((await new_bo(ctx.client, ctx.world.admin, data=_bo_document()))["id"])
    # The workflow names who acts at each stage: the owner submits, Viola's coordinator then
    # its head of sales approve.
    people = iter([ctx.world.admin, ctx.world.coord, ctx.world.hos])
    for action in actions:
        response = await act(ctx.client, next(people), bo_id, action)
        assert response.status_code in {200, 201}, (action, response.text)
    return bo_id


async def _new_location(ctx: Ctx) -> str:
    spec = {**CATALOGUE[0], "key": "to_delete", "display_name": "To Delete", "aliases": []}
    response = await ctx.request("POST", "/api/locations", json=spec)
    assert response.status_code == 201, response.text
    return "to_delete"


async def _run_id(ctx: Ctx) -> str:
    chat = await ctx.request("POST", "/api/chat", json={"message": "hello"})
    match = re.search(r'"run_id":\s*"([^"]+)"', chat.text)
    assert match, chat.text
    return match.group(1)


Call = Callable[[Ctx], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class Expect:
    status: int
    call: Call
    # For routes without a response model (files, exports, streams): the content type's start.
    content_type: str | None = None
    # For the few refusals the admin meets past the permission check: the error code.
    error_code: str | None = None


def get(path: str, **params: str) -> Call:
    async def call(ctx: Ctx) -> httpx.Response:
        return await ctx.request("GET", path.format(**vars(ctx)), params=params or None)

    return call


def send(method: str, path: str, body: object = None) -> Call:
    async def call(ctx: Ctx) -> httpx.Response:
        return await ctx.request(method, path.format(**vars(ctx)), json=body)

    return call


async def _users_patch(ctx: Ctx) -> httpx.Response:
    return await ctx.request("PATCH", f"/api/users/{ctx.world.sales.id}", json={"name": "Sam"})


async def _invite_delete(ctx: Ctx) -> httpx.Response:
    made = await ctx.request(
        "POST", "/api/invites", json={"email": "gone@example.com", "roles": [{"role": "viewer"}]}
    )
    assert made.status_code == 201, made.text
    return await ctx.request("DELETE", f"/api/invites/{made.json()['id']}")


async def _key_delete(ctx: Ctx) -> httpx.Response:
    made = await ctx.request(
        "POST", "/api/me/api-keys", json={"name": "k", "scopes": ["files:read"]}
    )
    assert made.status_code == 201, made.text
    return await ctx.request("DELETE", f"/api/me/api-keys/{made.json()['id']}")


async def _password(ctx: Ctx) -> httpx.Response:
    # The admin was seeded without a password (bearer tokens only); give it one to change.
    async with ctx.app.state.db.sessions() as session:
        admin = await session.get(User, ctx.world.admin.id)
        assert admin is not None
        admin.password_hash = await hash_password(PASSWORD)
        await session.commit()
    body = {"current_password": PASSWORD, "new_password": "another-horse-battery-staple"}
    return await ctx.request("POST", "/api/me/password", json=body)


async def _session_delete(ctx: Ctx) -> httpx.Response:
    # The admin signs in by bearer token here; give it a device session to sign out.
    async with ctx.app.state.db.sessions() as session:
        row = AuthSession(
            id=uuid.uuid4(),
            user_id=ctx.world.admin.id,
            user_agent="curl/8.0",
            last_seen_at=datetime.now(UTC),
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
        session.add(row)
        await session.commit()
    return await ctx.request("DELETE", f"/api/me/sessions/{row.id}")


async def _mfa_enable(ctx: Ctx) -> httpx.Response:
    setup = await ctx.request("POST", "/api/me/mfa/setup")
    assert setup.status_code == 200, setup.text
    code = pyotp.TOTP(setup.json()["secret"]).now()
    enabled = await ctx.request("POST", "/api/me/mfa/enable", json={"code": code})
    if enabled.status_code == 200:
        ctx.seen["mfa_recovery"] = enabled.json()["recovery_codes"][0]
    return enabled


async def _mfa_disable(ctx: Ctx) -> httpx.Response:
    if "mfa_recovery" not in ctx.seen:
        assert (await _mfa_enable(ctx)).status_code == 200
    code = ctx.seen.pop("mfa_recovery")
    return await ctx.request("POST", "/api/me/mfa/disable", json={"code": code})


async def _slack_link(ctx: Ctx) -> httpx.Response:
    """Confirm a one-time link the Slack bot offered (made here as the bot would)."""
    from salesbot.kit.db import utcnow
    from salesbot.slack import service as slack

    async with ctx.app.state.db.sessions() as session:
        who = slack.SlackUser("T1", f"U{uuid.uuid4().hex[:8].upper()}")
        code = await slack.offer_code(session, who, now=utcnow(), minutes=15)
    return await ctx.request("POST", "/api/me/slack/link", json={"code": code})


async def _slack_unlink(ctx: Ctx) -> httpx.Response:
    linked = await _slack_link(ctx)
    assert linked.status_code == 200, linked.text
    return await ctx.request("DELETE", "/api/me/slack")


async def _file_upload(ctx: Ctx) -> httpx.Response:
    files = {"files": ("more.csv", b"x,y\n", "text/csv")}
    return await ctx.request("POST", "/api/files", files=files)


async def _file_delete(ctx: Ctx) -> httpx.Response:
    file_id = await ctx.upload("gone.csv", b"x\n", "text/csv")
    return await ctx.request("DELETE", f"/api/files/{file_id}")


async def _location_delete(ctx: Ctx) -> httpx.Response:
    return await ctx.request("DELETE", f"/api/locations/{await _new_location(ctx)}")


async def _location_import(ctx: Ctx) -> httpx.Response:
    export = await ctx.request("GET", "/api/locations/export", params={"format": "xlsx"})
    file_id = await ctx.upload("locations.xlsx", export.content, XLSX)
    return await ctx.request("POST", "/api/locations/import", json={"file_id": file_id})


async def _photo_delete(ctx: Ctx) -> httpx.Response:
    return await ctx.request("DELETE", f"/api/mockups/photos/{await _photo(ctx)}")


async def _mockup_create(ctx: Ctx) -> httpx.Response:
    creative = await ctx.upload("creative.png", _png(), "image/png")
    body = {"location": "the_landmark", "file_ids": [creative]}
    return await ctx.request("POST", "/api/mockups", json=body)


async def _mockup_get(ctx: Ctx) -> httpx.Response:
    made = await _mockup_create(ctx)
    assert made.status_code in {201, 202}, made.text
    return await ctx.request("GET", f"/api/mockups/{made.json()['id']}")


async def _bo_intake(ctx: Ctx) -> httpx.Response:
    file_id = await ctx.upload("bo.csv", worked_csv(), "text/csv")
    body = {"file_id": file_id, "company": "viola", "notes": ""}
    return await ctx.request("POST", "/api/booking-orders", json=body)


async def _company_template(ctx: Ctx) -> httpx.Response:
    from salesbot.booking_orders.documents.templates import default_template

    file_id = await ctx.upload("viola.xlsx", default_template("Viola"), XLSX)
    return await ctx.request(
        "PUT", "/api/booking-orders/companies/viola/template", json={"file_id": file_id}
    )


async def _company_stamp(ctx: Ctx) -> httpx.Response:
    file_id = await ctx.upload("stamp.png", _png(), "image/png")
    return await ctx.request(
        "PUT", "/api/booking-orders/companies/viola/stamp", json={"file_id": file_id}
    )


def _bo_action(action: str, before: tuple[str, ...], **body: str) -> Call:
    async def call(ctx: Ctx) -> httpx.Response:
        bo_id = await _bo_in(ctx, *before)
        return await act(ctx.client, ctx.world.admin, bo_id, action, **body)

    return call


async def _bo_invoice(ctx: Ctx) -> httpx.Response:
    """An admin may act for finance: book, then mark invoiced."""
    bo_id = await _bo_in(ctx, "submit", "approve", "approve")
    booked = await act(ctx.client, ctx.world.admin, bo_id, "book", po_number="PO-12345")
    assert booked.status_code == 200, booked.text
    return await act(ctx.client, ctx.world.admin, bo_id, "invoice", invoice_number="INV-1")


async def _bo_acknowledge(ctx: Ctx) -> httpx.Response:
    """Totals printed on the document that differ, acknowledged during coordinator review."""
    data = worked_csv(**{"Net amount (pre-VAT)": "470,000"})
    bo_id = str((await new_bo(ctx.client, ctx.world.admin, data=data))["id"])
    assert (await act(ctx.client, ctx.world.admin, bo_id, "submit")).status_code == 200
    return await ctx.request("POST", f"/api/booking-orders/{bo_id}/acknowledge-totals")


async def _bo_edit(ctx: Ctx) -> httpx.Response:
    current = await ctx.request("GET", f"/api/booking-orders/{ctx.bo_id}")
    body = {"version": current.json()["version"], "fields": {"agency": "PHD"}}
    return await ctx.request("PATCH", f"/api/booking-orders/{ctx.bo_id}", json=body)


async def _bo_documents(ctx: Ctx) -> httpx.Response:
    bo_id = await _bo_in(ctx, "submit", "approve", "approve")
    return await ctx.request("POST", f"/api/booking-orders/{bo_id}/documents")


async def _conversation_delete(ctx: Ctx) -> httpx.Response:
    made = await ctx.request("POST", "/api/conversations", json={"title": "Gone"})
    return await ctx.request("DELETE", f"/api/conversations/{made.json()['id']}")


async def _run_events(ctx: Ctx) -> httpx.Response:
    return await ctx.request("GET", f"/api/chat/runs/{await _run_id(ctx)}/events")


async def _user_erase(ctx: Ctx) -> httpx.Response:
    async with ctx.app.state.db.sessions() as session:
        gone = User(email="erase-me@example.com", name="Erin Erased")
        session.add(gone)
        await session.commit()
    body = {"reason": "Asked to be forgotten"}
    return await ctx.request("DELETE", f"/api/users/{gone.id}", json=body)


async def _hold(ctx: Ctx) -> str:
    talk = await ctx.request("POST", "/api/conversations", json={"title": "Held"})
    body = {"scope": "conversation", "target_id": talk.json()["id"], "reason": "Dispute 12"}
    made = await ctx.request("POST", "/api/legal-holds", json=body)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def _hold_place(ctx: Ctx) -> httpx.Response:
    body = {"scope": "user", "target_id": str(ctx.world.sales2.id), "reason": "Dispute 13"}
    return await ctx.request("POST", "/api/legal-holds", json=body)


async def _hold_release(ctx: Ctx) -> httpx.Response:
    return await ctx.request("DELETE", f"/api/legal-holds/{await _hold(ctx)}")


async def _export(ctx: Ctx, user_id: uuid.UUID, status: str = "running") -> str:
    """An export row (the job itself is tested in tests/api/lifecycle; none is started here)."""
    async with ctx.app.state.db.sessions() as session:
        export = DataExport(user_id=user_id, requested_by_id=ctx.world.admin.id, status=status)
        session.add(export)
        await session.flush()
        if status == "done":
            export.storage_key = f"exports/{user_id}/{export.id}.zip"
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr("README.txt", "matrix")
            await ctx.app.state.storage.put(export.storage_key, _once(buffer.getvalue()), "x/y")
            export.size = len(buffer.getvalue())
        await session.commit()
        return str(export.id)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _export_mine(method: str) -> Call:
    async def call(ctx: Ctx) -> httpx.Response:
        await _export(ctx, ctx.world.admin.id)
        return await ctx.request(method, "/api/me/export")

    return call


def _export_user(method: str) -> Call:
    async def call(ctx: Ctx) -> httpx.Response:
        await _export(ctx, ctx.world.sales.id)
        return await ctx.request(method, f"/api/users/{ctx.world.sales.id}/export")

    return call


async def _export_get(ctx: Ctx) -> httpx.Response:
    return await ctx.request("GET", f"/api/exports/{await _export(ctx, ctx.world.admin.id)}")


async def _export_download(ctx: Ctx) -> httpx.Response:
    export_id = await _export(ctx, ctx.world.admin.id, "done")
    return await ctx.request("GET", f"/api/exports/{export_id}/download")


ROLE = {"email": "new@example.com", "roles": [{"role": "viewer"}]}
FILE_ID = "{file_id}"


async def _inventory_hold(ctx: Ctx, client: str) -> httpx.Response:
    """A new proposal for `client`, held (a proposal is held once)."""
    made = await ctx.request("POST", "/api/proposals", json={**PROPOSAL, "client_name": client})
    assert made.status_code == 201, made.text
    return await ctx.request("POST", f"/api/proposals/{made.json()['id']}/holds")


async def _inventory_hold_id(ctx: Ctx, client: str) -> str:
    held = await _inventory_hold(ctx, client)
    assert held.status_code == 201, held.text
    return str(held.json()["holds"][0]["id"])


async def _inventory_renew(ctx: Ctx) -> httpx.Response:
    hold_id = await _inventory_hold_id(ctx, "Renewed Co")
    return await ctx.request("POST", f"/api/inventory/holds/{hold_id}/renew")


async def _inventory_release(ctx: Ctx) -> httpx.Response:
    hold_id = await _inventory_hold_id(ctx, "Released Co")
    return await ctx.request("DELETE", f"/api/inventory/holds/{hold_id}")


async def _render_progress(ctx: Ctx) -> httpx.Response:
    render_id = uuid.uuid4()
    made = await ctx.request(
        "POST", "/api/proposals", params={"render_id": str(render_id)}, json=PROPOSAL
    )
    assert made.status_code == 201, made.text
    return await ctx.request("GET", f"/api/proposal-renders/{render_id}")


EXPECTED: dict[tuple[str, str], Expect] = {
    ("GET", "/api/locations/{key}/availability"): Expect(
        200, get("/api/locations/uae21/availability", **{"from": "2026-01-01", "to": "2026-01-31"})
    ),
    ("GET", "/api/inventory/holds"): Expect(200, get("/api/inventory/holds")),
    ("POST", "/api/inventory/holds/{hold_id}/renew"): Expect(200, _inventory_renew),
    ("DELETE", "/api/inventory/holds/{hold_id}"): Expect(204, _inventory_release),
    ("GET", "/api/inventory/occupancy"): Expect(200, get("/api/inventory/occupancy")),
    ("GET", "/api/inventory/occupancy/export"): Expect(
        200, get("/api/inventory/occupancy/export", weeks="4"), XLSX
    ),
    ("POST", "/api/proposals/{proposal_id}/holds"): Expect(
        201, lambda ctx: _inventory_hold(ctx, "Held Co")
    ),
    ("GET", "/health/details"): Expect(200, get("/health/details")),
    ("GET", "/api/auth/me"): Expect(200, get("/api/auth/me")),
    ("POST", "/api/invites"): Expect(201, send("POST", "/api/invites", ROLE)),
    ("GET", "/api/invites"): Expect(200, get("/api/invites")),
    ("DELETE", "/api/invites/{invite_id}"): Expect(204, _invite_delete),
    ("POST", "/api/me/password"): Expect(204, _password),
    ("POST", "/api/me/api-keys"): Expect(
        201, send("POST", "/api/me/api-keys", {"name": "ci", "scopes": ["files:read"]})
    ),
    ("GET", "/api/me/api-keys"): Expect(200, get("/api/me/api-keys")),
    ("DELETE", "/api/me/api-keys/{key_id}"): Expect(204, _key_delete),
    ("GET", "/api/me/sessions"): Expect(200, get("/api/me/sessions")),
    ("GET", "/api/me/mfa"): Expect(200, get("/api/me/mfa")),
    ("GET", "/api/me/slack"): Expect(200, get("/api/me/slack")),
    ("POST", "/api/me/slack/link"): Expect(200, _slack_link),
    ("DELETE", "/api/me/slack"): Expect(204, _slack_unlink),
    ("POST", "/api/me/mfa/setup"): Expect(200, send("POST", "/api/me/mfa/setup")),
    ("POST", "/api/me/mfa/enable"): Expect(200, _mfa_enable),
    ("POST", "/api/me/mfa/disable"): Expect(204, _mfa_disable),
    ("DELETE", "/api/me/sessions/{session_id}"): Expect(204, _session_delete),
    ("DELETE", "/api/users/{user_id}/sessions"): Expect(
        204, lambda ctx: ctx.request("DELETE", f"/api/users/{ctx.world.sales.id}/sessions")
    ),
    ("GET", "/api/users"): Expect(200, get("/api/users")),
    ("GET", "/api/users/{user_id}"): Expect(
        200, lambda ctx: ctx.request("GET", f"/api/users/{ctx.world.sales.id}")
    ),
    ("PATCH", "/api/users/{user_id}"): Expect(200, _users_patch),
    ("DELETE", "/api/users/{user_id}"): Expect(200, _user_erase),
    ("GET", "/api/legal-holds"): Expect(200, get("/api/legal-holds")),
    ("POST", "/api/me/export"): Expect(202, _export_mine("POST")),
    ("GET", "/api/me/export"): Expect(202, _export_mine("GET")),
    ("GET", "/api/retention/policies"): Expect(200, get("/api/retention/policies")),
    ("PUT", "/api/retention/policies/{company_id}"): Expect(
        200,
        lambda ctx: ctx.request(
            "PUT",
            f"/api/retention/policies/{ctx.world.viola_id}",
            json={"purge_deleted_days": 60, "archive_idle_days": None},
        ),
    ),
    ("GET", "/api/retention/preview"): Expect(200, get("/api/retention/preview")),
    ("POST", "/api/users/{user_id}/export"): Expect(202, _export_user("POST")),
    ("GET", "/api/users/{user_id}/export"): Expect(202, _export_user("GET")),
    ("GET", "/api/me/exports"): Expect(200, get("/api/me/exports")),
    ("GET", "/api/exports/{export_id}"): Expect(200, _export_get),
    ("GET", "/api/exports/{export_id}/download"): Expect(200, _export_download, "application/zip"),
    ("POST", "/api/legal-holds"): Expect(201, _hold_place),
    ("DELETE", "/api/legal-holds/{hold_id}"): Expect(200, _hold_release),
    ("GET", "/api/audit"): Expect(200, get("/api/audit")),
    ("POST", "/api/files"): Expect(201, _file_upload),
    ("GET", "/api/files"): Expect(200, get("/api/files")),
    ("GET", "/api/files/{file_id}"): Expect(200, get("/api/files/{file_id}")),
    ("GET", "/api/files/{file_id}/content"): Expect(
        200, get("/api/files/{file_id}/content"), "text/csv"
    ),
    ("DELETE", "/api/files/{file_id}"): Expect(204, _file_delete),
    ("GET", "/api/locations"): Expect(200, get("/api/locations")),
    ("POST", "/api/locations"): Expect(
        201,
        send("POST", "/api/locations", {**CATALOGUE[3], "key": "uae99", "display_name": "UAE99"}),
    ),
    ("GET", "/api/locations/match"): Expect(200, get("/api/locations/match", q="gateway")),
    ("GET", "/api/locations/export"): Expect(
        200, get("/api/locations/export", format="xlsx"), XLSX
    ),
    ("POST", "/api/locations/import"): Expect(200, _location_import),
    ("GET", "/api/locations/{key}"): Expect(200, get("/api/locations/uae21")),
    ("PATCH", "/api/locations/{key}"): Expect(
        200, send("PATCH", "/api/locations/uae21", {"series": "The Highway Series"})
    ),
    ("DELETE", "/api/locations/{key}"): Expect(204, _location_delete),
    ("PUT", "/api/locations/{key}/template"): Expect(
        200, send("PUT", "/api/locations/uae21/template", {"file_id": None})
    ),
    ("PUT", "/api/locations/{key}/photo"): Expect(
        200, send("PUT", "/api/locations/uae21/photo", {"file_id": None})
    ),
    ("POST", "/api/proposals"): Expect(201, send("POST", "/api/proposals", PROPOSAL)),
    ("POST", "/api/proposals/preview"): Expect(
        200, send("POST", "/api/proposals/preview", PROPOSAL)
    ),
    ("GET", "/api/proposals"): Expect(200, get("/api/proposals")),
    ("GET", "/api/proposal-renders/{render_id}"): Expect(200, _render_progress),
    ("GET", "/api/proposals/export"): Expect(200, get("/api/proposals/export"), XLSX),
    ("GET", "/api/proposals/{proposal_id}"): Expect(200, get("/api/proposals/{proposal_id}")),
    ("POST", "/api/proposals/{proposal_id}/duplicate"): Expect(
        201, send("POST", "/api/proposals/{proposal_id}/duplicate")
    ),
    ("GET", "/api/settings/currency-rates"): Expect(200, get("/api/settings/currency-rates")),
    ("GET", "/api/settings/mfa-roles"): Expect(200, get("/api/settings/mfa-roles")),
    # A role the admin does not hold, so the matrix's own sign-in is not sent to enrol.
    ("PUT", "/api/settings/mfa-roles"): Expect(
        200, send("PUT", "/api/settings/mfa-roles", {"required_roles": ["finance"]})
    ),
    ("PUT", "/api/settings/currency-rates"): Expect(
        200, send("PUT", "/api/settings/currency-rates", {"rates": {"USD": "3.6725"}})
    ),
    ("POST", "/api/mockups/photos"): Expect(201, _photo_upload),
    ("GET", "/api/mockups/photos"): Expect(200, get("/api/mockups/photos")),
    ("GET", "/api/mockups/photos/{photo_id}"): Expect(200, get("/api/mockups/photos/{photo_id}")),
    ("GET", "/api/mockups/photos/{photo_id}/image"): Expect(
        200, get("/api/mockups/photos/{photo_id}/image"), "image/"
    ),
    ("PUT", "/api/mockups/photos/{photo_id}/frames"): Expect(
        200,
        send(
            "PUT",
            "/api/mockups/photos/{photo_id}/frames",
            {"frames": [{"points": FRAME, "settings": {}}]},
        ),
    ),
    ("POST", "/api/mockups/photos/{photo_id}/detect-green"): Expect(
        200, send("POST", "/api/mockups/photos/{photo_id}/detect-green")
    ),
    ("POST", "/api/mockups/preview"): Expect(
        200,
        lambda ctx: ctx.request("POST", "/api/mockups/preview", json={"photo_id": ctx.photo_id}),
        "image/",
    ),
    ("DELETE", "/api/mockups/photos/{photo_id}"): Expect(204, _photo_delete),
    ("POST", "/api/mockups"): Expect(201, _mockup_create),
    ("GET", "/api/mockups"): Expect(200, get("/api/mockups")),
    ("GET", "/api/mockups/{mockup_id}"): Expect(200, _mockup_get),
    ("POST", "/api/booking-orders"): Expect(201, _bo_intake),
    ("GET", "/api/booking-orders"): Expect(200, get("/api/booking-orders")),
    ("GET", "/api/booking-orders/export"): Expect(200, get("/api/booking-orders/export"), XLSX),
    ("GET", "/api/booking-orders/companies/{code}/documents"): Expect(
        200, get("/api/booking-orders/companies/viola/documents")
    ),
    ("PUT", "/api/booking-orders/companies/{code}/template"): Expect(200, _company_template),
    ("PUT", "/api/booking-orders/companies/{code}/stamp"): Expect(200, _company_stamp),
    ("GET", "/api/booking-orders/{bo_id}"): Expect(200, get("/api/booking-orders/{bo_id}")),
    ("PATCH", "/api/booking-orders/{bo_id}"): Expect(200, _bo_edit),
    ("POST", "/api/booking-orders/{bo_id}/submit"): Expect(200, _bo_action("submit", ())),
    # Admin holds booking_orders:edit, but the workflow names who decides at each stage (the
    # company's coordinator, then its head of sales): past the permission check, the admin is
    # refused by the workflow, not by the matrix.
    ("POST", "/api/booking-orders/{bo_id}/approve"): Expect(
        403, _bo_action("approve", ("submit",)), error_code="transition_denied"
    ),
    ("POST", "/api/booking-orders/{bo_id}/reject"): Expect(
        403, _bo_action("reject", ("submit",), reason="Wrong SLA"), error_code="transition_denied"
    ),
    ("POST", "/api/booking-orders/{bo_id}/cancel"): Expect(
        200, _bo_action("cancel", (), reason="Campaign dropped")
    ),
    ("POST", "/api/booking-orders/{bo_id}/revise"): Expect(
        201, _bo_action("revise", ("submit", "approve", "approve"))
    ),
    ("POST", "/api/booking-orders/{bo_id}/book"): Expect(
        200, _bo_action("book", ("submit", "approve", "approve"), po_number="PO-12345")
    ),
    ("POST", "/api/booking-orders/{bo_id}/invoice"): Expect(200, _bo_invoice),
    ("POST", "/api/booking-orders/{bo_id}/acknowledge-totals"): Expect(200, _bo_acknowledge),
    ("POST", "/api/booking-orders/{bo_id}/documents"): Expect(200, _bo_documents),
    ("GET", "/api/booking-orders/{bo_id}/events"): Expect(
        200, get("/api/booking-orders/{bo_id}/events")
    ),
    ("GET", "/api/booking-orders/{bo_id}/preview"): Expect(
        200, get("/api/booking-orders/{bo_id}/preview"), "application/pdf"
    ),
    ("GET", "/api/notifications"): Expect(200, get("/api/notifications")),
    ("GET", "/api/notifications/unread-count"): Expect(200, get("/api/notifications/unread-count")),
    ("POST", "/api/notifications/read-all"): Expect(
        200, send("POST", "/api/notifications/read-all")
    ),
    ("POST", "/api/notifications/{notification_id}/read"): Expect(
        200, send("POST", "/api/notifications/{notification_id}/read")
    ),
    ("GET", "/api/conversations"): Expect(200, get("/api/conversations")),
    ("POST", "/api/conversations"): Expect(
        201, send("POST", "/api/conversations", {"title": "Another"})
    ),
    ("GET", "/api/conversations/search"): Expect(200, get("/api/conversations/search", q="x")),
    ("GET", "/api/conversations/{conversation_id}"): Expect(
        200, get("/api/conversations/{conversation_id}")
    ),
    ("PATCH", "/api/conversations/{conversation_id}"): Expect(
        200, send("PATCH", "/api/conversations/{conversation_id}", {"pinned": True})
    ),
    ("DELETE", "/api/conversations/{conversation_id}"): Expect(204, _conversation_delete),
    ("GET", "/api/conversations/{conversation_id}/messages"): Expect(
        200, get("/api/conversations/{conversation_id}/messages")
    ),
    ("GET", "/api/conversations/{conversation_id}/export"): Expect(
        200, get("/api/conversations/{conversation_id}/export", format="md"), "text/markdown"
    ),
    # A stream of server-sent events, read to its end (the offline model answers at once).
    ("POST", "/api/chat"): Expect(
        200, send("POST", "/api/chat", {"message": "hello"}), "text/event-stream"
    ),
    # The run's events replayed after it finished.
    ("GET", "/api/chat/runs/{run_id}/events"): Expect(200, _run_events, "text/event-stream"),
    ("GET", "/api/costs"): Expect(200, get("/api/costs")),
    ("GET", "/api/meta"): Expect(200, get("/api/meta")),
    ("GET", "/api/home"): Expect(200, get("/api/home")),
}

from tests.api.auth.admin_calls_sharing import SHARING_EXPECTED  # noqa: E402

EXPECTED |= SHARING_EXPECTED
