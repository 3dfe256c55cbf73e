"""Seeded accounts and token helpers for the identity tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from salesbot.auth.tokens import create_access_token
from salesbot.users import service
from salesbot.users.roles import Role

PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    email: str


@dataclass(frozen=True)
class Seeded:
    admin: Account
    viewer: Account
    sales: Account
    company_code: str


@pytest.fixture
async def seeded(app: FastAPI) -> Seeded:
    return await seed_accounts(app)


async def seed_accounts(app: FastAPI) -> Seeded:
    """An admin, a viewer and a salesperson with PASSWORD, and the Backlite company."""
    async with app.state.db.sessions() as session:
        company = await service.ensure_company(
            session, code="backlite", name="Backlite", bo_prefix="BL", accent_color="#2b59c3"
        )
        made = {}
        for key, role in (
            ("admin", Role.admin),
            ("viewer", Role.viewer),
            ("sales", Role.sales_person),
        ):
            user = await service.ensure_user(
                session,
                email=f"{key}@example.com",
                name=key.title(),
                password=PASSWORD,
                roles=[(role, None)],
            )
            made[key] = Account(user.id, user.email)
        await session.commit()
    return Seeded(made["admin"], made["viewer"], made["sales"], company.code)


def bearer_for(app: FastAPI, account: Account, *, now: datetime | None = None) -> dict[str, str]:
    token, _ = create_access_token(
        account.id,
        secret=app.state.settings.secret_key.get_secret_value(),
        now=now or datetime.now(UTC),
        minutes=15,
    )
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})
