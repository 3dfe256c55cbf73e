"""Conversation search benchmark: p50/p95 per kind of query over a realistic corpus.

The corpus: 1,000,000 messages on PostgreSQL (100,000 on SQLite FTS5) in conversations of many
users, words drawn from a Zipf-distributed vocabulary whose most frequent words are the
product's own — "proposal", location names from the demo catalogue, client names — followed by
tens of thousands of rarer synthetic words. Users' activity is skewed too: searches run as the
busiest user (about a sixth of all messages), the hardest case for a per-user search.

Per kind of query (a rare word, a common word found in ≥ 10 % of messages, two words, a phrase,
a prefix, a client name) and for the mix of all of them it prints p50/p95 of the product's own
`search` (ranking, snippets, page), next to the same-run baseline: an ILIKE scan over the same
messages (the mix). On PostgreSQL it also times the previous query, which ranked every hit
before keeping the top 20 (`--old-rounds 0` skips it).

The PostgreSQL corpus is generated inside the database (generate_series, a fixed seed) in its
own database, SALESBOT_BENCH_SEARCH_DATABASE_URL (default
postgresql+asyncpg://postgres@127.0.0.1:5432/salesbot_bench_search), created when missing; a
corpus of the same size and seed is reused (`--fresh` regenerates it).

Run: .venv/bin/python benchmarks/bench_search.py [--messages 1000000] [--sqlite-messages 100000]
     [--rounds 3] [--old-rounds 1] [--ilike 2] [--skip-sqlite] [--skip-postgres] [--fresh]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import String, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from salesbot.conversations.query import parse_query, to_tsquery
from salesbot.conversations.search import search
from salesbot.kit.db import Database, make_engine
from salesbot.migrations.runner import upgrade

PG_URL = os.environ.get(
    "SALESBOT_BENCH_SEARCH_DATABASE_URL",
    "postgresql+asyncpg://postgres@127.0.0.1:5432/salesbot_bench_search",
)
SEED = 20261207
USERS = 200
PER_CONVERSATION = 50
BAG = 400_000  # the Zipf distribution as a bag of words drawn uniformly
PER_KIND = 20

# The product's own frequent words first (most frequent first), then client names. Names of
# several words are drawn as one unit, as they occur in real chats, so phrases occur.
PRODUCT_WORDS = [
    "proposal", "landmark", "gateway", "rates", "weeks", "campaign", "jawhara", "digital",
    "budget", "dubai gateway", "booking", "screen", "uae21", "mockup", "spots", "month", "price",
    "payment terms", "sheikh zayed road", "city walk", "uae02", "uae03", "static", "january",
    "discount", "upfront", "unipole", "faces", "night", "package", "loop", "renewal",
    "the landmark", "production fee", "net rate",
]  # fmt: skip
PHRASES = [w for w in PRODUCT_WORDS if " " in w]
_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vi", "zo", "pe", "sa", "du", "fi", "go", "be"]
CLIENTS = sorted({a.title() + b + c for a in _SYLLABLES for b in _SYLLABLES for c in "rnx"})[:300]


def vocabulary() -> list[str]:
    """Every word by rank: product words, client names, then ~41,000 synthetic words."""
    rest = sorted(
        {a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES}
        | {
            a + b + c + d
            for a in _SYLLABLES
            for b in _SYLLABLES
            for c in _SYLLABLES
            for d in _SYLLABLES
        }
    )
    random.Random(SEED).shuffle(rest)
    return PRODUCT_WORDS + [c.lower() for c in CLIENTS] + rest


def zipf_bag(words: list[str]) -> list[str]:
    """`BAG` draws' worth of each word in proportion to 1 / (rank + 2.7) (Zipf–Mandelbrot)."""
    weights = [1 / (rank + 2.7) for rank in range(len(words))]
    total = sum(weights)
    bag: list[str] = []
    for word, weight in zip(words, weights, strict=True):
        bag.extend([word] * max(1, round(weight / total * BAG)))
    return bag


def message_length(n: int) -> int:
    """Short requests and longer replies: 6 to 29 words."""
    return 6 + (n * 7919) % 24


def doc_frequency(bag: list[str], word: str) -> float:
    """Expected share of messages containing `word` (mean message length 17.5)."""
    p = bag.count(word) / len(bag)
    return float(1 - (1 - p) ** 17.5)


def queries(bag: list[str], words: list[str]) -> dict[str, list[str]]:
    rng = random.Random(SEED)
    common = [w for w in PRODUCT_WORDS if " " not in w and doc_frequency(bag, w) >= 0.10]
    rare = words[-15_000:]
    middle = words[40:3000]
    pick = rng.choice
    return {
        "rare word": [pick(rare) for _ in range(PER_KIND)],
        "common word (≥10 %)": [common[n % len(common)] for n in range(PER_KIND)],
        "two words": [f"{pick(common)} {pick(middle)}" for _ in range(PER_KIND)],
        "phrase": [f'"{PHRASES[n % len(PHRASES)]}"' for n in range(PER_KIND)],
        "prefix": [pick(common + middle[:200])[:4] + "*" for _ in range(PER_KIND)],
        "client name": [pick(CLIENTS[:150]) for _ in range(PER_KIND)],
    }


# --- PostgreSQL corpus ---------------------------------------------------------------------


async def _ensure_database(url: str) -> bool:
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
    except Exception as exc:  # unreachable or not allowed: SQLite only
        print(f"PostgreSQL not available ({type(exc).__name__}); SQLite only.")
        return False
    finally:
        await admin.dispose()
    return True


async def _corpus_ready(db: Database, total: int) -> bool:
    async with db.engine.connect() as conn:
        marker = await conn.scalar(text("SELECT to_regclass('bench_corpus')"))
        if marker is None:
            return False
        row = (await conn.execute(text("SELECT messages, seed FROM bench_corpus"))).first()
    return row is not None and tuple(row) == (total, SEED)


async def _reset_schema(url: str) -> None:
    db = Database(make_engine(url))
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await db.dispose()


async def generate_postgres(db: Database, total: int, bag: list[str]) -> None:
    """Users, conversations and messages in SQL; the message index is rebuilt at the end."""
    conversations = max(1, total // PER_CONVERSATION)
    async with db.engine.begin() as conn:
        await conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        await conn.execute(text(f"SELECT setseed({(SEED % 1000) / 1000})"))
        for index in INDEXES:
            await conn.execute(text(f"DROP INDEX IF EXISTS {index}"))
        await conn.execute(
            text(
                "INSERT INTO users (id, email, name, is_active, created_at) "
                "SELECT gen_random_uuid(), 'bench' || g || '@example.com', 'User ' || g, true, "
                "now() FROM generate_series(0, :n - 1) g"
            ).bindparams(n=USERS)
        )
        await conn.execute(text("CREATE TEMP TABLE ranked AS SELECT id, row_number() OVER "
                                "(ORDER BY email) - 1 AS n FROM users"))  # fmt: skip
        # Activity is skewed: user n owns conversations with probability ~ r**3 (user 0: ~17 %).
        await conn.execute(
            text(
                "INSERT INTO conversations (id, user_id, title, updated_at, pinned, metadata, "
                "created_at) WITH pick AS MATERIALIZED (SELECT g, "
                "floor(:u * power(random(), 3))::int AS n FROM generate_series(1, :c) g) "
                "SELECT gen_random_uuid(), r.id, 'Chat ' || pick.g, now(), false, '{}', now() "
                "FROM pick JOIN ranked r ON r.n = pick.n"
            ).bindparams(c=conversations, u=USERS)
        )
        await conn.execute(
            text(
                "CREATE TEMP TABLE conv AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS n "
                "FROM conversations"
            )
        )
        ids = [
            (row[0], row[1])
            for row in await conn.execute(
                text(
                    "SELECT conv.id, c.user_id FROM conv JOIN conversations c ON c.id = conv.id "
                    "ORDER BY conv.n"
                )
            )
        ]
        await _copy_messages(conn, total, ids, bag)
        for index, definition in INDEXES.items():
            await conn.execute(text(f"CREATE INDEX {index} ON messages {definition}"))
        await conn.execute(text("CREATE TABLE bench_corpus (messages int, seed int)"))
        await conn.execute(
            text("INSERT INTO bench_corpus VALUES (:m, :s)").bindparams(m=total, s=SEED)
        )
    async with db.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE messages"))
        await conn.execute(text("VACUUM ANALYZE conversations"))


# The message indexes as the migrations leave them, rebuilt after the bulk load.
INDEXES = {
    "ix_messages_user_search": "USING GIN (user_id, search_vector)",
    "ix_messages_user_id_created_at": "(user_id, created_at)",
    "ix_messages_created_at": "(created_at)",
}
Owned = tuple[uuid.UUID, uuid.UUID]  # conversation, its owner
Row = tuple[uuid.UUID, uuid.UUID, uuid.UUID, str, str, str, datetime]


def message_rows(total: int, conversations: list[Owned], bag: list[str]) -> list[Row]:
    """Oldest first, as on a real append-only table; one message a minute, seeded."""
    rng = random.Random(SEED)
    start = datetime.now(UTC) - timedelta(minutes=total)
    rows: list[Row] = []
    for g in range(1, total + 1):
        words = " ".join(rng.choices(bag, k=message_length(g)))
        rows.append(
            (
                uuid.UUID(int=rng.getrandbits(128), version=4),
                *conversations[g % len(conversations)],
                "user" if g % 2 == 0 else "assistant",
                words,
                "{}",
                start + timedelta(minutes=g),
            )
        )
    return rows


async def _copy_messages(
    conn: AsyncConnection, total: int, conversations: list[Owned], bag: list[str]
) -> None:
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None
    columns = ["id", "conversation_id", "user_id", "role", "content", "metadata", "created_at"]
    step = 100_000
    rows = await asyncio.to_thread(message_rows, total, conversations, bag)
    for first in range(0, total, step):
        await raw.copy_records_to_table(
            "messages", records=rows[first : first + step], columns=columns
        )


async def busiest_user(db: Database) -> tuple[uuid.UUID, int, int]:
    async with db.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT c.user_id, count(*) FROM messages m JOIN conversations c "
                    "ON c.id = m.conversation_id GROUP BY c.user_id ORDER BY 2 DESC LIMIT 1"
                )
            )
        ).one()
        total = await conn.scalar(text("SELECT count(*) FROM messages"))
    return row[0], int(row[1]), int(total or 0)


# The query before issue #19: every hit ranked (ts_rank_cd, one heap fetch each) before the top
# 20 are kept. Kept here as the same-run "before" figure.
OLD_POSTGRES = """
WITH q AS (SELECT to_tsquery('english', :q) AS query),
hits AS (
  SELECT m.id AS message_id, m.created_at AS created_at, m.content AS body,
         ts_rank_cd(m.search_vector, q.query) AS rank
  FROM messages m JOIN conversations c ON c.id = m.conversation_id, q
  WHERE m.search_vector @@ q.query AND c.user_id = :user_id AND c.deleted_at IS NULL
  UNION ALL
  SELECT NULL, c.updated_at, c.title,
         ts_rank_cd(to_tsvector('english', coalesce(c.title, '')), q.query) * 2.0
  FROM conversations c, q
  WHERE to_tsvector('english', coalesce(c.title, '')) @@ q.query
    AND c.user_id = :user_id AND c.deleted_at IS NULL
),
page AS (SELECT * FROM hits ORDER BY rank DESC, created_at DESC LIMIT 21)
SELECT page.message_id, ts_headline('english', page.body, q.query) FROM page, q
"""


async def old_search(session: AsyncSession, user_id: uuid.UUID, q: str) -> int:
    terms = parse_query(q)
    stmt = text(OLD_POSTGRES).bindparams(
        bindparam("q", to_tsquery(terms), type_=String), bindparam("user_id", user_id, type_=Uuid)
    )
    return len((await session.execute(stmt)).all())


# --- the ILIKE baseline ----------------------------------------------------------------------


def _ilike_patterns(q: str) -> list[str]:
    """Every word (or the phrase) of the query as a substring pattern."""
    phrase = q.strip().startswith('"')
    words = [w for w in q.replace('"', " ").replace("*", " ").split() if w]
    return [f"%{' '.join(words)}%"] if phrase else [f"%{w}%" for w in words]


async def ilike_search(session: AsyncSession, user_id: uuid.UUID, q: str, pg: bool) -> int:
    patterns = _ilike_patterns(q)
    like = "ILIKE" if pg else "LIKE"  # SQLite's LIKE is case-insensitive for ASCII
    where = " AND ".join(f"m.content {like} :p{n}" for n in range(len(patterns)))
    stmt = text(
        "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id "
        f"WHERE c.user_id = :u AND c.deleted_at IS NULL AND {where} "  # nosec B608  # constants
        "ORDER BY m.created_at DESC LIMIT 21"
    ).bindparams(
        bindparam("u", user_id, type_=Uuid), **{f"p{n}": p for n, p in enumerate(patterns)}
    )
    if pg:  # the product's search set a time limit for the transaction: not for the baseline
        await session.execute(text("SET LOCAL statement_timeout = 0"))
    return len((await session.execute(stmt)).all())


# --- measuring -------------------------------------------------------------------------------


def pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


async def timed(call: Callable[[str], Awaitable[int]], q: str) -> tuple[float, int]:
    began = time.perf_counter()
    hits = await call(q)
    return time.perf_counter() - began, hits


async def measure(
    db: Database, user_id: uuid.UUID, qs: dict[str, list[str]], args: argparse.Namespace, pg: bool
) -> None:
    async def product(q: str) -> int:
        return len(await search(session, user_id=user_id, q=q, limit=21, offset=0))

    async def old(q: str) -> int:
        return await old_search(session, user_id, q)

    async def ilike(q: str) -> int:
        return await ilike_search(session, user_id, q, pg)

    mix: dict[str, list[float]] = {"product": [], "old": [], "ilike": []}
    header = f"    {'kind':<22}{'p50':>8}{'p95':>8}{'hits':>7}"
    if pg and args.old_rounds:
        header += f" | {'old p50':>8}{'old p95':>9}"
    print(header + "   (ms)")
    async with db.sessions() as session:
        for q in itertools.chain(*qs.values()):  # warm: one untimed pass
            await product(q)
        for kind, batch in qs.items():
            times, hits = [], 0
            for _ in range(args.rounds):
                for q in batch:
                    seconds, found = await timed(product, q)
                    times.append(seconds)
                    hits += found
            mix["product"] += times
            line = f"    {kind:<22}{pct(times, 50):8.1f}{pct(times, 95):8.1f}"
            line += f"{hits / len(times):7.1f}"
            if pg and args.old_rounds:
                before = [
                    (await timed(old, q))[0] for _ in range(args.old_rounds) for q in batch[:10]
                ]
                mix["old"] += before
                line += f" | {pct(before, 50):8.1f}{pct(before, 95):9.1f}"
            print(line)
        for batch in qs.values():
            for q in batch[: args.ilike]:
                mix["ilike"].append((await timed(ilike, q))[0])
    _summary(mix, pg and bool(args.old_rounds))


def _summary(mix: dict[str, list[float]], with_old: bool) -> None:
    fts50, fts95 = pct(mix["product"], 50), pct(mix["product"], 95)
    like50, like95 = pct(mix["ilike"], 50), pct(mix["ilike"], 95)
    print(f"    {'mix':<22}{fts50:8.1f}{fts95:8.1f}        (target p95 ≤ 50 ms)")
    if with_old:
        old50, old95 = pct(mix["old"], 50), pct(mix["old"], 95)
        print(f"    mix, before (rank every hit)  p50 {old50:8.1f}  p95 {old95:8.1f}")
    print(
        f"    mix, ILIKE baseline           p50 {like50:8.1f}  p95 {like95:8.1f}   "
        f"ILIKE / search: p50 {like50 / fts50:6.0f}×  p95 {like95 / fts95:6.0f}× (target ≥ 100×)"
    )


# --- runners ---------------------------------------------------------------------------------


async def run_postgres(args: argparse.Namespace, bag: list[str], qs: dict[str, list[str]]) -> None:
    if not await _ensure_database(PG_URL):
        return
    db = Database(make_engine(PG_URL))
    try:
        if not args.fresh:
            await asyncio.to_thread(upgrade, PG_URL)  # a kept corpus gets newer migrations
        if args.fresh or not await _corpus_ready(db, args.messages):
            await db.dispose()
            await _reset_schema(PG_URL)
            await asyncio.to_thread(upgrade, PG_URL)
            db = Database(make_engine(PG_URL))
            began = time.perf_counter()
            await generate_postgres(db, args.messages, bag)
            print(f"    generated the corpus in {time.perf_counter() - began:.0f} s")
        if args.generate_only:
            return
        user_id, own, total = await busiest_user(db)
        async with db.engine.connect() as conn:
            common = await conn.scalar(
                text(
                    "SELECT count(*) FROM messages "
                    "WHERE search_vector @@ to_tsquery('english', 'proposal')"
                )
            )
        print(
            f"\nPostgreSQL: {total:,} messages, {USERS} users; searching as the busiest "
            f"({own:,} messages); 'proposal' in {100 * (common or 0) / max(total, 1):.0f} %"
        )
        await measure(db, user_id, qs, args, pg=True)
    finally:
        await db.dispose()


def generate_sqlite(path: Path, total: int, bag: list[str]) -> uuid.UUID:
    """The same shape of corpus, inserted through the FTS5 triggers; returns the busiest user."""
    rng = random.Random(SEED)
    start = datetime.now(UTC) - timedelta(minutes=total)
    stamp = start.strftime("%Y-%m-%d %H:%M:%S.%f")
    users = [uuid.UUID(int=rng.getrandbits(128)) for _ in range(USERS)]
    conversations = [
        (uuid.UUID(int=rng.getrandbits(128)), users[int(USERS * rng.random() ** 3)])
        for _ in range(max(1, total // PER_CONVERSATION))
    ]
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO users (id, email, name, is_active, created_at) VALUES (?, ?, ?, 1, ?)",
            [(u.hex, f"bench{n}@example.com", f"User {n}", stamp) for n, u in enumerate(users)],
        )
        conn.executemany(
            "INSERT INTO conversations (id, user_id, title, updated_at, pinned, metadata, "
            "created_at) VALUES (?, ?, ?, ?, 0, '{}', ?)",
            [(c.hex, u.hex, f"Chat {n}", stamp, stamp) for n, (c, u) in enumerate(conversations)],
        )
        rows = []
        for g in range(1, total + 1):
            words = " ".join(rng.choice(bag) for _ in range(message_length(g)))
            at = (start + timedelta(minutes=g)).strftime("%Y-%m-%d %H:%M:%S.%f")
            role = "user" if g % 2 == 0 else "assistant"
            cid, uid = conversations[g % len(conversations)]
            rows.append(
                (uuid.UUID(int=rng.getrandbits(128)).hex, cid.hex, uid.hex, role, words, at)
            )
        conn.executemany(
            "INSERT INTO messages (id, conversation_id, user_id, role, content, metadata, "
            "created_at) VALUES (?, ?, ?, ?, ?, '{}', ?)",
            rows,
        )
        busiest = conn.execute(
            "SELECT c.user_id, count(*) FROM messages m JOIN conversations c "
            "ON c.id = m.conversation_id GROUP BY c.user_id ORDER BY 2 DESC LIMIT 1"
        ).fetchone()
        conn.execute("ANALYZE")
    print(f"\nSQLite FTS5: {total:,} messages, {USERS} users; the busiest has {busiest[1]:,}")
    return uuid.UUID(hex=busiest[0])


async def run_sqlite(args: argparse.Namespace, bag: list[str], qs: dict[str, list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        url = f"sqlite+aiosqlite:///{path}"
        await asyncio.to_thread(upgrade, url)
        user_id = await asyncio.to_thread(generate_sqlite, path, args.sqlite_messages, bag)
        db = Database(make_engine(url))
        try:
            await measure(db, user_id, qs, args, pg=False)
        finally:
            await db.dispose()


async def main(args: argparse.Namespace) -> None:
    words = vocabulary()
    bag = zipf_bag(words)
    qs = queries(bag, words)
    print(f"Vocabulary {len(words):,} words (Zipf); {PER_KIND} queries per kind, e.g.")
    for kind, batch in qs.items():
        print(f"    {kind:<22}{', '.join(batch[:3])}")
    if not args.skip_postgres:
        await run_postgres(args, bag, qs)
    if not args.skip_sqlite:
        await run_sqlite(args, bag, qs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--sqlite-messages", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the queries")
    parser.add_argument("--old-rounds", type=int, default=1, help="passes of the old query")
    parser.add_argument("--ilike", type=int, default=2, help="ILIKE queries per kind")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="regenerate the PostgreSQL corpus")
    parser.add_argument("--generate-only", action="store_true", help="make the corpus and stop")
    asyncio.run(main(parser.parse_args()))
