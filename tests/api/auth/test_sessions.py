"""Login, refresh rotation and reuse, logout, cookies with CSRF, rate limits, client IP."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from salesbot.kit.client_ip import parse_networks
from salesbot.kit.csrf import CSRF_COOKIE
from tests.api.auth.conftest import Seeded, seed_accounts
from tests.conftest import Stack, make_settings
from tests.support.auth import bearer, login


async def test_login_then_me(client: httpx.AsyncClient, seeded: Seeded) -> None:
    response = await login(client, "Sales@Example.com")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 15 * 60
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["email"] == "sales@example.com"
    assert "proposals:create" in me.json()["permissions"]
    assert me.json()["auth_method"] == "bearer"
    cookies = response.headers.get_list("set-cookie")
    access = next(c for c in cookies if c.startswith("salesbot_access="))
    assert "HttpOnly" in access and "SameSite=lax" in access and "Secure" in access
    csrf = next(c for c in cookies if c.startswith(f"{CSRF_COOKIE}="))
    assert "HttpOnly" not in csrf


async def test_failed_logins_are_generic(client: httpx.AsyncClient, seeded: Seeded) -> None:
    wrong = await login(client, "sales@example.com", "not-the-password")
    unknown = await login(client, "nobody-here@example.com", "whatever-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "nobody-here" not in unknown.text


async def test_refresh_rotates_and_reuse_revokes_family(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    first = (await login(client, "sales@example.com")).json()["refresh_token"]
    rotated = await client.post("/api/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["refresh_token"]
    assert second != first
    reuse = await client.post("/api/auth/refresh", json={"refresh_token": first})
    assert reuse.status_code == 401
    # The thief's replay also ends the legitimate holder's chain.
    after = await client.post("/api/auth/refresh", json={"refresh_token": second})
    assert after.status_code == 401


async def test_logout_revokes_refresh(client: httpx.AsyncClient, seeded: Seeded) -> None:
    token = (await login(client, "sales@example.com")).json()["refresh_token"]
    assert (await client.post("/api/auth/logout", json={"refresh_token": token})).status_code == 204
    assert (
        await client.post("/api/auth/refresh", json={"refresh_token": token})
    ).status_code == 401


async def test_cookie_auth_needs_csrf_for_unsafe_methods(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    body = (await login(client, "admin@example.com")).json()
    client.cookies.clear()  # the test server is plain http; send the cookies by hand
    cookie = f"salesbot_access={body['access_token']}; {CSRF_COOKIE}={body['csrf_token']}"
    assert (await client.get("/api/users", headers={"Cookie": cookie})).status_code == 200
    invite = {"email": "new.person@example.com", "roles": [{"role": "viewer"}]}
    refused = await client.post("/api/invites", json=invite, headers={"Cookie": cookie})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    wrong = await client.post(
        "/api/invites", json=invite, headers={"Cookie": cookie, "X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403
    ok = await client.post(
        "/api/invites",
        json=invite,
        headers={"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]},
    )
    assert ok.status_code == 201, ok.text


async def test_refresh_by_cookie_needs_csrf(client: httpx.AsyncClient, seeded: Seeded) -> None:
    body = (await login(client, "sales@example.com")).json()
    client.cookies.clear()
    cookie = f"salesbot_refresh={body['refresh_token']}; {CSRF_COOKIE}={body['csrf_token']}"
    refused = await client.post("/api/auth/refresh", headers={"Cookie": cookie})
    assert refused.status_code == 403
    ok = await client.post(
        "/api/auth/refresh", headers={"Cookie": cookie, "X-CSRF-Token": body["csrf_token"]}
    )
    assert ok.status_code == 200


async def test_login_rate_limited_per_email_across_ips(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    app.state.trusted_networks = parse_networks(["127.0.0.0/8"])
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as proxied:
        for n in range(5):
            response = await login(
                proxied,
                "sales@example.com",
                "wrong-password",
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            )
            assert response.status_code == 401
        limited = await login(
            proxied, "sales@example.com", headers={"X-Forwarded-For": "198.51.100.99"}
        )
        assert limited.status_code == 429
        other = await login(
            proxied, "admin@example.com", headers={"X-Forwarded-For": "198.51.100.100"}
        )
        assert other.status_code == 200


async def test_audit_records_logins(app: FastAPI, client: httpx.AsyncClient, seeded: Seeded):
    await login(client, "sales@example.com", "wrong-password-1")
    token = (await login(client, "admin@example.com")).json()["access_token"]
    response = await client.get(
        "/api/audit", params={"limit": 1}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    page = response.json()
    assert [e["action"] for e in page["items"]] == ["login"]
    assert page["has_more"] is True
    nxt = await client.get(
        "/api/audit",
        params={"cursor": page["next_cursor"], "action": "login_failed"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert [e["action"] for e in nxt.json()["items"]] == ["login_failed"]


async def test_dev_login_only_when_enabled_in_development(
    stack: Stack, tmp_path: Path, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    from salesbot.app import create_app

    # The default test app (environment=test) has no dev-login route at all.
    off = await client.post("/api/auth/dev-login", json={"email": "sales@example.com"})
    assert off.status_code == 404
    settings = make_settings(stack, tmp_path / "dev", environment="development", dev_login=True)
    dev_app = create_app(settings)
    async with dev_app.router.lifespan_context(dev_app):
        await seed_accounts(dev_app)
        transport = httpx.ASGITransport(app=dev_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as dev:
            response = await dev.post("/api/auth/dev-login", json={"email": "sales@example.com"})
            assert response.status_code == 200, response.text
            cookie = next(
                c for c in response.headers.get_list("set-cookie") if "salesbot_access=" in c
            )
            assert "Secure" not in cookie  # plain http on a laptop
            unknown = await dev.post("/api/auth/dev-login", json={"email": "x@example.com"})
            assert unknown.status_code == 401


async def test_audit_ip_is_the_client_behind_a_trusted_proxy_and_the_peer_otherwise(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    # The test peer (127.0.0.1) is no trusted proxy: its X-Forwarded-For is a lie to ignore.
    spoof = {"X-Forwarded-For": "203.0.113.7"}
    assert (
        await login(client, "sales@example.com", "wrong-pass", headers=spoof)
    ).status_code == 401
    app.state.trusted_networks = parse_networks(["10.0.0.0/8"])
    transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as proxied:
        forwarded = {"X-Forwarded-For": "198.51.100.20"}
        assert (await login(proxied, "sales@example.com", headers=forwarded)).status_code == 200
    response = await client.get("/api/audit", headers=bearer(app, seeded.admin.id))
    assert response.status_code == 200, response.text
    ips = {e["action"]: e["ip"] for e in response.json()["items"]}
    assert ips["login_failed"] == "127.0.0.1"
    assert ips["login"] == "198.51.100.20"
