"""Seeded accounts and token helpers for the identity tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from fastapi import FastAPI

from salesbot.users import service
from salesbot.users.roles import Role
from tests.support.auth import PASSWORD


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
