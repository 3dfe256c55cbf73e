"""Per-request cost of the session-revocation check, next to the user lookup every
authenticated request already makes (the baseline, measured in the same run).

Three paths of `SessionRevocations.is_revoked`: the in-process memory (the common case: a busy
session asks Redis or the database at most once per `SALESBOT_SESSION_CHECK_CACHE_S`), Redis
(`cache_s=0`, when Redis is reachable at SALESBOT_BENCH_REDIS_URL, default
redis://127.0.0.1:6379/14) and the database fallback (`cache_s=0`, no Redis), on SQLite.

Run: .venv/bin/python benchmarks/bench_session_check.py [--rounds 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from salesbot.auth.revocation import KEY_PREFIX, SessionRevocations
from salesbot.kit.db import Database, make_engine
from salesbot.kit.ids import new_id
from salesbot.kit.redis import RedisFacade
from salesbot.migrations.runner import upgrade
from salesbot.users import repository
from salesbot.users.models import AuthSession, User

REDIS_URL = os.environ.get("SALESBOT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


async def _per_call_us(rounds: int, call: Callable[[], Awaitable[object]]) -> float:
    for _ in range(min(50, rounds)):
        await call()
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            await call()
        samples.append((time.perf_counter() - start) / rounds * 1e6)
    return statistics.median(samples)


def _report(label: str, figure: float, baseline: float) -> None:
    print(f"{label:<42} {figure:8.1f} µs  {figure / baseline:5.2f}× the user lookup")


async def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        db = Database(make_engine(url, pool_size=5, max_overflow=0, pool_timeout=10, echo=False))
        sid = new_id()
        async with db.sessions() as session:
            user = User(email="bench@example.com", name="Bench", password_hash=None)
            user.roles = []
            session.add(user)
            await session.flush()
            now = datetime.now(UTC)
            session.add(
                AuthSession(
                    id=sid, user_id=user.id, last_seen_at=now, expires_at=now + timedelta(days=1)
                )
            )
            await session.commit()
            user_id = user.id

        async def user_lookup() -> object:
            async with db.sessions() as session:
                return await repository.user_by_id(session, user_id)

        def check_with(revocations: SessionRevocations) -> Callable[[], Awaitable[object]]:
            async def check() -> object:
                async with db.sessions() as session:
                    return await revocations.is_revoked(session, sid)

            return check

        baseline = await _per_call_us(rounds, user_lookup)
        print(f"baseline: user lookup per request          {baseline:8.1f} µs")
        no_redis = RedisFacade(None)
        cached = SessionRevocations(no_redis, cache_s=2.0, revoked_ttl_s=960)
        figure = await _per_call_us(rounds, check_with(cached))
        _report("check, in-process memory (cache 2 s)", figure, baseline)
        database = SessionRevocations(no_redis, cache_s=0, revoked_ttl_s=960)
        figure = await _per_call_us(rounds, check_with(database))
        _report("check, database fallback (cache 0)", figure, baseline)
        redis = RedisFacade(REDIS_URL)
        if await redis.ping():
            shared = SessionRevocations(redis, cache_s=0, revoked_ttl_s=960)
            figure = await _per_call_us(rounds, check_with(shared))
            _report("check, Redis (cache 0)", figure, baseline)
            assert redis.client is not None
            await redis.client.delete(f"{KEY_PREFIX}{sid}")
        else:
            print("check, Redis: skipped (not reachable)")
        await redis.close()
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    asyncio.run(main(parser.parse_args().rounds))
