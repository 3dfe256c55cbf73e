"""A one-location proposal rendered by the `proposals.render` job vs in the request, same run.

Run: `PYTHONPATH=. .venv/bin/python benchmarks/bench_proposal_jobs.py [--repeat N]`.

Embedded defaults (SQLite, no Redis: Dramatiq's in-memory broker and the in-process worker, as
`salesbot serve` runs without Redis) with the demo data. Alternating rounds measure:
- in-line: `proposals.service.create_proposal` in the caller (the path before rendering moved to
  the queue; the baseline);
- queued: `proposals.flows.produce`, what the API and the chat tool now do: publish the progress
  record, enqueue, the worker renders and records, the caller follows the steps and reads the
  proposal back.
Prints p50/p95 of each, the queue's overhead, and the target: the whole turn ≤ 1 s. The chat
turn over HTTP is `bench_chat.py` (its `--before` serves another checkout for before/after).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from salesbot.auth.service import principal_for
from salesbot.files.service import storage_from_settings
from salesbot.jobs.runtime import start_jobs
from salesbot.kit.db import Database, make_engine
from salesbot.kit.logging import configure_logging
from salesbot.proposals import flows, service
from salesbot.settings import Settings
from salesbot.users import service as users
from salesbot.users.models import User

TARGET_S = 1.0


def _request(n: int) -> dict[str, object]:
    start = (date.today() + timedelta(days=30)).isoformat()
    entry = {
        "location": "szr_unipole",
        "start_date": start,
        "durations": ["4 weeks"],
        "net_rates": ["1500000"],
        "production_fee": "5000",
    }
    return {"kind": "separate", "client_name": f"Bench client {n}", "proposals": [entry]}


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(values) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


async def _measure(settings: Settings, repeat: int) -> dict[str, list[float]]:
    database = Database(make_engine(settings.effective_database_url))
    storage = storage_from_settings(settings)
    runtime = start_jobs(settings)
    steps: list[str] = []

    async def progress(percent: int, message: str) -> None:
        steps.append(message)

    figures: dict[str, list[float]] = {"in-line": [], "queued": []}
    try:
        async with database.sessions() as session:
            email = "sales@demo.salesbot.dev"
            user_id = await session.scalar(select(User.id).where(User.email == email))
            assert user_id is not None, "no demo salesperson"
            principal = principal_for(await users.get_user(session, user_id), "bearer")
        for n in range(repeat + 2):  # the first two rounds warm both paths up
            data = service.parse_input(_request(n))
            order = ["in-line", "queued"] if n % 2 else ["queued", "in-line"]
            for path in order:
                async with database.sessions() as session:
                    began = time.perf_counter()
                    if path == "in-line":
                        await service.create_proposal(
                            session, storage, principal, data, settings=settings
                        )
                    else:
                        await flows.produce(
                            session, principal, data, settings=settings, progress=progress
                        )
                    took = time.perf_counter() - began
                if n >= 2:
                    figures[path].append(took)
    finally:
        runtime.close()
        await database.dispose()
    print("  steps the caller saw (last queued round): " + " → ".join(steps[-8:]))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-proposal-jobs-") as tmp:
        env = {**os.environ, "SALESBOT_ENVIRONMENT": "development", "SALESBOT_DATA_DIR": tmp}
        for name in ("SALESBOT_DATABASE_URL", "SALESBOT_REDIS_URL"):
            env.pop(name, None)
        os.environ.clear()
        os.environ.update(env)
        for verb in ("migrate", "demo"):
            cli = [sys.executable, "-m", "salesbot.cli", verb]
            subprocess.run(cli, env=env, check=True, capture_output=True)
        settings = Settings(log_level="WARNING")
        configure_logging(json=False, level="WARNING")
        print(f"one-location proposal (PPTX + PDF), {args.repeat} rounds each, SQLite, no Redis")
        figures = asyncio.run(_measure(settings, args.repeat))
    inline, queued = figures["in-line"], figures["queued"]
    overhead = statistics.median(queued) - statistics.median(inline)
    print(f"  in-line (baseline)              {_ms(inline)}")
    print(f"  queued (in-memory broker)       {_ms(queued)}")
    print(
        f"  queue overhead p50 {overhead * 1000:+.1f} ms "
        f"({statistics.median(queued) / statistics.median(inline):.2f}× the in-line turn); "
        f"target: whole turn ≤ {TARGET_S:.0f} s p50 — "
        f"{'met' if statistics.median(queued) <= TARGET_S else 'NOT met'}"
    )
    print(f"  (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
