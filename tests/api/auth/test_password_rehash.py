"""A login upgrades a password hash made with other argon2 parameters, once — here with the
production parameters (the rest of the suite hashes with argon2's cheapest ones)."""

from __future__ import annotations

from collections.abc import Iterator

import argon2
import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from salesbot.users import credentials, repository, service
from salesbot.users.credentials import needs_rehash, verify_password
from salesbot.users.roles import Role
from tests.support.auth import PASSWORD, login

EMAIL = "old-hash@example.com"


@pytest.fixture(autouse=True)
def _production_parameters() -> Iterator[None]:
    credentials.use_hash_parameters(None)
    yield
    credentials.use_hash_parameters(argon2.profiles.CHEAPEST)


async def _stored_hash(app: FastAPI) -> str:
    async with app.state.db.sessions() as session:
        user = await repository.user_by_email(session, EMAIL)
        assert user is not None and user.password_hash is not None
        return user.password_hash


async def test_login_rehashes_a_weaker_hash_once(client: httpx.AsyncClient, app: FastAPI) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    assert needs_rehash(weak)
    async with app.state.db.sessions() as session:
        user = await service.ensure_user(
            session, email=EMAIL, name="Old Hash", password=PASSWORD, roles=[(Role.viewer, None)]
        )
        user.password_hash = weak
        await session.commit()

    assert (await login(client, EMAIL)).status_code == 200
    upgraded = await _stored_hash(app)
    assert upgraded != weak
    assert not needs_rehash(upgraded)
    production = PasswordHasher()
    assert argon2.extract_parameters(upgraded) == argon2.extract_parameters(production.hash("x"))
    assert await verify_password(upgraded, PASSWORD)

    assert (await login(client, EMAIL)).status_code == 200
    assert await _stored_hash(app) == upgraded
