"""A private database per backup test: SQLite in the test's folder, or `<slot db>_drill`."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from salesbot.kit.storage import Storage
from salesbot.migrations.runner import upgrade
from salesbot.ops.dumps import DbSnapshot, live_snapshot, sqlite_path
from salesbot.settings import Settings
from tests.conftest import PG_URL, REDIS_URL, Stack, _flush_redis, make_settings, require_service


async def _admin(url: str, *statements: str) -> None:
    engine = create_async_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with engine.connect() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _wipe_postgres(url: str) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Drill:
    settings: Settings
    stack: Stack

    @property
    def url(self) -> str:
        return self.settings.effective_database_url

    async def wipe(self) -> None:
        """Lose everything: the database and every stored file."""
        if self.stack.name == "sqlite":
            path = sqlite_path(self.url)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            await _wipe_postgres(self.url)
        shutil.rmtree(self.settings.files_dir, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgres"])
def drill(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Drill]:
    """A migrated, empty database of the test's own, and a storage folder."""
    if request.param == "sqlite":
        stack = Stack("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'drill.db'}", None)
    else:
        require_service("PostgreSQL", PG_URL, 5432)
        require_service("Redis", REDIS_URL, 6379)
        _flush_redis()
        url = f"{PG_URL}_drill"  # the slot's database name, so parallel runs never share it
        name = make_url(url).database
        asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
        stack = Stack("postgres", url, REDIS_URL)
    settings = make_settings(stack, tmp_path / "data", rate_limit_login="1000/minute")
    settings.data_dir.mkdir(parents=True)
    upgrade(stack.database_url)
    yield Drill(settings, stack)
    if stack.name == "postgres":
        name = make_url(stack.database_url).database
        asyncio.run(_admin(stack.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        _flush_redis()


async def stored_checksums(storage: Storage) -> dict[str, str]:
    found: dict[str, str] = {}
    async for key in storage.list_keys():
        digest = hashlib.sha256()
        async for chunk in await storage.open(key):
            digest.update(chunk)
        found[key] = digest.hexdigest()
    return found


async def counts(url: str) -> dict[str, int]:
    snapshot: DbSnapshot | None = await live_snapshot(url)
    return dict(snapshot.tables) if snapshot else {}
