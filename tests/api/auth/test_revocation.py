"""Access tokens die with their session: logout, password change, deactivation, role change,
refresh-token reuse and signing a device out all take effect on the next request."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from tests.api.auth.conftest import Seeded
from tests.conftest import Stack, make_settings
from tests.support.auth import bearer, login

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


async def _signed_in(client: httpx.AsyncClient, email: str, agent: str = FIREFOX) -> dict[str, str]:
    response = await login(client, email, headers={"User-Agent": agent})
    assert response.status_code == 200, response.text
    client.cookies.clear()  # each call below says which credentials it uses
    body: dict[str, str] = response.json()
    return body


def _auth(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _me(client: httpx.AsyncClient, tokens: dict[str, str]) -> httpx.Response:
    return await client.get("/api/auth/me", headers=_auth(tokens))


async def test_logout_ends_the_access_token_at_once(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    tokens = await _signed_in(client, "sales@example.com")
    assert (await _me(client, tokens)).status_code == 200
    out = await client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert out.status_code == 204
    after = await _me(client, tokens)
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "session_revoked"


async def test_logout_with_only_the_access_token_ends_it(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    tokens = await _signed_in(client, "sales@example.com")
    assert (await client.post("/api/auth/logout", headers=_auth(tokens))).status_code == 204
    assert (await _me(client, tokens)).status_code == 401
    refresh = await client.post(
        "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status_code == 401


async def test_password_change_ends_every_session_at_once(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    laptop = await _signed_in(client, "sales@example.com")
    phone = await _signed_in(client, "sales@example.com", IPHONE)
    body = {"current_password": "correct-horse-battery", "new_password": "a-brand-new-passphrase"}
    changed = await client.post("/api/me/password", json=body, headers=_auth(laptop))
    assert changed.status_code == 204, changed.text
    assert (await _me(client, laptop)).status_code == 401
    assert (await _me(client, phone)).status_code == 401


async def test_role_change_ends_the_users_sessions(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    tokens = await _signed_in(client, "sales@example.com")
    admin = bearer(app, seeded.admin.id)
    changed = await client.patch(
        f"/api/users/{seeded.sales.id}", json={"roles": [{"role": "viewer"}]}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert (await _me(client, tokens)).status_code == 401
    # A rename is no reason to sign anyone out.
    other = await _signed_in(client, "viewer@example.com")
    renamed = await client.patch(
        f"/api/users/{seeded.viewer.id}", json={"name": "Vera"}, headers=admin
    )
    assert renamed.status_code == 200
    assert (await _me(client, other)).status_code == 200


async def test_deactivated_then_reactivated_user_does_not_get_old_sessions_back(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    tokens = await _signed_in(client, "sales@example.com")
    admin = bearer(app, seeded.admin.id)
    path = f"/api/users/{seeded.sales.id}"
    assert (await client.patch(path, json={"is_active": False}, headers=admin)).status_code == 200
    assert (await client.patch(path, json={"is_active": True}, headers=admin)).status_code == 200
    assert (await _me(client, tokens)).status_code == 401
    refresh = await client.post(
        "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert refresh.status_code == 401


async def test_refresh_reuse_ends_the_current_access_token(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    first = await _signed_in(client, "sales@example.com")
    rotated = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    current = rotated.json()
    assert (await _me(client, current)).status_code == 200
    # The spent token comes back (a stolen copy): the whole session ends, access token too.
    replay = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    assert (await _me(client, current)).status_code == 401


async def test_signed_in_devices_are_listed_and_one_can_be_signed_out(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    laptop = await _signed_in(client, "sales@example.com", FIREFOX)
    phone = await _signed_in(client, "sales@example.com", IPHONE)
    await _signed_in(client, "viewer@example.com")
    listed = await client.get("/api/me/sessions", headers=_auth(laptop))
    assert listed.status_code == 200, listed.text
    devices = {s["device"]: s for s in listed.json()}
    assert set(devices) == {"Firefox on Windows", "Safari on iPhone"}
    assert devices["Firefox on Windows"]["current"] is True
    assert devices["Safari on iPhone"]["current"] is False
    assert devices["Safari on iPhone"]["ip"] == "127.0.0.1"
    phone_id = devices["Safari on iPhone"]["id"]
    viewer_sessions = await client.get(
        "/api/me/sessions", headers=_auth(await _signed_in(client, "viewer@example.com"))
    )
    viewer_id = viewer_sessions.json()[0]["id"]
    # Someone else's session is not found, not signed out.
    foreign = await client.delete(f"/api/me/sessions/{viewer_id}", headers=_auth(laptop))
    assert foreign.status_code == 404
    gone = await client.delete(f"/api/me/sessions/{phone_id}", headers=_auth(laptop))
    assert gone.status_code == 204
    assert (await _me(client, phone)).status_code == 401
    assert (await _me(client, laptop)).status_code == 200
    left = await client.get("/api/me/sessions", headers=_auth(laptop))
    assert [s["device"] for s in left.json()] == ["Firefox on Windows"]


async def test_refresh_updates_last_seen_and_keeps_the_session(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    tokens = await _signed_in(client, "sales@example.com")
    before = (await client.get("/api/me/sessions", headers=_auth(tokens))).json()
    rotated = await client.post(
        "/api/auth/refresh",
        json={"refresh_token": tokens["refresh_token"]},
        headers={"User-Agent": IPHONE},
    )
    after = (await client.get("/api/me/sessions", headers=_auth(rotated.json()))).json()
    assert [s["id"] for s in after] == [s["id"] for s in before]
    assert after[0]["last_seen_at"] >= before[0]["last_seen_at"]
    assert after[0]["device"] == "Safari on iPhone" and after[0]["current"] is True


async def test_admin_signs_a_user_out_everywhere(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    laptop = await _signed_in(client, "sales@example.com")
    phone = await _signed_in(client, "sales@example.com", IPHONE)
    viewer = await _signed_in(client, "viewer@example.com")
    admin = bearer(app, seeded.admin.id)
    done = await client.delete(f"/api/users/{seeded.sales.id}/sessions", headers=admin)
    assert done.status_code == 204
    assert (await _me(client, laptop)).status_code == 401
    assert (await _me(client, phone)).status_code == 401
    assert (await _me(client, viewer)).status_code == 200
    audit = await client.get("/api/audit", params={"action": "sessions_revoked"}, headers=admin)
    [event] = audit.json()["items"]
    assert event["target_id"] == str(seeded.sales.id) and event["details"] == {"sessions": 2}
    refused = await client.delete(f"/api/users/{seeded.admin.id}/sessions", headers=_auth(viewer))
    assert refused.status_code == 403


async def test_another_instance_sees_a_revocation_within_its_cache_time(
    stack: Stack, tmp_path: Path, app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    """Instance B shares the database (and Redis when there is one) and caches answers for 5 s
    by a clock the test moves: it honours the cache, then sees the revocation made on A."""
    from salesbot.app import create_app

    other = create_app(make_settings(stack, tmp_path / "b", session_check_cache_s=5.0))
    async with other.router.lifespan_context(other):
        clock = [1000.0]
        other.state.revocations.clock = lambda: clock[0]
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://b") as b:
            tokens = await _signed_in(client, "sales@example.com")
            assert (await _me(b, tokens)).status_code == 200
            await client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]})
            assert (await _me(client, tokens)).status_code == 401  # A: at once
            assert (await _me(b, tokens)).status_code == 200  # B: still inside its 5 s
            clock[0] += 5.1
            assert (await _me(b, tokens)).status_code == 401


async def test_the_caller_is_kept_for_the_cache_time_and_dropped_when_the_account_changes(
    stack: Stack, tmp_path: Path, app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    """Instance B keeps the caller it loaded (a rename made on A shows there only after its
    5 s); A, which made the change, shows it on the next request. A role change made on A is
    refused on A at once and on B within its cache time, although B had the caller kept."""
    from salesbot.app import create_app

    other = create_app(make_settings(stack, tmp_path / "b", session_check_cache_s=5.0))
    async with other.router.lifespan_context(other):
        clock = [1000.0]
        other.state.revocations.clock = lambda: clock[0]
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://b") as b:
            tokens = await _signed_in(client, "sales@example.com")
            assert (await _me(client, tokens)).json()["name"] == "Sales"
            assert (await _me(b, tokens)).json()["name"] == "Sales"
            admin = bearer(app, seeded.admin.id)
            path = f"/api/users/{seeded.sales.id}"
            renamed = await client.patch(path, json={"name": "Samira"}, headers=admin)
            assert renamed.status_code == 200
            assert (await _me(client, tokens)).json()["name"] == "Samira"  # A: at once
            assert (await _me(b, tokens)).json()["name"] == "Sales"  # B: the kept caller
            clock[0] += 5.1
            assert (await _me(b, tokens)).json()["name"] == "Samira"
            changed = await client.patch(path, json={"roles": [{"role": "viewer"}]}, headers=admin)
            assert changed.status_code == 200, changed.text
            assert (await _me(client, tokens)).status_code == 401
            assert (await _me(b, tokens)).status_code == 200  # B: inside its 5 s
            clock[0] += 5.1
            refused = await _me(b, tokens)
            assert refused.status_code == 401
            assert refused.json()["error"]["code"] == "session_revoked"


async def test_an_erased_users_token_is_refused_on_the_next_request(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    tokens = await _signed_in(client, "sales@example.com")
    assert (await _me(client, tokens)).status_code == 200  # the caller is now kept
    erased = await client.request(
        "DELETE",
        f"/api/users/{seeded.sales.id}",
        json={"reason": "Right to erasure request #7"},
        headers=bearer(app, seeded.admin.id),
    )
    assert erased.status_code == 200, erased.text
    assert (await _me(client, tokens)).status_code == 401
