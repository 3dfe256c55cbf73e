"""Second factor: set-up with a QR code, sign-in asks for the code after the password, recovery
codes work once, a remembered browser skips the code, wrong codes are limited and audited."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pyotp
from fastapi import FastAPI

from salesbot.settings import Environment, Settings
from tests.api.auth.conftest import Seeded, seed_accounts
from tests.conftest import Stack, make_settings
from tests.support.auth import bearer, login


async def _enrol(app: FastAPI, client: httpx.AsyncClient, seeded: Seeded) -> tuple[str, list[str]]:
    me = bearer(app, seeded.sales.id)
    setup = await client.post("/api/me/mfa/setup", headers=me)
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/")
    assert body["qr_svg_data_uri"].startswith("data:image/svg+xml;base64,")
    secret = body["secret"]
    wrong = await client.post("/api/me/mfa/enable", json={"code": "000000"}, headers=me)
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "wrong_code"
    on = await client.post(
        "/api/me/mfa/enable", json={"code": pyotp.TOTP(secret).now()}, headers=me
    )
    assert on.status_code == 200, on.text
    codes = on.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    status = await client.get("/api/me/mfa", headers=me)
    assert status.json() == {"enabled": True, "recovery_codes_left": 10}
    return secret, codes


def _next_code(secret: str) -> str:
    """The app's next code (accepted: one step of clock drift), as the current one is spent."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30)


async def _password_step(client: httpx.AsyncClient, **kwargs: object) -> str:
    response = await login(client, "sales@example.com", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 401, response.text
    error = response.json()["error"]
    assert error["code"] == "mfa_required"
    assert "access_token" not in response.text
    token: str = error["details"]["mfa_token"]
    return token


async def test_sign_in_asks_for_the_code_after_the_password(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    secret, _ = await _enrol(app, client, seeded)
    token = await _password_step(client)
    wrong = await client.post("/api/auth/mfa", json={"mfa_token": token, "code": "123456"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "wrong_code"
    code = _next_code(secret)  # the enrolment used the current one
    done = await client.post("/api/auth/mfa", json={"mfa_token": token, "code": code})
    assert done.status_code == 200, done.text
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {done.json()['access_token']}"}
    )
    assert me.json()["email"] == "sales@example.com"
    # The same code cannot be used twice (someone watching the screen).
    again = await client.post(
        "/api/auth/mfa", json={"mfa_token": await _password_step(client), "code": code}
    )
    assert again.status_code == 401
    # A wrong password still says only that.
    assert (await login(client, "sales@example.com", "not-it")).json()["error"]["code"] == (
        "login_failed"
    )


async def test_recovery_codes_work_once_and_are_audited(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    _, codes = await _enrol(app, client, seeded)
    first = await client.post(
        "/api/auth/mfa", json={"mfa_token": await _password_step(client), "code": codes[0]}
    )
    assert first.status_code == 200
    reused = await client.post(
        "/api/auth/mfa", json={"mfa_token": await _password_step(client), "code": codes[0]}
    )
    assert reused.status_code == 401
    admin = bearer(app, seeded.admin.id)
    audit = await client.get("/api/audit", headers=admin)
    actions = [e["action"] for e in audit.json()["items"]]
    assert "mfa_recovery_code_used" in actions and "mfa_failed" in actions
    assert "mfa_enabled" in actions
    left = await client.get("/api/me/mfa", headers=bearer(app, seeded.sales.id))
    assert left.json()["recovery_codes_left"] == 9


async def test_a_remembered_browser_skips_the_code(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    secret, codes = await _enrol(app, client, seeded)
    done = await client.post(
        "/api/auth/mfa",
        json={
            "mfa_token": await _password_step(client),
            "code": _next_code(secret),
            "remember": True,
        },
    )
    cookie = next(
        c for c in done.headers.get_list("set-cookie") if c.startswith("salesbot_mfa_device=")
    )
    assert "HttpOnly" in cookie and "Max-Age=2592000" in cookie  # 30 days
    remembered = {"Cookie": cookie.split(";", 1)[0]}
    assert (await login(client, "sales@example.com", headers=remembered)).status_code == 200
    # Turning the factor off and on again forgets every remembered browser.
    me = bearer(app, seeded.sales.id)
    off = await client.post("/api/me/mfa/disable", json={"code": "000000"}, headers=me)
    assert off.status_code == 422
    off = await client.post("/api/me/mfa/disable", json={"code": codes[0]}, headers=me)
    assert off.status_code == 204
    assert (await login(client, "sales@example.com")).status_code == 200  # off: password only
    await _enrol(app, client, seeded)
    forgotten = await login(client, "sales@example.com", headers=remembered)
    assert forgotten.json()["error"]["code"] == "mfa_required"


async def test_wrong_codes_are_limited_and_api_keys_cannot_change_the_factor(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    secret, _ = await _enrol(app, client, seeded)
    token = await _password_step(client)
    # Wrong codes per account: one at enrolment, four here make the limit of five.
    for _ in range(4):
        bad = await client.post("/api/auth/mfa", json={"mfa_token": token, "code": "111111"})
        assert bad.status_code == 401
    right = _next_code(secret)
    limited = await client.post("/api/auth/mfa", json={"mfa_token": token, "code": right})
    assert limited.status_code == 429
    expired = await client.post("/api/auth/mfa", json={"mfa_token": "x.y.z", "code": right})
    assert expired.json()["error"]["code"] == "mfa_expired"
    key = await client.post(
        "/api/me/api-keys",
        json={"name": "tool", "scopes": ["account:self"]},
        headers=bearer(app, seeded.sales.id),
    )
    with_key = {"X-API-Key": key.json()["key"]}
    assert (
        await client.post("/api/me/mfa/disable", json={"code": right}, headers=with_key)
    ).status_code == 403
    # The key itself is untouched by the second factor.
    assert (await client.get("/api/auth/me", headers=with_key)).status_code == 200


async def test_a_role_that_needs_it_works_only_in_settings_until_it_is_set_up(
    stack: Stack, tmp_path: Path
) -> None:
    from salesbot.app import create_app

    app = create_app(make_settings(stack, tmp_path / "m", mfa_required_roles="admin"))
    async with app.router.lifespan_context(app):
        await seed_accounts(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            signed = await login(client, "admin@example.com")
            assert signed.status_code == 200, signed.text  # signed in, to set it up
            client.cookies.clear()
            admin = {"Authorization": f"Bearer {signed.json()['access_token']}"}
            refused = await client.get("/api/users", headers=admin)
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "mfa_enrolment_required"
            me = await client.get("/api/auth/me", headers=admin)
            assert me.json()["mfa_enrolment_required"] is True
            key = await client.post(
                "/api/me/api-keys", json={"name": "k", "scopes": ["users:manage"]}, headers=admin
            )
            assert key.status_code == 403  # no way round it with an API key
            # Roles without the requirement are not asked.
            sales = (await login(client, "sales@example.com")).json()["access_token"]
            client.cookies.clear()
            mine = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {sales}"})
            assert mine.json()["mfa_enrolment_required"] is False
            setup = await client.post("/api/me/mfa/setup", headers=admin)
            code = pyotp.TOTP(setup.json()["secret"]).now()
            on = await client.post("/api/me/mfa/enable", json={"code": code}, headers=admin)
            assert on.status_code == 200
            assert (await client.get("/api/users", headers=admin)).status_code == 200


def test_the_requirement_defaults_to_admin_and_finance_in_production_only(
    stack: Stack, tmp_path: Path
) -> None:
    assert make_settings(stack, tmp_path).mfa_roles == frozenset()
    production = Settings.model_construct(environment=Environment.production)
    assert production.mfa_roles == {"admin", "finance"}
    chosen = make_settings(stack, tmp_path, mfa_required_roles="hos, finance")
    assert chosen.mfa_roles == {"hos", "finance"}
