"""Conversation storage and search benchmark.

(a) Appending message #10 vs #10,000 to one conversation (append-only: one INSERT plus an
    `updated_at` touch) — the ratio should be about 1 — next to the legacy approach, which
    rewrites a user's whole JSON blob on every message, measured at 1,000 and 10,000 messages.
    A durable append costs one commit (a disk flush, 2–10 ms on this machine), which bounds
    the time gain at ~2–4× at 1,000 messages ("no disk flush" shows the work without it); the
    real difference is the bytes written per message, printed too: constant for an append,
    the whole history (O(n)) for a blob rewrite.
(b) Full-text search over 1,000,000 messages of one user on PostgreSQL (the product's own
    search function), next to an ILIKE scan. benchmarks/bench_search.py is the search
    benchmark of record (many users, Zipf vocabulary, the query mix, SQLite FTS5 too).
(c) Reading the latest 50-message page (`service.messages_page` and the endpoint's response
    model: the API's hottest read) from the hot conversation cache in Redis (ADR-002) vs from
    PostgreSQL: the same conversation, process and session, rounds alternated; Redis is a
    private redis-server on a free port. `--page-only` runs just this.

SQLite runs (a) always; PostgreSQL runs (a), (c) and (b) when reachable
(SALESBOT_BENCH_DATABASE_URL, default postgresql+asyncpg://postgres@127.0.0.1:5432/salesbot_bench;
the database is created when missing and its schema is reset). Data for (b) is generated in
the database with INSERT ... SELECT generate_series. `--messages N` shrinks (b) for a quick run.

Run: .venv/bin/python benchmarks/bench_conversations.py [--messages 1000000] [--skip-search]
     [--page-only]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support, run as a script

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from salesbot.conversations import repository, service
from salesbot.conversations.models import Message
from salesbot.conversations.search import search
from salesbot.kit.db import Database, make_engine
from salesbot.kit.ids import new_id
from salesbot.migrations.runner import upgrade
from tests.support.private_services import private_redis

PG_URL = os.environ.get(
    "SALESBOT_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/salesbot_bench"
)
SAMPLES = 40
START = datetime(2026, 1, 1, tzinfo=UTC)
rng = random.Random(7)


def realistic(n: int) -> tuple[str, str]:
    """A chat message like the product's: short requests, longer replies."""
    if n % 2 == 0:
        return (
            "user",
            f"make me a landmark proposal for client {n}, start Jan 1st 2026, rates 1.5M",
        )
    return "assistant", ("Here is the proposal for The Landmark with 2 and 4 weeks. " * 8)[:480]


# --- (a) appends -----------------------------------------------------------------------------


async def _seed_user(session: AsyncSession) -> uuid.UUID:
    user_id = new_id()
    await session.execute(
        text(
            "INSERT INTO users (id, email, name, is_active, created_at) "
            "VALUES (:id, :email, 'Bench', true, :now)"
        ).bindparams(id=user_id, email=f"bench-{user_id.hex}@example.com", now=START),
    )
    await session.commit()
    return user_id


async def _conversation(session: AsyncSession, user_id: uuid.UUID, size: int) -> uuid.UUID:
    conversation = await repository.create_conversation(
        session, user_id=user_id, title="Bench", now=START
    )
    messages = []
    for n in range(size):
        role, content = realistic(n)
        messages.append(
            Message(
                id=new_id(),
                conversation_id=conversation.id,
                user_id=user_id,
                role=role,
                content=content,
                meta={},
                created_at=START + timedelta(seconds=n),
            )
        )
    await repository.insert_messages(session, messages)
    await session.commit()
    return conversation.id


async def _append(session: AsyncSession, conversation_id: uuid.UUID, n: int) -> float:
    """Seconds to append message number n + 1 (the product's append, committed)."""
    role, content = realistic(n)
    began = time.perf_counter()
    await service.append(
        session, conversation_id, role=role, content=content, now=datetime.now(UTC)
    )
    return time.perf_counter() - began


async def append_ratio(db: Database, label: str) -> None:
    async with db.sessions() as session:
        user_id = await _seed_user(session)
        small = [await _conversation(session, user_id, 9) for _ in range(SAMPLES)]
        big = await _conversation(session, user_id, 9_999)
        # Interleaved so that drift on a shared machine hits both sides alike: each sample
        # appends #10 to its own 9-message conversation, then the next message of the big one.
        at_ten: list[float] = []
        at_10k: list[float] = []
        for n, conversation in enumerate(small):
            at_ten.append(await _append(session, conversation, 9))
            at_10k.append(await _append(session, big, 9_999 + n))
        legacy = await legacy_blob(session, user_id, db.is_sqlite, 1_000)
        legacy_10k = await legacy_blob(session, user_id, db.is_sqlite, 10_000)
    t10, t10k, tl, tl10k = (
        statistics.median(x) * 1000 for x in (at_ten, at_10k, legacy, legacy_10k)
    )
    print(f"\n(a) appends on {label} (median of {SAMPLES}, ms)")
    print(f"    message #10             {t10:8.3f}")
    print(
        f"    message #10,000         {t10k:8.3f}   #10,000 / #10 = {t10k / t10:5.2f} (target ≈ 1)"
    )
    print(f"    legacy blob, message #1,000  {tl:8.3f}   legacy / append = {tl / t10k:5.1f}×")
    print(f"    legacy blob, message #10,000 {tl10k:8.3f}   legacy / append = {tl10k / t10k:5.1f}×")
    print("    bytes written per message (the payload; constant vs O(n)):")
    print(f"      append, any length           {entry_bytes(9_999):>12,}")
    for size in (1_000, 10_000):
        blob = blob_bytes(size)
        print(
            f"      blob rewrite at #{size:<7,}    {blob:>12,}   {blob / entry_bytes(9_999):7.0f}×"
        )


def _entry(n: int) -> dict[str, str]:
    role, content = realistic(n)
    return {"id": str(n), "role": role, "content": content, "timestamp": START.isoformat()}


def entry_bytes(n: int) -> int:
    """What an append writes: one message (its JSON form, as in the legacy blob)."""
    return len(json.dumps(_entry(n)).encode())


def blob_bytes(size: int) -> int:
    """What the legacy rewrite writes when message number `size` arrives: the whole array."""
    return len(json.dumps([_entry(n) for n in range(size)]).encode())


async def legacy_blob(
    session: AsyncSession, user_id: uuid.UUID, sqlite: bool, size: int
) -> list[float]:
    """The old way: read the user's messages JSON, add one, write the whole array back;
    times appending message number `size`."""
    kind = "TEXT" if sqlite else "json"
    await session.execute(text("DROP TABLE IF EXISTS legacy_chat_sessions"))
    await session.execute(
        text(f"CREATE TABLE legacy_chat_sessions (user_id TEXT PRIMARY KEY, messages {kind})")
    )
    blob = []
    for n in range(size - 1):
        role, content = realistic(n)
        blob.append(
            {"id": str(n), "role": role, "content": content, "timestamp": START.isoformat()}
        )
    await session.execute(
        text(f"INSERT INTO legacy_chat_sessions VALUES (:u, CAST(:m AS {kind}))").bindparams(
            u=str(user_id), m=json.dumps(blob)
        )
    )
    await session.commit()

    async def append_legacy(n: int) -> float:
        began = time.perf_counter()
        raw = (
            await session.execute(
                text("SELECT messages FROM legacy_chat_sessions WHERE user_id = :u").bindparams(
                    u=str(user_id)
                )
            )
        ).scalar_one()
        messages = json.loads(raw) if isinstance(raw, str) else raw
        role, content = realistic(n)
        messages.append(
            {"id": str(n), "role": role, "content": content, "timestamp": START.isoformat()}
        )
        await session.execute(
            text(
                f"UPDATE legacy_chat_sessions SET messages = CAST(:m AS {kind}) WHERE user_id = :u"
            ).bindparams(m=json.dumps(messages), u=str(user_id))
        )
        await session.commit()
        return time.perf_counter() - began

    times = []
    for n in range(SAMPLES):
        times.append(await append_legacy(size - 1 + n))
    await session.execute(text("DROP TABLE legacy_chat_sessions"))
    await session.commit()
    return times


# --- (b) search ------------------------------------------------------------------------------

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vi", "zo", "pe", "sa", "du", "fi", "go"]
CLIENTS = [f"client{n:03d}" for n in range(300)]
LOCATIONS = ["landmark", "gateway", "jawhara", "uae21", "marina", "boulevard", "tower", "mall"]


def vocabulary() -> list[str]:
    words = {a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES}
    return sorted(words)[:2500] + CLIENTS + LOCATIONS


async def generate(db: Database, user_id: uuid.UUID, total: int) -> float:
    """`total` messages in conversations of 100, all owned by one user, generated in SQL."""
    began = time.perf_counter()
    conversations = max(1, total // 100)
    async with db.engine.begin() as conn:
        await conn.execute(text("DROP INDEX IF EXISTS ix_messages_search_vector"))
        await conn.execute(
            text(
                "INSERT INTO conversations (id, user_id, title, updated_at, pinned, metadata, "
                "created_at) SELECT gen_random_uuid(), :u, 'Chat ' || g, now(), false, '{}', now() "
                "FROM generate_series(1, :n) g"
            ).bindparams(u=user_id, n=conversations)
        )
        # Twelve to sixteen random words per message, 'proposal' in about one in ten.
        await conn.execute(
            text(
                "INSERT INTO messages (id, conversation_id, role, content, metadata, created_at) "
                "SELECT gen_random_uuid(), c.id, "
                "CASE WHEN g % 2 = 0 THEN 'user' ELSE 'assistant' END, "
                "(CASE WHEN random() < 0.1 THEN 'proposal ' ELSE '' END) || "
                "(SELECT string_agg(w.words[1 + floor(random() * w.size)::int + 0 * s], ' ') "
                " FROM generate_series(1, 12 + (g + length(c.title)) % 5) s), "
                "'{}', now() - g * interval '1 second' "
                "FROM conversations c, generate_series(1, 100) g, "
                "(SELECT CAST(:words AS text[]) AS words, :size AS size) w "
                "WHERE c.user_id = :u"
            ).bindparams(u=user_id, words=vocabulary(), size=len(vocabulary()))
        )
        await conn.execute(
            text("CREATE INDEX ix_messages_search_vector ON messages USING GIN (search_vector)")
        )
        await conn.execute(text("ANALYZE messages"))
        await conn.execute(text("ANALYZE conversations"))
    return time.perf_counter() - began


def queries() -> dict[str, list[str]]:
    words = vocabulary()[:2500]
    pick = rng.sample
    return {
        "one word": pick(words, 20),
        "two words": [f"{a} {b}" for a, b in zip(pick(words, 20), pick(words, 20), strict=True)],
        "client name": pick(CLIENTS, 20),
        "prefix": [w[:4] + "*" for w in pick(words, 20)],
        '"phrase"': [f'"{a} {b}"' for a, b in zip(pick(words, 20), pick(words, 20), strict=True)],
        "common (10%)": ["proposal"] * 5,
    }


async def search_latency(db: Database, user_id: uuid.UUID) -> None:
    ilike = text(
        "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        "WHERE c.user_id = :u AND c.deleted_at IS NULL AND m.content ILIKE :p "
        "ORDER BY m.created_at DESC LIMIT 20"
    )
    print("\n(b) search (ms)             FTS p50   FTS p95 | ILIKE p50  ILIKE p95   hits")
    async with db.sessions() as session:
        await search(session, user_id=user_id, q="warmup", limit=20, offset=0)
        for kind, qs in queries().items():
            fts_times, like_times, hits = [], [], 0
            for q in qs:
                began = time.perf_counter()
                found = await search(session, user_id=user_id, q=q, limit=20, offset=0)
                fts_times.append(time.perf_counter() - began)
                hits += len(found)
                term = q.strip('"*')
                pattern = f"%{term}%"
                began = time.perf_counter()
                await session.execute(ilike.bindparams(u=user_id, p=pattern))
                like_times.append(time.perf_counter() - began)
                if kind.startswith("common") and len(like_times) >= 3:
                    break
            fp50, fp95 = _p(fts_times, 50), _p(fts_times, 95)
            lp50, lp95 = _p(like_times, 50), _p(like_times, 95)
            print(
                f"    {kind:<20} {fp50:9.1f} {fp95:9.1f} | {lp50:9.1f} {lp95:10.1f} "
                f"{hits / len(fts_times):6.1f}"
            )


def _p(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index] * 1000


# --- (c) page reads: hot cache vs database ------------------------------------------------------


async def page_reads(db: Database, *, rounds: int = 7, calls: int = 200) -> None:
    from salesbot.auth.service import Principal
    from salesbot.conversations import hot
    from salesbot.conversations.endpoints import message_page
    from salesbot.kit.redis import RedisFacade

    async with db.sessions() as session:
        user_id = await _seed_user(session)
        conversation_id = await _conversation(session, user_id, 60)
    principal = Principal(user_id, "bench@example.com", "Bench", (), frozenset(), "bearer")
    times: dict[str, list[float]] = {"Redis": [], "PostgreSQL": []}
    served = {"redis": 0.0, "database": 0.0}
    with private_redis() as redis:
        facade = RedisFacade(redis.url)
        cache = hot.HotCache(facade, ttl_s=3600)
        try:
            async with db.reads() as session:
                for _ in range(rounds):
                    for label, installed in (("Redis", cache), ("PostgreSQL", None)):
                        hot.install(installed)
                        await service.messages_page(
                            session, principal, conversation_id, cursor=None, limit=50
                        )  # the first read of a round fills the cache
                        before = {k: hot.PAGE_READS.labels(source=k)._value.get() for k in served}
                        for _ in range(calls):
                            began = time.perf_counter()
                            page = await service.messages_page(
                                session, principal, conversation_id, cursor=None, limit=50
                            )
                            message_page(page.items, page.next_cursor, page.has_more)
                            times[label].append(time.perf_counter() - began)
                            assert len(page.items) == 50 and page.has_more
                        for k in served:
                            served[k] += hot.PAGE_READS.labels(source=k)._value.get() - before[k]
        finally:
            hot.install(None)
            await facade.close()
    print(
        f"\n(c) latest 50-message page of a 60-message conversation, {rounds} alternated rounds "
        f"of {calls} reads and response models (in-process, one session)"
    )
    for label, values in times.items():
        print(f"    from {label:<11} p50 {_p(values, 50):6.2f} ms   p95 {_p(values, 95):6.2f} ms")
    ratio = _p(times["PostgreSQL"], 50) / _p(times["Redis"], 50)
    print(
        f"    PostgreSQL p50 / Redis p50: {ratio:.2f}x; in the Redis rounds {served['redis']:.0f} "
        f"pages came from Redis, {served['database']:.0f} fell through to PostgreSQL"
    )


# --- runners ---------------------------------------------------------------------------------


async def _ensure_pg_database(url: str) -> bool:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = make_engine(urlunsplit(parts._replace(path="/postgres")))
    try:
        async with admin.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n").bindparams(n=name)
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
        reset = make_engine(url)
        async with reset.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await reset.dispose()
    except (OSError, Exception) as exc:  # unreachable or not allowed: SQLite only
        print(f"PostgreSQL not available ({type(exc).__name__}); running SQLite only.")
        return False
    finally:
        await admin.dispose()
    return True


def _no_flush(url: str) -> AsyncEngine:
    """The same database without waiting for the disk at commit: isolates each approach's own
    work from the commit latency, which dominates both on slow or shared disks."""
    if url.startswith("sqlite"):
        engine = make_engine(url)

        def relaxed(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.cursor().execute("PRAGMA synchronous=OFF")

        event.listen(engine.sync_engine, "connect", relaxed)
        return engine
    return create_async_engine(url, connect_args={"server_settings": {"synchronous_commit": "off"}})


async def appends(url: str, label: str) -> None:
    for engine, mode in ((make_engine(url), "durable commits"), (_no_flush(url), "no disk flush")):
        db = Database(engine)
        try:
            await append_ratio(db, f"{label}, {mode}")
        finally:
            await db.dispose()


async def main(total: int, skip_search: bool, page_only: bool = False) -> None:
    if page_only:
        if not await _ensure_pg_database(PG_URL):
            return
        await asyncio.to_thread(upgrade, PG_URL)
        db = Database(make_engine(PG_URL))
        try:
            await page_reads(db)
        finally:
            await db.dispose()
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        await appends(url, "SQLite")
    if not await _ensure_pg_database(PG_URL):
        return
    await asyncio.to_thread(upgrade, PG_URL)
    await appends(PG_URL, "PostgreSQL")
    db = Database(make_engine(PG_URL))
    try:
        await page_reads(db)
        if skip_search:
            return
        async with db.sessions() as session:
            user_id = await _seed_user(session)
        seconds = await generate(db, user_id, total)
        async with db.engine.connect() as conn:
            count = await conn.scalar(text("SELECT count(*) FROM messages"))
        print(f"\n    generated {count:,} messages in {seconds:.0f} s")
        await search_latency(db, user_id)
    finally:
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--page-only", action="store_true", help="only (c): page reads")
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.skip_search, args.page_only))
