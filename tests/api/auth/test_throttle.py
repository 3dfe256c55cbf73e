"""Sign-in throttling counts failures only and cannot be turned into a lock-out: an office behind
one address keeps working, and the owner's own browser gets past a per-e-mail lock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from salesbot.kit.client_ip import parse_networks
from tests.api.auth.conftest import Seeded, seed_accounts
from tests.conftest import Stack, make_settings
from tests.support.auth import bearer, login


@asynccontextmanager
async def _from(app: FastAPI, ip: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests come from `ip` (through a trusted proxy on loopback)."""
    app.state.trusted_networks = parse_networks(["127.0.0.0/8"])
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers={"X-Forwarded-For": ip}
    ) as client:
        yield client


def _device_cookie(response: httpx.Response) -> str:
    found = next(c for c in response.headers.get_list("set-cookie") if "salesbot_device=" in c)
    assert "HttpOnly" in found and "Path=/api/auth" in found
    return found.split(";", 1)[0]


async def test_an_office_behind_one_address_keeps_signing_in(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    # Colleagues mistype (one failure each, different accounts), others sign in many times.
    for n in range(6):
        assert (await login(client, f"colleague{n}@example.com", "typo")).status_code == 401
    for _ in range(7):  # successful sign-ins never count
        assert (await login(client, "sales@example.com")).status_code == 200
    assert (await login(client, "viewer@example.com")).status_code == 200


async def test_failures_from_one_address_hit_its_higher_ceiling(
    stack: Stack, tmp_path: Path
) -> None:
    from salesbot.app import create_app

    settings = make_settings(stack, tmp_path / "d", rate_limit_login_ip="8/minute")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await seed_accounts(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            for n in range(8):
                assert (await login(client, f"guess{n}@example.com", "x")).status_code == 401
            limited = await login(client, "sales@example.com")
            assert limited.status_code == 429
            assert int(limited.headers["Retry-After"]) >= 1


async def test_a_known_device_signs_in_past_the_per_email_limit(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    async with _from(app, "198.51.100.7") as office:
        earlier = await login(office, "sales@example.com")
        assert earlier.status_code == 200
        device = _device_cookie(earlier)
        other_account = _device_cookie(await login(office, "viewer@example.com"))
    for n in range(5):  # a stranger locks the account from many addresses
        async with _from(app, f"203.0.113.{n}") as stranger:
            assert (await login(stranger, "sales@example.com", "guess")).status_code == 401
    async with _from(app, "192.0.2.50") as new_place:
        assert (await login(new_place, "sales@example.com")).status_code == 429
        wrong_device = await login(
            new_place, "sales@example.com", headers={"Cookie": other_account}
        )
        assert wrong_device.status_code == 429
        forged = await login(
            new_place, "sales@example.com", headers={"Cookie": "salesbot_device=eyJhbGciOi.x.y"}
        )
        assert forged.status_code == 429
        owner = await login(new_place, "sales@example.com", headers={"Cookie": device})
        assert owner.status_code == 200, owner.text
        # The device still needs the password, and its own failures are limited per address.
        for _ in range(5):
            bad = await login(new_place, "sales@example.com", "guess", headers={"Cookie": device})
            assert bad.status_code == 401
        again = await login(new_place, "sales@example.com", headers={"Cookie": device})
        assert again.status_code == 429


async def test_refusals_are_audited_once_a_minute_per_client_and_route(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    viewer = bearer(app, seeded.viewer.id)
    for _ in range(3):
        assert (await client.get("/api/users", headers=viewer)).status_code == 403
    for _ in range(5):
        await login(client, "sales@example.com", "guess")
    for _ in range(2):
        assert (await login(client, "sales@example.com")).status_code == 429
    admin = bearer(app, seeded.admin.id)
    forbidden = await client.get("/api/audit", params={"action": "forbidden"}, headers=admin)
    [event] = forbidden.json()["items"]
    assert event["actor_id"] == str(seeded.viewer.id)
    assert event["details"] == {"code": "forbidden", "method": "GET", "path": "/api/users"}
    assert event["ip"] == "127.0.0.1"
    limited = await client.get("/api/audit", params={"action": "rate_limited"}, headers=admin)
    [hit] = limited.json()["items"]
    assert hit["details"]["email"] == "sales@example.com"
    assert hit["details"]["path"] == "/api/auth/login"
