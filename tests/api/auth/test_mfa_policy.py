"""Roles an admin marks as needing two-step sign-in: stored, audited, enforced at sign-in."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyotp
from fastapi import FastAPI

from salesbot.users.roles import Role
from tests.api.auth.conftest import Seeded, seed_accounts
from tests.conftest import Stack, make_settings
from tests.support.auth import bearer, login

URL = "/api/settings/mfa-roles"
ROLES = [r.value for r in Role]


async def _signed_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await login(client, email)
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_an_admin_marks_a_role_and_its_holders_must_set_it_up(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    admin = bearer(app, seeded.admin.id)
    first = await client.get(URL, headers=admin)
    assert first.status_code == 200, first.text
    # The test settings require it of nobody: that is the initial default.
    assert first.json() == {
        "required_roles": [],
        "source": "default",
        "updated_at": None,
        "roles": ROLES,
    }
    marked = await client.put(URL, json={"required_roles": ["sales_person"]}, headers=admin)
    assert marked.status_code == 200, marked.text
    assert marked.json()["required_roles"] == ["sales_person"]
    assert marked.json()["source"] == "admin"
    assert (await client.get(URL, headers=admin)).json()["required_roles"] == ["sales_person"]
    events = await client.get("/api/audit", params={"action": "mfa_policy_changed"}, headers=admin)
    [event] = events.json()["items"]
    assert event["actor_id"] == str(seeded.admin.id)
    assert event["details"] == {"before": [], "after": ["sales_person"]}

    # A salesperson without an authenticator signs in and is sent to set one up.
    sales = await _signed_in(client, "sales@example.com")
    me = await client.get("/api/auth/me", headers=sales)
    assert me.json()["mfa_enrolment_required"] is True
    refused = await client.get("/api/proposals", headers=sales)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "mfa_enrolment_required"
    # Other roles are not asked.
    viewer = await _signed_in(client, "viewer@example.com")
    assert (await client.get("/api/auth/me", headers=viewer)).json()[
        "mfa_enrolment_required"
    ] is False
    # Once set up, the same sign-in works everywhere its role allows.
    setup = await client.post("/api/me/mfa/setup", headers=sales)
    code = pyotp.TOTP(setup.json()["secret"]).now()
    assert (
        await client.post("/api/me/mfa/enable", json={"code": code}, headers=sales)
    ).status_code == 200
    assert (await client.get("/api/proposals", headers=sales)).status_code == 200


async def test_unmarking_a_role_lifts_the_requirement_at_the_next_sign_in(
    stack: Stack, tmp_path: Path
) -> None:
    from salesbot.app import create_app

    # The setting names admin: that is the marking until an admin decides otherwise.
    app = create_app(make_settings(stack, tmp_path / "m", mfa_required_roles="admin"))
    async with app.router.lifespan_context(app):
        seeded = await seed_accounts(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            admin = bearer(app, seeded.admin.id)
            first = (await client.get(URL, headers=admin)).json()
            assert (first["required_roles"], first["source"]) == (["admin"], "default")
            pending = await _signed_in(client, "admin@example.com")
            assert (await client.get("/api/users", headers=pending)).status_code == 403
            cleared = await client.put(URL, json={"required_roles": []}, headers=admin)
            assert cleared.json()["required_roles"] == [] and cleared.json()["source"] == "admin"
            again = await _signed_in(client, "admin@example.com")
            assert (await client.get("/api/users", headers=again)).status_code == 200


async def test_an_unknown_role_is_refused_with_the_roles_there_are(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    admin = bearer(app, seeded.admin.id)
    refused = await client.put(URL, json={"required_roles": ["emperor"]}, headers=admin)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["details"][0]["allowed"] == ROLES
    assert "'sales_person'" in error["message"]
    assert (await client.get(URL, headers=admin)).json()["source"] == "default"  # no write
    schema = app.openapi()["components"]["schemas"]
    assert schema["Role"]["enum"] == ROLES
    assert schema["MfaRolesIn"]["properties"]["required_roles"]["items"] == {
        "$ref": "#/components/schemas/Role"
    }
    assert schema["RoleIn"]["properties"]["role"] == {"$ref": "#/components/schemas/Role"}


async def test_only_admins_see_or_change_the_marking(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    sales = bearer(app, seeded.sales.id)
    assert (await client.get(URL, headers=sales)).status_code == 403
    assert (await client.put(URL, json={"required_roles": []}, headers=sales)).status_code == 403
    assert (await client.get(URL)).status_code == 401
