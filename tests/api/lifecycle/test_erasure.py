"""Erasure: a person's own data goes (rows and objects), business records keep a pseudonym."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import ColumnElement, func, select

from salesbot.booking_orders.models import BookingOrderEvent, BookingOrderRow
from salesbot.conversations.models import Conversation, Message
from salesbot.files.models import FileRecord
from salesbot.kit.db import utcnow
from salesbot.mockups.models import Mockup
from salesbot.notifications.models import Notification
from salesbot.proposals.models import Proposal
from salesbot.users import service as users
from salesbot.users.models import ApiKey, AuditEvent, User
from salesbot.users.permissions import ROLE_PERMISSIONS
from salesbot.users.roles import Role
from tests.api.lifecycle.support import (
    Person,
    add_business_records,
    add_personal_data,
    make_user,
)
from tests.support.auth import bearer, login

REASON = {"reason": "Right to erasure request #42"}


async def _erase(
    client: httpx.AsyncClient, app: FastAPI, admin: Person, target: uuid.UUID, body: object = None
) -> httpx.Response:
    return await client.request(
        "DELETE",
        f"/api/users/{target}",
        json=REASON if body is None else body,
        headers=bearer(app, admin.id),
    )


async def _count(app: FastAPI, model: type, *where: ColumnElement[bool]) -> int:
    async with app.state.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _api_key(app: FastAPI, person: Person) -> str:
    async with app.state.db.sessions() as session:
        _, key = await users.create_api_key(
            session,
            user_id=person.id,
            held=ROLE_PERMISSIONS[Role.sales_person],
            name="integration",
            scopes=["conversations:read"],
            days=30,
            now=utcnow(),
        )
        return key


async def test_erasure_removes_personal_data_and_keeps_business_records(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await make_user(app, "boss", Role.admin)
    victim = await make_user(app, "victim", Role.hos, company="backlite")
    other = await make_user(app, "other")
    await add_personal_data(app, victim)
    await add_personal_data(app, other)
    async with app.state.db.sessions() as session:
        company = await users.company_by_ref(session, "backlite")
    assert company is not None
    await add_business_records(app, victim, company.id)
    key = await _api_key(app, victim)
    assert (await login(client, victim.email)).status_code == 200
    victim_token = bearer(app, victim.id)
    storage = app.state.storage
    own_keys = [f.storage_key for f in victim.own_files]
    assert all([await storage.exists(k) for k in own_keys])

    response = await _erase(client, app, admin, victim.id)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conversations"] == 2 and body["messages"] == 5
    assert body["files_deleted"] == 2 and body["files_kept"] == 2
    assert body["mockups"] == 1 and body["notifications"] == 1
    # Personal rows and their objects are gone; the other person's are untouched.
    assert await _count(app, User, User.id == victim.id) == 0
    assert await _count(app, Conversation, Conversation.user_id == victim.id) == 0
    assert await _count(app, Message, Message.conversation_id.in_(victim.conversations)) == 0
    assert await _count(app, Mockup, Mockup.owner_id == victim.id) == 0
    assert await _count(app, Notification, Notification.user_id == victim.id) == 0
    assert await _count(app, ApiKey, ApiKey.user_id == victim.id) == 0
    assert not any([await storage.exists(k) for k in own_keys])
    gone_ids = [f.id for f in victim.own_files]
    assert await _count(app, FileRecord, FileRecord.id.in_(gone_ids)) == 0
    assert await _count(app, Conversation, Conversation.user_id == other.id) == 2
    assert all([await storage.exists(f.storage_key) for f in other.own_files])
    # Business records keep their figures and documents, under the pseudonym.
    pseudonym = body["pseudonym"]
    assert pseudonym.startswith("Erased user ") and victim.name not in pseudonym
    async with app.state.db.sessions() as session:
        bo = await session.get(BookingOrderRow, victim.bo_id)
        proposal = await session.get(Proposal, victim.proposal_id)
        events = (await session.scalars(select(BookingOrderEvent))).all()
        erased = await session.scalar(select(AuditEvent).where(AuditEvent.action == "user_erased"))
        kept = (
            await session.scalars(
                select(FileRecord).where(FileRecord.id.in_([f.id for f in victim.business_files]))
            )
        ).all()
    assert bo is not None and proposal is not None
    assert str(bo.gross) == "105000.00" and proposal.figures == {"total": "52500.00"}
    assert bo.hos_name == pseudonym and bo.data["sales_person"] == pseudonym
    assert bo.owner_id is None and proposal.owner_id is None
    assert [e.actor_name for e in events] == [pseudonym]
    assert len(kept) == 2 and all(f.owner_id is None for f in kept)
    assert all([await storage.exists(f.storage_key) for f in kept])
    assert erased is not None and erased.actor_id == admin.id
    assert erased.target_id == str(victim.id)
    assert erased.details["reason"] == REASON["reason"]
    assert erased.details["files_deleted"] == 2
    # Sessions and keys stop at once: the token, the API key and the password all fail.
    assert (await client.get("/api/auth/me", headers=victim_token)).status_code == 401
    assert (await client.get("/api/auth/me", headers={"X-API-Key": key})).status_code == 401
    assert (await login(client, victim.email)).status_code == 401


async def test_a_user_under_legal_hold_cannot_be_erased(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await make_user(app, "boss", Role.admin)
    victim = await make_user(app, "victim")
    await add_personal_data(app, victim)
    placed = await client.post(
        "/api/legal-holds",
        json={
            "scope": "conversation",
            "target_id": str(victim.conversations[0]),
            "reason": "Case 7",
        },
        headers=bearer(app, admin.id),
    )
    assert placed.status_code == 201, placed.text

    response = await _erase(client, app, admin, victim.id)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "legal_hold"
    assert await _count(app, Conversation, Conversation.user_id == victim.id) == 2
    assert all([await app.state.storage.exists(f.storage_key) for f in victim.own_files])
    released = await client.delete(
        f"/api/legal-holds/{placed.json()['id']}", headers=bearer(app, admin.id)
    )
    assert released.status_code == 200 and released.json()["released_at"] is not None
    assert (await _erase(client, app, admin, victim.id)).status_code == 200


async def test_a_hold_on_the_company_covers_its_people(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await make_user(app, "boss", Role.admin)
    victim = await make_user(app, "victim", Role.coordinator, company="backlite")
    async with app.state.db.sessions() as session:
        company = await users.company_by_ref(session, "backlite")
    assert company is not None
    placed = await client.post(
        "/api/legal-holds",
        json={"scope": "company", "target_id": str(company.id), "reason": "Audit 2026"},
        headers=bearer(app, admin.id),
    )
    assert placed.status_code == 201
    response = await _erase(client, app, admin, victim.id)
    assert response.status_code == 409
    assert await _count(app, User, User.id == victim.id) == 1


async def test_erasure_refusals(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = await make_user(app, "boss", Role.admin)
    other_admin = await make_user(app, "second", Role.admin)
    unknown = await _erase(client, app, admin, uuid.uuid4())
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    no_reason = await _erase(client, app, admin, other_admin.id, body={"reason": "  "})
    assert no_reason.status_code == 422
    missing = await client.delete(f"/api/users/{other_admin.id}", headers=bearer(app, admin.id))
    assert missing.status_code == 422
    own = await _erase(client, app, admin, admin.id)
    assert own.status_code == 422 and "own account" in own.json()["error"]["message"]
    assert (await _erase(client, app, admin, other_admin.id)).status_code == 200
    # Now the only admin left: erasing that account would leave nobody to run the product.
    last = await _erase(client, app, admin, admin.id)
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_admin"
    assert await _count(app, User, User.id == admin.id) == 1
