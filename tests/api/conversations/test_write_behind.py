"""Write-behind (SALESBOT_CHAT_WRITE_BEHIND): a message is acknowledged once it is on the Redis
Stream, read back (merged) before it is stored, and stored exactly once by the persisters —
also when one is SIGKILLed mid-stream (a real subprocess, a private redis-server with AOF)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import func, select

from salesbot.conversations import behind, hot, service, wire
from salesbot.conversations.models import Message
from salesbot.kit.db import utcnow
from salesbot.kit.redis import RedisFacade
from salesbot.settings import Settings
from tests.api.assistant.conftest import chat, conversation_of, text_of
from tests.api.conversations.conftest import Users, new_conversation
from tests.conftest import Stack, make_settings
from tests.support.private_services import free_port, wait_for_port

pytestmark = pytest.mark.parametrize("stack", ["postgres"], indirect=True)


@pytest.fixture
def settings(stack: Stack, tmp_path: Path) -> Settings:
    return make_settings(stack, tmp_path / "data", chat_write_behind=True)


@pytest.fixture
async def quiet(app: FastAPI) -> hot.HotCache:
    """The app's cache with its own persister stopped: what the test appends stays pending."""
    app.state.persister_stop.set()
    await app.state.persister_task
    cache: hot.HotCache | None = app.state.chat_cache
    assert cache is not None and cache.write_behind
    return cache


async def _append(app: FastAPI, conversation_id: str, content: str) -> Message:
    async with app.state.db.sessions() as session:
        return await service.append(
            session, uuid.UUID(conversation_id), role="user", content=content, now=utcnow()
        )


async def _stored(app: FastAPI, conversation_id: str) -> list[tuple[uuid.UUID, str]]:
    async with app.state.db.sessions() as session:
        rows = await session.execute(
            select(Message.id, Message.content)
            .where(Message.conversation_id == uuid.UUID(conversation_id))
            .order_by(Message.id)
        )
        return [(r.id, r.content) for r in rows]


async def _contents(client: httpx.AsyncClient, users: Users, conversation_id: str) -> list[str]:
    response = await client.get(
        f"/api/conversations/{conversation_id}/messages", headers=users.sales
    )
    assert response.status_code == 200, response.text
    return [m["content"] for m in response.json()["items"]]


async def test_acknowledged_messages_are_read_before_they_are_stored(
    app: FastAPI, client: httpx.AsyncClient, users: Users, quiet: hot.HotCache
) -> None:
    conversation = await new_conversation(client, users.sales, "Behind")
    acked = [await _append(app, conversation, f"m{n}") for n in range(3)]
    assert await _stored(app, conversation) == []  # acknowledged, not stored yet
    assert await _contents(client, users, conversation) == ["m2", "m1", "m0"]
    async with app.state.db.sessions() as session:
        _, window = await service.replay_window(session, uuid.UUID(conversation), limit=10)
    assert [m.content for m in window] == ["m0", "m1", "m2"]  # what the next turn replays

    assert quiet.redis.client is not None
    persister = behind.Persister(quiet.redis.client, app.state.db, consumer="test")
    assert await persister.step(block=False) == 3
    assert await _stored(app, conversation) == [(m.id, m.content) for m in acked]
    assert await behind.pending(quiet.redis, uuid.UUID(conversation)) == []
    assert await _contents(client, users, conversation) == ["m2", "m1", "m0"]


async def test_a_chat_turn_is_acknowledged_from_the_stream_and_stored_by_a_persister(
    app: FastAPI, client: httpx.AsyncClient, users: Users, quiet: hot.HotCache
) -> None:
    events = await chat(client, users.sales, "hello")
    assert events[-1].event == "message_end"
    conversation = conversation_of(events)
    reply = text_of(events)
    assert await _stored(app, conversation) == []  # the conversation is, its messages wait
    assert await _contents(client, users, conversation) == [reply, "hello"]
    again = await chat(client, users.sales, "hello again", conversation_id=conversation)
    assert again[-1].event == "message_end"

    assert quiet.redis.client is not None
    persister = behind.Persister(quiet.redis.client, app.state.db, consumer="test")
    while await persister.step(block=False):
        pass
    stored = await _stored(app, conversation)
    assert [c for _, c in stored] == ["hello", reply, "hello again", text_of(again)]
    assert str(stored[1][0]) == events[-1].data["message_id"]  # the id given at write time
    assert await _contents(client, users, conversation) == [c for _, c in reversed(stored)]


async def test_a_redelivered_batch_inserts_nothing_twice(
    app: FastAPI, client: httpx.AsyncClient, users: Users, quiet: hot.HotCache
) -> None:
    """A persister that stored a batch and died before XACK: the batch is claimed by another
    one (XAUTOCLAIM) and stored again — ON CONFLICT (id) DO NOTHING inserts nothing twice."""
    conversation = await new_conversation(client, users.sales, "Redelivered")
    acked = [await _append(app, conversation, f"m{n}") for n in range(10)]
    client_ = quiet.redis.client
    assert client_ is not None
    dead = behind.Persister(client_, app.state.db, consumer="dead")
    answer: Any = await client_.xreadgroup(behind.GROUP, "dead", {behind.STREAM: ">"}, count=6)
    delivered = [wire.decode(fields[b"data"]) for _, fields in answer[0][1]]
    async with app.state.db.sessions() as session:
        assert await behind.store(session, delivered) == 6
        await session.commit()  # ...and the process is gone before its XACK
    assert dead.consumer == "dead"

    survivor = behind.Persister(client_, app.state.db, consumer="survivor", claim_idle_ms=0)
    while await survivor.step(block=False):
        pass
    stored = await _stored(app, conversation)
    assert stored == [(m.id, m.content) for m in acked]
    summary = await client_.xpending(behind.STREAM, behind.GROUP)
    assert summary["pending"] == 0
    assert await client_.xlen(behind.STREAM) == 0


async def test_without_redis_the_message_is_written_to_the_database(
    app: FastAPI, client: httpx.AsyncClient, users: Users, tmp_path: Path
) -> None:
    facade = RedisFacade(f"unix://{tmp_path / 'nobody.sock'}", retry_interval=3600)
    hot.install(hot.HotCache(facade, ttl_s=600, write_behind=True))
    try:
        conversation = await new_conversation(client, users.sales, "No Redis")
        message = await _append(app, conversation, "kept")
        assert await _stored(app, conversation) == [(message.id, "kept")]
        assert await _contents(client, users, conversation) == ["kept"]
    finally:
        hot.install(app.state.chat_cache)
        await facade.close()


# --- the persister SIGKILLed mid-stream ---------------------------------------------------------


@pytest.fixture
def aof_redis(tmp_path: Path) -> Iterator[str]:
    """A private redis-server on a free port with the durability write-behind requires."""
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    command += ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait()


def _persister(
    settings: Settings, redis_url: str, folder: Path, name: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "test",
        "SALESBOT_DATA_DIR": str(folder / "data"),
        "SALESBOT_SECRET_KEY": settings.secret_key.get_secret_value(),
        "SALESBOT_DATABASE_URL": settings.effective_database_url,
        "SALESBOT_REDIS_URL": redis_url,
        "SALESBOT_CHAT_WRITE_BEHIND": "true",
        "SALESBOT_CHAT_PERSIST_CLAIM_IDLE_S": "0.5",
    }
    log = (folder / f"{name}.log").open("wb")
    command = [sys.executable, "-m", "salesbot.cli", "chat-persister", "--batch", "5"]
    return subprocess.Popen(command, env=env, cwd=folder, stdout=log, stderr=subprocess.STDOUT)


async def test_every_acknowledged_message_is_stored_once_after_a_persister_is_killed(
    app: FastAPI,
    client: httpx.AsyncClient,
    users: Users,
    settings: Settings,
    aof_redis: str,
    tmp_path: Path,
) -> None:
    facade = RedisFacade(aof_redis, retry_interval=3600)
    hot.install(hot.HotCache(facade, ttl_s=600, pages=False, write_behind=True))
    raw = Redis.from_url(aof_redis)
    first = _persister(settings, aof_redis, tmp_path, "first")
    second: subprocess.Popen[bytes] | None = None
    try:
        conversation = await new_conversation(client, users.sales, "Killed mid-stream")
        acked: list[Message] = []
        n = 0
        # Write until the first persister has stored some of the stream, then SIGKILL it.
        deadline = time.monotonic() + 300  # a hang guard, not a timing assertion
        while True:
            acked.append(await _append(app, conversation, f"m{n:05d}"))
            n += 1
            if n % 10 == 0 and len(await _stored(app, conversation)) >= 30:
                break
            assert time.monotonic() < deadline, "the first persister stored nothing"
        first.send_signal(signal.SIGKILL)
        first.wait()
        in_flight = (await raw.xpending(behind.STREAM, behind.GROUP))["pending"]
        stored_at_kill = len(await _stored(app, conversation))
        # The stream goes on while no persister is alive: still acknowledged.
        for _ in range(100):
            acked.append(await _append(app, conversation, f"m{n:05d}"))
            n += 1
        assert stored_at_kill < len(acked)

        second = _persister(settings, aof_redis, tmp_path, "second")
        while (await raw.xlen(behind.STREAM)) or (await raw.xpending(behind.STREAM, behind.GROUP))[
            "pending"
        ]:
            assert second.poll() is None, (tmp_path / "second.log").read_text()
            assert time.monotonic() < deadline, "the second persister did not drain the stream"
            await asyncio.sleep(0.05)

        stored = await _stored(app, conversation)
        assert stored == [(m.id, m.content) for m in acked]  # all of them, each once, in order
        async with app.state.db.sessions() as session:
            total = await session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.conversation_id == uuid.UUID(conversation))
            )
        assert total == len(acked)
        assert await behind.pending(facade, uuid.UUID(conversation)) == []
        print(
            f"acknowledged {len(acked)}; stored when killed {stored_at_kill}; "
            f"delivered but unacknowledged when killed {in_flight}"
        )
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        hot.install(app.state.chat_cache)
        await raw.aclose()
        await facade.close()
