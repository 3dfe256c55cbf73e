"""Invites (expiry, revocation, single use) and API keys (scope, expiry, revocation)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from salesbot.users.models import ApiKey, Invite
from tests.api.auth.conftest import Seeded
from tests.support.auth import bearer, login

NEW_PASSWORD = "brand-new-password-1"


async def _invite(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded, email: str
) -> dict[str, Any]:
    response = await client.post(
        "/api/invites",
        json={"email": email, "roles": [{"role": "hos", "company": "backlite"}], "days": 3},
        headers=bearer(app, seeded.admin.id),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_invite_accept_creates_user_once(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    invite = await _invite(app, client, seeded, "Hana@Example.com")
    assert invite["link"].endswith(invite["token"])
    listed = await client.get("/api/invites", headers=bearer(app, seeded.admin.id))
    assert "token" not in listed.json()[0] and listed.json()[0]["status"] == "pending"
    accept = {"token": invite["token"], "name": "Hana", "password": NEW_PASSWORD}
    created = await client.post("/api/invites/accept", json=accept)
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "hana@example.com"
    me = await client.get(
        "/api/auth/me",
        headers={
            "Authorization": "Bearer "
            + (await login(client, "hana@example.com", NEW_PASSWORD)).json()["access_token"]
        },
    )
    assert me.json()["roles"] == [{"role": "hos", "company": "backlite"}]
    again = await client.post("/api/invites/accept", json=accept)
    assert again.status_code == 404
    assert invite["token"] not in again.text


async def test_revoked_and_expired_invites_fail(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    revoked = await _invite(app, client, seeded, "r@example.com")
    gone = await client.delete(
        f"/api/invites/{revoked['id']}", headers=bearer(app, seeded.admin.id)
    )
    assert gone.status_code == 204
    expired = await _invite(app, client, seeded, "e@example.com")
    async with app.state.db.sessions() as session:
        await session.execute(
            update(Invite)
            .where(Invite.email == "e@example.com")
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        await session.commit()
    bodies = []
    for token in (revoked["token"], expired["token"], "inv_made-up"):
        response = await client.post(
            "/api/invites/accept", json={"token": token, "name": "X", "password": NEW_PASSWORD}
        )
        assert response.status_code == 404
        bodies.append(response.json())
    assert bodies[0] == bodies[1] == bodies[2]


async def test_invite_validation_never_echoes(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    admin = bearer(app, seeded.admin.id)
    for body in (
        {"email": "<script>not-an-email", "roles": [{"role": "viewer"}]},
        {"email": "ok@example.com", "roles": [{"role": "<b>emperor</b>"}]},
        {"email": "ok@example.com", "roles": [{"role": "hos"}]},
        {"email": "ok@example.com", "roles": [{"role": "viewer"}], "days": 31},
    ):
        response = await client.post("/api/invites", json=body, headers=admin)
        assert response.status_code == 422, response.text
        assert "<script>" not in response.text and "emperor" not in response.text
    dup = await client.post(
        "/api/invites",
        json={"email": "sales@example.com", "roles": [{"role": "viewer"}]},
        headers=admin,
    )
    assert dup.status_code == 409


async def test_api_key_scope_expiry_revocation(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    admin = bearer(app, seeded.admin.id)
    made = await client.post(
        "/api/me/api-keys",
        json={"name": "reporting", "scopes": ["audit:read"], "days": 30},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    assert key.startswith(made.json()["prefix"])
    listed = (await client.get("/api/me/api-keys", headers=admin)).json()
    assert "key" not in listed[0] and listed[0]["last_used_at"] is None
    assert (await client.get("/api/audit", headers={"X-API-Key": key})).status_code == 200
    # Outside its scope even though the owner is an admin.
    assert (await client.get("/api/users", headers={"X-API-Key": key})).status_code == 403
    # API-key requests need no CSRF token.
    assert (
        await client.post(
            "/api/me/api-keys",
            json={"name": "x", "scopes": ["audit:read"]},
            headers={"X-API-Key": key},
        )
    ).status_code == 403  # account:self is not in the key's scope
    used = (await client.get("/api/me/api-keys", headers=admin)).json()
    assert used[0]["last_used_at"] is not None
    revoke = await client.delete(f"/api/me/api-keys/{made.json()['id']}", headers=admin)
    assert revoke.status_code == 204
    assert (await client.get("/api/audit", headers={"X-API-Key": key})).status_code == 401

    second = (
        await client.post(
            "/api/me/api-keys", json={"name": "short", "scopes": ["audit:read"]}, headers=admin
        )
    ).json()
    async with app.state.db.sessions() as session:
        await session.execute(
            update(ApiKey)
            .where(ApiKey.name == "short")
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await session.commit()
    assert (await client.get("/api/audit", headers={"X-API-Key": second["key"]})).status_code == 401


async def test_api_key_cannot_exceed_owner(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        "/api/me/api-keys",
        json={"name": "sneaky", "scopes": ["users:manage"]},
        headers=bearer(app, seeded.sales.id),
    )
    assert response.status_code == 422


async def test_role_change_is_audited(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    admin = bearer(app, seeded.admin.id)
    response = await client.patch(
        f"/api/users/{seeded.viewer.id}",
        json={"roles": [{"role": "finance", "company": "backlite"}]},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert response.json()["roles"] == [{"role": "finance", "company": "backlite"}]
    events = (
        await client.get("/api/audit", params={"action": "roles_changed"}, headers=admin)
    ).json()["items"]
    assert events[0]["details"] == {"before": ["viewer"], "after": ["finance@backlite"]}
    details = await client.get("/health/details", headers=admin)
    assert details.status_code == 200 and details.json()["components"]["database"] == "ok"


async def test_invite_link_uses_the_request_origin_when_no_public_url_is_set(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    assert app.state.settings.public_url is None
    served = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sales.local:8091"
    )
    async with served:
        response = await served.post(
            "/api/invites",
            json={"email": "origin@example.com", "roles": [{"role": "viewer"}]},
            headers=bearer(app, seeded.admin.id),
        )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["link"] == f"http://sales.local:8091/invite#token={created['token']}"


async def test_invite_link_uses_the_configured_public_url(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    app.state.settings.public_url = "https://sales.example.com"
    invite = await _invite(app, client, seeded, "configured@example.com")
    assert invite["link"] == f"https://sales.example.com/invite#token={invite['token']}"


async def test_a_hostile_host_header_never_reaches_the_link(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.post(
        "/api/invites",
        json={"email": "host@example.com", "roles": [{"role": "viewer"}]},
        headers={**bearer(app, seeded.admin.id), "Host": "evil.example/phish?x="},
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["link"] == f"/invite#token={created['token']}"


async def test_the_same_role_twice_is_refused(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    twice = [{"role": "hos", "company": "backlite"}, {"role": "hos", "company": "backlite"}]
    response = await client.post(
        "/api/invites",
        json={"email": "twice@example.com", "roles": twice},
        headers=bearer(app, seeded.admin.id),
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == (
        "Head of sales at backlite is listed twice; give each role once."
    )
    listed = await client.get("/api/invites", headers=bearer(app, seeded.admin.id))
    assert listed.json() == []
