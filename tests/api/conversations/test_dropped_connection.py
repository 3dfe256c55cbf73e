"""A pooled PostgreSQL connection the server dropped costs no request (no `pool_pre_ping`).

The server really terminates the app's backends (`pg_terminate_backend`, what a restart, an
idle-connection kill or a failover does to them); the next request must still succeed: either
the pool sees at checkout that the driver noticed the close, or, when it could not know, the
first statement of the request is run again once on a fresh connection.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine import make_url

from salesbot.kit import db as kit_db
from salesbot.settings import Settings
from tests.api.conversations.conftest import Users, add_messages, new_conversation
from tests.conftest import Stack, make_settings

# A dropped server connection is a PostgreSQL matter (SQLite has no server).
pytestmark = pytest.mark.parametrize("stack", ["postgres"], indirect=True)


@pytest.fixture
def settings(stack: Stack, tmp_path: Path) -> Settings:
    """Without the hot conversation cache: the message pages here must reach the database."""
    return make_settings(stack, tmp_path / "data", chat_cache=False)


async def _terminate_app_backends(stack: Stack) -> int:
    """Have the server end every other connection to the test database; how many it ended."""
    url = make_url(stack.database_url).set(drivername="postgresql")
    conn = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        ended = await conn.fetchval(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()) AS t"
        )
    finally:
        await conn.close()
    await asyncio.sleep(0.2)  # let the terminated backends' goodbyes reach the driver
    return int(ended)


async def _page(client: httpx.AsyncClient, users: Users, conversation_id: str) -> httpx.Response:
    return await client.get(f"/api/conversations/{conversation_id}/messages", headers=users.sales)


async def test_request_after_backends_terminated_succeeds(
    stack: Stack, app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    conversation_id = await new_conversation(client, users.sales, "Dropped")
    await add_messages(app, conversation_id, ["one", "two"])
    assert (await _page(client, users, conversation_id)).status_code == 200

    assert await _terminate_app_backends(stack) >= 1

    response = await _page(client, users, conversation_id)
    assert response.status_code == 200, response.text
    assert [m["content"] for m in response.json()["items"]] == ["two", "one"]


async def test_unnoticed_drop_is_retried_once_on_a_fresh_connection(
    stack: Stack, app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    conversation_id = await new_conversation(client, users.sales, "Dropped unnoticed")
    await add_messages(app, conversation_id, ["only"])
    assert (await _page(client, users, conversation_id)).status_code == 200
    # Without the checkout check the pool hands out the dead connection, as it would one whose
    # close the driver has not seen yet: the statement itself must meet the drop.
    pool = app.state.db.engine.sync_engine.pool
    event.remove(pool, "checkout", kit_db._drop_closed)
    checkouts = 0

    def count(*_: object) -> None:
        nonlocal checkouts
        checkouts += 1

    event.listen(pool, "checkout", count)
    assert (await _page(client, users, conversation_id)).status_code == 200
    usual, checkouts = checkouts, 0  # what a page costs (the caller may be kept: no read)

    assert await _terminate_app_backends(stack) >= 1

    response = await _page(client, users, conversation_id)
    assert response.status_code == 200, response.text
    assert [m["content"] for m in response.json()["items"]] == ["only"]
    # The request got past a dead connection only by checking out another one.
    assert checkouts > usual


async def test_write_after_backends_terminated_is_not_lost(
    stack: Stack, app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    await new_conversation(client, users.sales, "Before")
    await _terminate_app_backends(stack)

    created = await client.post("/api/conversations", json={"title": "After"}, headers=users.sales)
    assert created.status_code == 201, created.text
    listed = await client.get("/api/conversations", headers=users.sales)
    assert [c["title"] for c in listed.json()["items"]] == ["After", "Before"]
