"""Changing your password: checks the current one, ends every session, is audited."""

from __future__ import annotations

import httpx

from tests.api.auth.conftest import Seeded
from tests.support.auth import PASSWORD, login

NEW_PASSWORD = "a-brand-new-passphrase"


async def test_change_password_ends_sessions_and_new_password_works(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    email = "sales@example.com"
    signed_in = await login(client, email, PASSWORD)
    assert signed_in.status_code == 200
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    refresh_token = signed_in.json()["refresh_token"]

    changed = await client.post(
        "/api/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert changed.status_code == 204, changed.text

    # The old session's refresh token no longer works; the old password neither.
    refreshed = await client.post("/api/auth/refresh", json={"refresh_token": refresh_token})
    assert refreshed.status_code == 401
    assert (await login(client, email, PASSWORD)).status_code == 401
    assert (await login(client, "sales@example.com", NEW_PASSWORD)).status_code == 200


async def test_wrong_current_password_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    signed_in = await login(client, "sales@example.com", PASSWORD)
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    refused = await client.post(
        "/api/me/password",
        json={"current_password": "not-my-password", "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "Your current password is not correct."
    assert "not-my-password" not in refused.text
    assert (await login(client, "sales@example.com", PASSWORD)).status_code == 200


async def test_weak_new_password_is_refused(client: httpx.AsyncClient, seeded: Seeded) -> None:
    signed_in = await login(client, "sales@example.com", PASSWORD)
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    weak = await client.post(
        "/api/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=headers,
    )
    assert weak.status_code == 422
    assert "at least 10 characters" in weak.json()["error"]["message"]
    same = await client.post(
        "/api/me/password",
        json={"current_password": PASSWORD, "new_password": PASSWORD},
        headers=headers,
    )
    assert same.status_code == 422


async def test_password_change_needs_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/me/password", json={"current_password": "x", "new_password": "y" * 12}
    )
    assert response.status_code == 401
