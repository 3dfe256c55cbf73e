"""The one place tests sign in: bearer headers for seeded accounts, and the login call."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from salesbot.auth.tokens import create_access_token

PASSWORD = "correct-horse-battery"


def bearer(
    app: FastAPI, user_id: uuid.UUID, *, minutes: int = 15, now: datetime | None = None
) -> dict[str, str]:
    """An Authorization header for `user_id`, signed with the app's key (no password needed)."""
    token, _ = create_access_token(
        user_id,
        secret=app.state.settings.secret_key.get_secret_value(),
        now=now or datetime.now(UTC),
        minutes=minutes,
    )
    return {"Authorization": f"Bearer {token}"}


async def login(
    client: httpx.AsyncClient,
    email: str,
    password: str = PASSWORD,
    *,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST /api/auth/login with e-mail and password."""
    return await client.post(
        "/api/auth/login", json={"email": email, "password": password}, headers=headers
    )
