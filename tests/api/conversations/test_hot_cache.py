"""The hot conversation cache (ADR-002): pages read through Redis, written through on append,
dropped on delete, erasure and retention, never served to anybody but the owner, and an outage
of Redis is the database's business (never an error)."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from salesbot.conversations import hot, repository, service
from salesbot.conversations.hot import PAGE_READS, HotCache, keys
from salesbot.conversations.models import Message
from salesbot.kit.db import utcnow
from salesbot.kit.ids import new_id as uuid7_now
from salesbot.kit.redis import RedisFacade
from salesbot.users.roles import Role
from tests.api.conversations.conftest import Users, add_messages, new_conversation
from tests.api.lifecycle.support import add_conversation, make_user
from tests.conftest import Stack
from tests.support.auth import bearer
from tests.unit.kit.test_redis_facade import _start_redis, redis_process, redis_socket

__all__ = ["redis_process", "redis_socket"]  # fixtures used below

# The cache lives in Redis: the PostgreSQL + Redis stack.
pytestmark = pytest.mark.parametrize("stack", ["postgres"], indirect=True)


def _served(source: str) -> float:
    value: float = PAGE_READS.labels(source=source)._value.get()
    return value


async def _page(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, **params: Any
) -> httpx.Response:
    return await client.get(
        f"/api/conversations/{conversation_id}/messages", headers=headers, params=params
    )


async def _append(app: FastAPI, conversation_id: str, content: str) -> Message:
    async with app.state.db.sessions() as session:
        return await service.append(
            session, uuid.UUID(conversation_id), role="user", content=content, now=utcnow()
        )


async def _rewrite_behind_the_cache(app: FastAPI, conversation_id: str, content: str) -> None:
    """Change stored rows without telling the cache: what a read then shows names its source."""
    async with app.state.db.sessions() as session:
        await session.execute(
            update(Message)
            .where(Message.conversation_id == uuid.UUID(conversation_id))
            .values(content=content)
        )
        await session.commit()


async def test_pages_are_read_through_redis_and_appends_written_through(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    conversation = await new_conversation(client, users.sales, "Hot")
    await add_messages(app, conversation, ["one", "two"])
    first = await _page(client, users.sales, conversation)
    assert [m["content"] for m in first.json()["items"]] == ["two", "one"]
    assert await app.state.redis.client.exists(keys(uuid.UUID(conversation))[0])
    assert app.state.chat_cache is hot.current()

    await _rewrite_behind_the_cache(app, conversation, "changed in the database only")
    redis_before = _served("redis")
    again = await _page(client, users.sales, conversation)
    assert again.json() == first.json()  # from Redis, byte for byte
    assert _served("redis") == redis_before + 1

    added = await _append(app, conversation, "three")
    latest = await _page(client, users.sales, conversation, limit=2)
    body = latest.json()
    assert [m["content"] for m in body["items"]] == ["three", "two"]
    assert body["items"][0]["id"] == str(added.id)
    assert body["has_more"] is True
    assert _served("redis") == redis_before + 2


async def test_paging_from_the_cache_matches_the_database(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    conversation = await new_conversation(client, users.sales, "Long")
    await add_messages(app, conversation, [f"m{n}" for n in range(130)])

    async def walk(limit: int) -> list[list[str]]:
        pages, cursor = [], None
        while True:
            params: dict[str, Any] = {"limit": limit, **({"before": cursor} if cursor else {})}
            body = (await _page(client, users.sales, conversation, **params)).json()
            pages.append([m["content"] for m in body["items"]])
            cursor = body["next_cursor"]
            if not cursor:
                return pages

    redis_before = _served("redis")
    expected = [f"m{n}" for n in reversed(range(130))]
    for limit in (7, 50, 100):
        pages = await walk(limit)
        assert [c for page in pages for c in page] == expected
        assert all(len(page) == limit for page in pages[:-1])
    # The latest 101 messages are in Redis: every page inside that window came from there
    # (13 of the 7-message pages after the first, which filled it; 2 of 50; 1 of 100).
    assert _served("redis") - redis_before == 13 + 2 + 1


async def test_a_cached_page_is_only_served_to_its_owner(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    conversation = await new_conversation(client, users.sales, "Mine")
    await add_messages(app, conversation, ["private"])
    assert (await _page(client, users.sales, conversation)).status_code == 200
    for other in (users.admin, users.viewer):
        response = await _page(client, other, conversation)
        assert response.status_code == 404, response.text
        assert "private" not in response.text


async def test_delete_drops_the_cached_page(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    conversation = await new_conversation(client, users.sales, "Doomed")
    await add_messages(app, conversation, ["bye"])
    assert (await _page(client, users.sales, conversation)).status_code == 200
    gone = await client.delete(f"/api/conversations/{conversation}", headers=users.sales)
    assert gone.status_code == 204
    assert not await app.state.redis.client.exists(*keys(uuid.UUID(conversation))[:2])
    assert (await _page(client, users.sales, conversation)).status_code == 404


async def test_forget_drops_pages_for_erasure_retention_and_imports(
    app: FastAPI, client: httpx.AsyncClient, users: Users, stack: Stack
) -> None:
    conversation = await new_conversation(client, users.sales, "Imported into")
    await add_messages(app, conversation, ["before"])
    assert (await _page(client, users.sales, conversation)).status_code == 200
    await add_messages(app, conversation, ["imported"])  # written past the cache
    await hot.forget(stack.redis_url, [uuid.UUID(conversation)])
    body = (await _page(client, users.sales, conversation)).json()
    assert [m["content"] for m in body["items"]] == ["imported", "before"]


async def test_a_redis_outage_is_served_by_the_database_and_heals(
    app: FastAPI,
    client: httpx.AsyncClient,
    users: Users,
    redis_process: tuple[Path, list[subprocess.Popen[bytes]]],
) -> None:
    """Redis stops answering (SIGSTOP, its sockets stay open: the worst kind of outage):
    reads and appends go on through the database; a page cached before the outage never
    shows up stale afterwards (the appends it missed dropped it when Redis came back)."""
    path, procs = redis_process
    procs.append(_start_redis(path))
    facade = RedisFacade(f"unix://{path}", retry_interval=3600)
    cache = HotCache(facade, ttl_s=600)
    hot.install(cache)
    try:
        conversation = await new_conversation(client, users.sales, "Outage")
        await add_messages(app, conversation, ["before"])
        assert (await _page(client, users.sales, conversation)).status_code == 200
        assert facade.client is not None
        assert await facade.client.exists(keys(uuid.UUID(conversation))[0])

        os.kill(procs[0].pid, signal.SIGSTOP)
        try:
            await _append(app, conversation, "during")
            during = await _page(client, users.sales, conversation)
            assert during.status_code == 200
            assert [m["content"] for m in during.json()["items"]] == ["during", "before"]
            assert not facade.available  # the outage was noticed, not waited out per call
        finally:
            os.kill(procs[0].pid, signal.SIGCONT)
        assert await facade.ping()  # Redis is back (the facade would retry on its own later)

        database_before = _served("database")
        after = await _page(client, users.sales, conversation)
        assert [m["content"] for m in after.json()["items"]] == ["during", "before"]
        assert _served("database") == database_before + 1  # the stale page was dropped
        cached = await _page(client, users.sales, conversation)
        assert cached.json() == after.json()
    finally:
        hot.install(app.state.chat_cache)
        await facade.close()


async def test_an_append_older_than_the_cached_head_drops_the_page(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    """Two appends racing may reach Redis out of order: the page is dropped, never misordered."""
    conversation = await new_conversation(client, users.sales, "Racing")
    early, late = sorted([uuid7_now(), uuid7_now()])
    async with app.state.db.sessions() as session:
        await repository.append_message(
            session,
            conversation_id=uuid.UUID(conversation),
            role="user",
            content="late",
            now=utcnow(),
            message_id=late,
        )
        await session.commit()
    assert [
        m["content"] for m in (await _page(client, users.sales, conversation)).json()["items"]
    ] == ["late"]
    async with app.state.db.sessions() as session:
        message = await repository.append_message(
            session,
            conversation_id=uuid.UUID(conversation),
            role="user",
            content="early",
            now=utcnow(),
            message_id=early,
        )
        await session.commit()
    cache = hot.current()
    assert cache is not None
    await cache.appended(message)  # the write-through of the slower of the two
    assert not await app.state.redis.client.exists(keys(uuid.UUID(conversation))[0])
    body = (await _page(client, users.sales, conversation)).json()
    assert [m["content"] for m in body["items"]] == ["late", "early"]


async def test_erasure_drops_the_persons_cached_pages(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await make_user(app, "eraser", Role.admin)
    victim = await make_user(app, "victim")
    conversation = await add_conversation(app, victim.id, messages=2)
    page = await _page(client, bearer(app, victim.id), str(conversation))
    assert page.status_code == 200
    assert await app.state.redis.client.exists(keys(conversation)[0])
    erased = await client.request(
        "DELETE",
        f"/api/users/{victim.id}",
        json={"reason": "Right to erasure request #7"},
        headers=bearer(app, admin.id),
    )
    assert erased.status_code == 200, erased.text
    assert not await app.state.redis.client.exists(*keys(conversation)[:2])
