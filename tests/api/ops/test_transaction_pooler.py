"""The app behind PgBouncer in transaction mode, as behind Supabase's pooler on port 6543.

docs/deploy-render-supabase.md prescribes `SALESBOT_DATABASE_POOLER=transaction` there; these
tests start a private PgBouncer (pool_mode=transaction) in front of a private database of this
test slot, show that the default asyncpg settings break behind it, and run the product itself
(`migrate`, `demo`, `serve`) through it with the prescribed setting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from salesbot.kit.db import Pooler, make_engine
from tests.conftest import PG_URL, REQUIRE_SERVICES, require_service
from tests.live_server import live_server
from tests.support.pgbouncer import pgbouncer, pgbouncer_binary

pytestmark = [pytest.mark.services, pytest.mark.timeout(900)]


async def _fresh_database(url: str) -> None:
    """Create the database if missing and empty its schema (connecting directly, no pooler)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    target = make_url(url)
    admin = create_async_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        await admin.dispose()
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def pooled_url() -> Iterator[str]:
    """A URL through a private transaction-mode PgBouncer to this slot's `<db>_pooler`."""
    if pgbouncer_binary() is None:
        if REQUIRE_SERVICES:
            pytest.fail("pgbouncer is required (SALESBOT_TEST_REQUIRE_SERVICES=1): make pgbouncer")
        pytest.skip("pgbouncer is not installed")
    require_service("PostgreSQL", PG_URL, 5432)
    direct = PG_URL.rsplit("/", 1)[0] + "/" + PG_URL.rsplit("/", 1)[1] + "_pooler"
    asyncio.run(_fresh_database(direct))
    with pgbouncer(direct, server_connections=2) as url:
        yield url


async def _overlapping_clients(url: str, pooler: Pooler, rounds: int = 3) -> None:
    """Two client connections whose transactions overlap, as under concurrent requests.

    While the first holds a server connection the second runs on the other one; afterwards
    PgBouncer hands the second the server connection the first used (the most recently freed),
    where what the second prepared earlier does not exist.
    """
    engine = make_engine(url, pooler=pooler, pool_size=2, max_overflow=0)
    query = text("SELECT count(*) FROM pg_class WHERE relname = :name")
    try:
        async with engine.connect() as first, engine.connect() as second:
            for number in range(rounds):
                assert await first.scalar(query, {"name": f"a{number}"}) == 0  # holds S1
                assert await second.scalar(query, {"name": f"b{number}"}) == 0  # runs on S2
                await second.commit()
                await first.commit()
                assert await second.scalar(query, {"name": f"c{number}"}) == 0  # back on S1
                await second.commit()
    finally:
        await engine.dispose()


def test_default_asyncpg_settings_break_behind_a_transaction_pooler(pooled_url: str) -> None:
    with pytest.raises(DBAPIError, match="prepared statement"):
        asyncio.run(_overlapping_clients(pooled_url, "none"))


def test_the_transaction_pooler_setting_works_behind_it(pooled_url: str) -> None:
    asyncio.run(_overlapping_clients(pooled_url, "transaction"))


def _api(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def test_smoke_journey_through_the_pooler(pooled_url: str, tmp_path: Path) -> None:
    overrides = {"SALESBOT_DATABASE_URL": pooled_url, "SALESBOT_DATABASE_POOLER": "transaction"}
    with live_server(tmp_path, **overrides) as base:  # migrate, demo and serve, all pooled
        assert httpx.get(f"{base}/health/ready", timeout=30).status_code == 200
        with httpx.Client(base_url=base, timeout=60) as anonymous:
            login = _ok(
                anonymous.post(
                    "/api/auth/login",
                    json={"email": "sales@demo.salesbot.dev", "password": "demo-password"},
                )
            )
        with _api(base, login["access_token"]) as api:
            created = _ok(api.post("/api/conversations", json={"title": "Pooled"}), 201)
            chat = api.post(
                "/api/chat", json={"message": "hello", "conversation_id": created["id"]}
            )
            assert chat.status_code == 200, chat.text
            assert "event: message_end" in chat.text
            listed = _ok(api.get("/api/conversations"))
            assert created["id"] in [item["id"] for item in listed["items"]]
            messages = _ok(api.get(f"/api/conversations/{created['id']}/messages"))
            roles = {m["role"] for m in messages["items"]}
            assert {"user", "assistant"} <= roles
            assert "hello" in [m["content"] for m in messages["items"]]
            start = (date.today() + timedelta(days=30)).isoformat()
            entry = {
                "location": "szr_unipole",
                "start_date": start,
                "durations": ["2 weeks"],
                "net_rates": ["100000"],
                "production_fee": "5000",
            }
            proposal = _ok(
                api.post(
                    "/api/proposals",
                    json={"kind": "separate", "client_name": "Pooled Co", "proposals": [entry]},
                ),
                201,
            )
            again = _ok(api.get(f"/api/proposals/{proposal['id']}"))
            assert again["client_name"] == "Pooled Co"
            history = _ok(api.get("/api/proposals"))
            assert proposal["id"] in [item["id"] for item in history["items"]]
