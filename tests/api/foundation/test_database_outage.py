"""A database outage answers 503 with Retry-After (never 500), and the app recovers by itself.

Real failures only: a PostgreSQL URL whose port nobody listens on, and a private PostgreSQL
cluster (initdb in a temporary folder, its own port) that the test stops and starts under a
running app. The shared server on 5432 is never touched.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from salesbot.app import create_app
from salesbot.migrations.runner import upgrade
from salesbot.users import service as users
from salesbot.users.roles import Role
from tests.conftest import REQUIRE_SERVICES, Stack, make_settings
from tests.support.auth import PASSWORD, bearer
from tests.support.private_services import (
    PrivatePostgres,
    free_port,
    postgres_available,
    private_postgres,
)

pytestmark = pytest.mark.timeout(300)


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "service_unavailable"
    text = response.text.lower()
    for internal in ("postgres", "asyncpg", "127.0.0.1", "connect call failed", "errno"):
        assert internal not in text


@asynccontextmanager
async def _serving(database_url: str, data_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(Stack("postgres", database_url, None), data_dir)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


def _app(client: httpx.AsyncClient) -> FastAPI:
    app: FastAPI = client.app  # type: ignore[attr-defined]
    return app


async def test_a_database_nobody_listens_on_answers_503_with_retry_after(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/salesbot"
    async with _serving(url, tmp_path / "data") as client:
        login = await client.post(
            "/api/auth/login", json={"email": "someone@example.com", "password": PASSWORD}
        )
        _assert_unavailable(login)
        listed = await client.get("/api/conversations", headers=bearer(_app(client), uuid.uuid4()))
        _assert_unavailable(listed)
        ready = await client.get("/health/ready")
        assert ready.status_code == 503


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    if not postgres_available():
        if REQUIRE_SERVICES:
            pytest.fail("PostgreSQL 15 server binaries are required (initdb, pg_ctl)")
        pytest.skip("PostgreSQL server binaries (initdb) are not installed")
    with private_postgres() as server:
        upgrade(server.url)
        yield server


async def test_requests_during_a_postgres_restart_get_503_then_recover(
    cluster: PrivatePostgres, tmp_path: Path
) -> None:
    async with _serving(cluster.url, tmp_path / "data") as client:
        app = _app(client)
        async with app.state.db.sessions() as session:
            user = await users.ensure_user(
                session,
                email="outage@example.com",
                name="Outage Person",
                password=PASSWORD,
                roles=[(Role.sales_person, None)],
            )
            await session.commit()
        headers = bearer(app, user.id)
        assert (await client.get("/api/conversations", headers=headers)).status_code == 200

        cluster.stop("fast")  # the pooled connections die with the server
        _assert_unavailable(await client.get("/api/conversations", headers=headers))
        _assert_unavailable(await client.get("/api/conversations", headers=headers))
        assert (await client.get("/health/ready")).status_code == 503

        cluster.start()  # same app, same engine: no restart
        recovered = await client.get("/api/conversations", headers=headers)
        assert recovered.status_code == 200, recovered.text
        assert (await client.get("/health/ready")).status_code == 200
