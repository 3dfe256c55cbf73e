"""Load test: N salespeople against two `salesbot serve` instances and a `salesbot worker` on
PostgreSQL + Redis, driven by locust (`benchmarks/load/locustfile.py`).

The runner makes everything it uses and removes it afterwards: a fresh database on the given
PostgreSQL server (`salesbot_load_<random>`, dropped at the end), the given Redis database
(flushed first: give it one of its own), a data folder; it migrates, loads the demo data, makes
one sales account per virtual user, starts the worker and the two instances on free loopback
ports (one shared secret key, so a session from one is valid on the other), and runs locust
headless. Then it prints requests/s, p50/p95/p99 per endpoint, the errors (goal: none), and
compares the chat messages the server acknowledged with the user messages stored in PostgreSQL
(they must be equal). The exit status is 1 when there was an error or the counts differ.

Run (locust is in the `test` extra; `--locust` names another locust executable):
  PYTHONPATH=. .venv/bin/python benchmarks/load/run.py --users 50 --duration 300 \\
      --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
      --redis-url redis://127.0.0.1:6379/14
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
PASSWORD = "load-test-password-0123"  # noqa: S105 (the load accounts, in a throwaway database)
SECRET = "load-test-secret-key-that-is-long-enough-0123456789"  # noqa: S105 (this run only)
CHAT = "POST /api/chat"


@dataclass
class Result:
    endpoints: list[
        dict[str, Any]
    ]  # name, requests, failures, rps, p50/p95/p99 ms ("Aggregated" last)
    failures: list[dict[str, Any]]  # name, method, error, count
    tally: dict[str, int]  # the chat tally (see locustfile.py)
    stored: int  # user messages stored during the run
    seconds: float
    interruptions: list[dict[str, Any]] = field(default_factory=list)  # see locustfile.py
    locust_log: str = ""  # the end of locust's own log, for a failure's explanation

    @property
    def errors(self) -> int:
        return sum(int(row["count"]) for row in self.failures)

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.stored == self.tally.get("chat_accepted", -1)


def locust_command(explicit: str | None) -> list[str]:
    """How to start locust: `--locust`/`SALESBOT_LOCUST`, or the `locust` module installed here."""
    chosen = explicit or os.environ.get("SALESBOT_LOCUST")
    if chosen:
        return shlex.split(chosen)
    if importlib.util.find_spec("locust") is not None:
        return [sys.executable, "-m", "locust"]
    found = shutil.which("locust")
    if found:
        return [found]
    raise SystemExit("locust is not installed: pip install -e '.[test]' (or pass --locust)")


def _server_url(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _asyncpg_dsn(url: str, database: str) -> str:
    return _server_url(url, database).replace("postgresql+asyncpg://", "postgresql://", 1)


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _user_messages(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(url, urlsplit(url).path.lstrip("/")))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM messages WHERE role = 'user'"))
    finally:
        await conn.close()


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    name = f"salesbot_load_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield _server_url(server_url, name)
    finally:
        asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


async def _load_accounts(database_url: str, count: int) -> None:
    from salesbot.kit.db import Database, make_engine
    from salesbot.users import service as users
    from salesbot.users.roles import Role

    db = Database(make_engine(database_url))
    try:
        async with db.sessions() as session:
            for number in range(1, count + 1):
                await users.ensure_user(
                    session,
                    email=f"load-{number}@load.salesbot.dev",
                    name=f"Load Salesperson {number}",
                    password=PASSWORD,
                    roles=[(Role.sales_person, None)],
                )
            await session.commit()
    finally:
        await db.dispose()


@contextmanager
def _process(command: list[str], env: dict[str, str], log: Path, **kw: Any) -> Iterator[None]:
    with log.open("w") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, **kw)
        try:
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def _instance(cli: list[str], env: dict[str, str], log: Path) -> Iterator[str]:
    """`salesbot serve` on a socket bound here (no race for the port) until /health answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1024)
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        command = [*cli, "serve", "--fd", str(sock.fileno())]
        with _process(command, env, log, pass_fds=[sock.fileno()]):
            sock.close()
            deadline = time.monotonic() + 300  # only against a hang; start is slow under load
            while True:
                try:
                    if httpx.get(f"{base}/health/ready", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{base} did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
            yield base


@contextmanager
def stack(
    work: Path, database_url: str, redis_url: str, users: int, extra: dict[str, str]
) -> Iterator[list[str]]:
    """Migrated database with demo data and load accounts, a worker and two instances."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESBOT_", "OTEL_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        SALESBOT_ENVIRONMENT="development",
        SALESBOT_DATA_DIR=str(work / "var"),
        SALESBOT_DATABASE_URL=database_url,
        SALESBOT_REDIS_URL=redis_url,
        SALESBOT_SECRET_KEY=SECRET,
        SALESBOT_LOG_LEVEL="WARNING",
        SALESBOT_JOB_IN_PROCESS_WORKER="false",  # the worker runs the jobs
    )
    env.update(extra)
    cli = [sys.executable, "-m", "salesbot.cli"]
    for verb in ("migrate", "demo"):
        subprocess.run([*cli, verb], env=env, check=True, capture_output=True)
    asyncio.run(_load_accounts(database_url, users))
    with ExitStack() as stack_:
        stack_.enter_context(_process([*cli, "worker"], env, work / "worker.log"))
        hosts = [stack_.enter_context(_instance(cli, env, work / f"serve-{n}.log")) for n in "ab"]
        yield hosts


def run_locust(
    locust: list[str], hosts: list[str], work: Path, users: int, duration_s: int
) -> dict[str, Any]:
    """Locust headless; what the locustfile wrote once every user had stopped."""
    env = {
        **os.environ,
        "LOAD_HOSTS": ",".join(hosts),
        "LOAD_PASSWORD": PASSWORD,
        "LOAD_TALLY": str(work / "tally.json"),
    }
    command = [
        *locust,
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 10)),
        "--run-time",
        f"{duration_s}s",
        "--stop-timeout",
        "120",  # a chat turn in progress finishes before the user stops
        "--host",
        hosts[0],
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",  # errors are judged here
    ]
    with (work / "locust.log").open("w") as log:
        subprocess.run(command, env=env, check=True, stdout=log, stderr=subprocess.STDOUT)
    written: dict[str, Any] = json.loads((work / "tally.json").read_text())
    written["log"] = (work / "locust.log").read_text(errors="replace")[-3000:]
    return written


def measure(
    server_url: str,
    redis_url: str,
    users: int,
    duration_s: int,
    locust: list[str],
    *,
    settings: dict[str, str] | None = None,
    logs: Path | None = None,
) -> Result:
    """One run; `settings` are extra SALESBOT_* variables for the instances and the worker,
    `logs` a folder that receives the processes' logs."""
    with tempfile.TemporaryDirectory(prefix="salesbot-load-") as tmp:
        work = Path(tmp)
        _flush_redis(redis_url)
        try:
            with ExitStack() as running:
                database_url = running.enter_context(fresh_database(server_url))
                hosts = running.enter_context(
                    stack(work, database_url, redis_url, users, settings or {})
                )
                before = asyncio.run(_user_messages(database_url))
                started = time.monotonic()
                written = run_locust(locust, hosts, work, users, duration_s)
                seconds = time.monotonic() - started
                stored = asyncio.run(_user_messages(database_url)) - before
        finally:
            _flush_redis(redis_url)
            if logs is not None:
                logs.mkdir(parents=True, exist_ok=True)
                for log in work.glob("*.log"):
                    shutil.copy(log, logs / log.name)
    return Result(
        written["endpoints"],
        written["errors"],
        written["tally"],
        stored,
        seconds,
        written.get("interruptions", []),
        written.get("log", ""),
    )


def report(result: Result, users: int, duration_s: int) -> None:
    load = os.getloadavg()[0]
    print(
        f"load test: {users} users, {duration_s} s, 2 instances + worker on PostgreSQL + Redis"
        f" (1-minute load average {load:.1f})"
    )
    print(
        f"  {'endpoint':<40} {'requests':>8} {'errors':>6} {'req/s':>7}"
        f" {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    )
    for row in result.endpoints:
        name = "all" if row["name"] == "Aggregated" else row["name"]
        print(
            f"  {name:<40} {row['requests']:>8} {row['failures']:>6} {row['rps']:7.1f}"
            f" {row['p50']:>7.0f} {row['p95']:>7.0f} {row['p99']:>7.0f}"
        )
    print(f"  errors: {result.errors} (goal 0)")
    for row in result.failures:
        print(f"    {row['count']} x {row['name']}: {row['error'][:200]}")
    tally = result.tally
    accepted = tally.get("chat_accepted", 0)
    print(
        f"  chat messages acknowledged {accepted}, stored in PostgreSQL {result.stored}"
        f" ({'equal' if accepted == result.stored else 'DIFFERENT'}); answers completed"
        f" {tally.get('chat_completed', 0)}, refused {tally.get('chat_refused', 0)},"
        f" interrupted {tally.get('chat_interrupted', 0)}"
    )
    for row in result.interruptions:
        print(
            f"    interrupted: user {row['user']} after {row['after_s']} s:"
            f" {row['exception']} {row['message'][:200]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=300, help="seconds")
    parser.add_argument(
        "--database-url",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server; the run makes (and drops) a database of its own on it",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/14",
        help="a Redis database for this run alone (flushed before and after)",
    )
    parser.add_argument("--locust", help="the locust command (default: the installed module)")
    parser.add_argument(
        "--pool-timeout",
        type=float,
        help="SALESBOT_DB_POOL_TIMEOUT_S for the instances (default: the product's, 10 s)",
    )
    parser.add_argument("--logs", type=Path, help="copy the processes' logs to this folder")
    args = parser.parse_args()
    settings = {}
    if args.pool_timeout:
        settings["SALESBOT_DB_POOL_TIMEOUT_S"] = str(args.pool_timeout)
    result = measure(
        args.database_url,
        args.redis_url,
        args.users,
        args.duration,
        locust_command(args.locust),
        settings=settings,
        logs=args.logs,
    )
    report(result, args.users, args.duration)
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
