"""Personal-data export memory benchmark: the peak Python heap while building the ZIP.

The export streams rows from the database and file bytes from storage into a ZIP on disk, so
its peak memory should not grow with the size of the person's data. This builds two exports on
SQLite with local storage, measured with tracemalloc in the same run:

  baseline  10 messages and 1 MB of files
  large     1,000 messages and 50 MB of files (5 x 10 MB)

and prints both peaks and their ratio (about 1 means bounded; ~50 would mean the files were
held in memory).

Run: .venv/bin/python benchmarks/bench_lifecycle_export.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import tracemalloc
from pathlib import Path

from salesbot.conversations.models import Conversation, Message
from salesbot.files import service as files
from salesbot.kit.db import Database, make_engine
from salesbot.kit.storage import LocalStorage
from salesbot.lifecycle.building import build_export
from salesbot.lifecycle.models import DataExport
from salesbot.migrations.runner import upgrade
from salesbot.users.models import User

MB = 1024 * 1024


async def _person(
    database: Database, storage: LocalStorage, key: str, messages: int, file_mb: list[int]
) -> DataExport:
    async with database.sessions() as session:
        user = User(email=f"{key}@example.com", name=key.title())
        session.add(user)
        await session.flush()
        talk = Conversation(user_id=user.id, title="Bench")
        session.add(talk)
        await session.flush()
        for n in range(messages):
            text = f"make me a landmark proposal for client {n}, rates 1.5M " * 4
            session.add(
                Message(conversation_id=talk.id, user_id=user.id, role="user", content=text)
            )
        for n, size in enumerate(file_mb):
            data = f"file {n}\n".encode() + b"x" * (size * MB - 16)
            await files.store_generated(
                session,
                storage,
                owner_id=user.id,
                name=f"f{n}.txt",
                data=data,
                content_type="text/plain",
            )
        export = DataExport(user_id=user.id, status="queued")
        session.add(export)
        await session.commit()
        return export


async def _measure(
    database: Database, storage: LocalStorage, export: DataExport, work: Path
) -> tuple[float, float, int]:
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    await build_export(database.sessions, storage, export.id, work_dir=work, link_days=7)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    async with database.sessions() as session:
        done = await session.get(DataExport, export.id)
        assert done is not None and done.status == "done", done and done.error
        size = done.size or 0
    return peak / MB, elapsed, size


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite+aiosqlite:///{root / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        database = Database(make_engine(url))
        storage = LocalStorage(root / "files")
        try:
            small = await _person(database, storage, "small", 10, [1])
            large = await _person(database, storage, "large", 1000, [10] * 5)
            base_peak, base_s, base_size = await _measure(database, storage, small, root)
            peak, seconds, size = await _measure(database, storage, large, root)
        finally:
            await database.dispose()
    print(
        f"baseline: 10 messages, 1 MB files   -> ZIP {base_size / MB:6.1f} MB, "
        f"peak heap {base_peak:6.2f} MB, {base_s:5.2f} s"
    )
    print(
        f"large: 1,000 messages, 50 MB files -> ZIP {size / MB:6.1f} MB, "
        f"peak heap {peak:6.2f} MB, {seconds:5.2f} s"
    )
    print(
        f"peak heap ratio large/baseline: {peak / base_peak:.2f} "
        f"(data ratio {size / base_size:.0f})"
    )


if __name__ == "__main__":
    asyncio.run(main())
