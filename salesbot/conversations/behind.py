"""Write-behind for chat messages (opt-in: SALESBOT_CHAT_WRITE_BEHIND=true; docs/operations.md).

A message gets its id when it is written, then goes into one Redis transaction: an entry on the
stream `sb:chat:stream` and a copy in its conversation's pending hash (what reads merge with the
stored rows). It is acknowledged to the caller once Redis has it. Persisters — one consumer
group, any number of processes (`salesbot worker`, `salesbot serve`, `salesbot chat-persister`)
— insert batches with ON CONFLICT (id) DO NOTHING, commit, then XACK and drop the pending copies.
A redelivery (a persister killed between its commit and its XACK, or a claimed entry) therefore
inserts nothing twice. Entries a dead consumer was given are claimed with XAUTOCLAIM once idle
for `chat_persist_claim_idle_s`.

When Redis cannot take the message, it is written to the database directly: never an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.conversations import wire
from salesbot.conversations.models import Conversation, Message
from salesbot.kit.db import Database, make_engine
from salesbot.kit.ids import new_id
from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import counter
from salesbot.kit.redis import OUTAGE_ERRORS, RedisFacade
from salesbot.settings import Settings

log = get_logger(__name__)

STREAM = "sb:chat:stream"
GROUP = "persisters"

PERSISTED = counter(
    "salesbot_chat_write_behind_persisted_total", "Messages the write-behind persister stored"
)
STAGED = counter(
    "salesbot_chat_write_behind_staged_total",
    "Chat messages acknowledged, by where they were written",
    ["target"],
)


def pending_key(conversation_id: uuid.UUID) -> str:
    return f"sb:chat:pending:{{{conversation_id}}}"


async def stage(redis: RedisFacade, message: wire.WireMessage) -> bool:
    """Put one message on the stream (and its pending copy); False when Redis is not there."""
    payload = wire.encode(message)

    async def op(client: Redis) -> bool:
        try:
            async with client.pipeline(transaction=True) as pipe:
                pipe.xadd(STREAM, {"id": str(message.id), "data": payload})
                pipe.hset(pending_key(message.conversation_id), str(message.id), payload)
                await pipe.execute()
        except RedisError as exc:  # e.g. out of memory: Redis refuses writes, the DB takes it
            log.warning("write_behind_refused", error_type=type(exc).__name__)
            return False
        return True

    async def down() -> bool:
        return False

    staged = await redis.call(op, down)
    STAGED.labels(target="redis" if staged else "database").inc()
    return staged


async def pending(redis: RedisFacade, conversation_id: uuid.UUID) -> list[wire.WireMessage]:
    """The conversation's acknowledged messages not stored yet (none when Redis is down)."""

    async def op(client: Redis) -> list[wire.WireMessage]:
        raw = await client.hvals(pending_key(conversation_id))
        return [wire.decode(r) for r in raw]

    async def down() -> list[wire.WireMessage]:
        return []

    return await redis.call(op, down)


def new_message(conversation_id: uuid.UUID, **fields: Any) -> wire.WireMessage:
    """A message with its id assigned now, at write time."""
    return wire.from_fields(new_id(), conversation_id, fields["now"], fields)


async def store(session: AsyncSession, messages: Sequence[wire.WireMessage]) -> int:
    """Insert what is not stored yet (by id), touch the conversations; the rows inserted.

    Messages of a conversation that no longer exists (erased meanwhile) are dropped.
    """
    wanted = {m.conversation_id for m in messages}
    owners: dict[uuid.UUID, uuid.UUID] = {
        row.id: row.user_id
        for row in await session.execute(
            select(Conversation.id, Conversation.user_id).where(Conversation.id.in_(wanted))
        )
    }
    existing = set(owners)
    # Each message carries its owner (search reads it through a per-user index).
    rows = [
        {**wire.as_row(m), "user_id": owners[m.conversation_id]}
        for m in messages
        if m.conversation_id in existing
    ]
    if len(rows) < len(messages):
        log.warning("write_behind_orphans_dropped", count=len(messages) - len(rows))
    if not rows:
        return 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(Message.__table__).values(rows).on_conflict_do_nothing(index_elements=["id"])
    )
    result = await session.execute(stmt)
    latest: dict[uuid.UUID, Any] = {}
    for m in messages:
        if m.conversation_id in existing:
            latest[m.conversation_id] = max(
                latest.get(m.conversation_id, m.created_at), m.created_at
            )
    for conversation_id, moment in latest.items():
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.updated_at < moment)
            .values(updated_at=moment)
            .execution_options(synchronize_session=False)
        )
    inserted: int = getattr(result, "rowcount", 0) or 0
    return max(inserted, 0)


class Persister:
    """One consumer of the group: claims a dead consumer's entries, reads new ones, stores them."""

    def __init__(
        self,
        client: Redis,
        db: Database,
        *,
        consumer: str | None = None,
        batch: int = 200,
        block_ms: int = 1000,
        claim_idle_ms: int = 30_000,
    ) -> None:
        self.client = client
        self.db = db
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}-{new_id().hex[-6:]}"
        self.batch = batch
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self._claim_from = "0-0"

    async def ensure_group(self) -> None:
        try:
            await self.client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _claimed(self) -> list[tuple[bytes, dict[bytes, bytes]]]:
        answer: Any = await self.client.xautoclaim(
            STREAM, GROUP, self.consumer, self.claim_idle_ms, self._claim_from, count=self.batch
        )
        self._claim_from = answer[0].decode() if isinstance(answer[0], bytes) else str(answer[0])
        return [(entry_id, fields) for entry_id, fields in answer[1] if fields]

    async def step(self, *, block: bool = True) -> int:
        """One batch: claimed entries first, else new ones; the number of entries handled."""
        entries = await self._claimed()
        if entries:
            log.info("write_behind_claimed", count=len(entries), consumer=self.consumer)
        else:
            answer: Any = await self.client.xreadgroup(
                GROUP,
                self.consumer,
                {STREAM: ">"},
                count=self.batch,
                block=self.block_ms if block else None,
            )
            entries = [e for _, stream_entries in answer or [] for e in stream_entries]
        if not entries:
            return 0
        messages = [wire.decode(fields[b"data"]) for _, fields in entries]
        async with self.db.sessions() as session:
            inserted = await store(session, messages)
            await session.commit()
        PERSISTED.inc(inserted)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.xack(STREAM, GROUP, *[entry_id for entry_id, _ in entries])
            pipe.xdel(STREAM, *[entry_id for entry_id, _ in entries])
            for m in messages:
                pipe.hdel(pending_key(m.conversation_id), str(m.id))
            await pipe.execute()
        return len(entries)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop` is set; a Redis or database outage is waited out, never fatal."""
        log.info("write_behind_persister_started", consumer=self.consumer)
        ready = False
        while not stop.is_set():
            try:
                if not ready:
                    await self.ensure_group()
                    ready = True
                await self.step()
            except OUTAGE_ERRORS as exc:
                log.warning("write_behind_persister_waiting", error_type=type(exc).__name__)
                await _sleep_unless(stop, 1.0)
            except Exception as exc:  # a database outage: the entries stay pending, retried
                log.warning("write_behind_persister_failed", error_type=type(exc).__name__)
                ready = False  # a stream deleted meanwhile (NOGROUP) gets its group again
                await _sleep_unless(stop, 1.0)
        log.info("write_behind_persister_stopped", consumer=self.consumer)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_persister(
    settings: Settings, stop: asyncio.Event, *, batch: int = 200, db: Database | None = None
) -> None:
    """A persister with its own Redis client (and database, unless given) until `stop`."""
    if not settings.redis_dsn:
        raise ValueError("write-behind needs SALESBOT_REDIS_URL")
    own_db = db is None
    database = db or Database(
        make_engine(settings.effective_database_url, pool_size=2, pooler=settings.database_pooler)
    )
    client = Redis.from_url(settings.redis_dsn, socket_connect_timeout=1.0, socket_timeout=10.0)
    persister = Persister(
        client,
        database,
        batch=batch,
        claim_idle_ms=int(settings.chat_persist_claim_idle_s * 1000),
    )
    try:
        await persister.run(stop)
    finally:
        await client.aclose()
        if own_db:
            await database.dispose()


def persister_thread(
    settings: Settings, stop: threading.Event, *, batch: int = 200
) -> threading.Thread:
    """A persister on a thread and event loop of its own (the worker, the CLI) until `stop`."""

    async def run() -> None:
        done = asyncio.Event()
        loop = asyncio.get_running_loop()

        def relay() -> None:
            stop.wait()
            loop.call_soon_threadsafe(done.set)

        threading.Thread(target=relay, daemon=True, name="chat-persister-stop").start()
        await run_persister(settings, done, batch=batch)

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="chat-persister")
    thread.start()
    return thread
