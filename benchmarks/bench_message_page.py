"""Hot path: an authenticated GET of a 50-message page, product vs a bare FastAPI + asyncpg app.

Run: `.venv/bin/python benchmarks/bench_message_page.py [--repeat 3] [--duration 10]`
     (`--only pg|sqlite` for one database; needs `wrk` and PostgreSQL at
     SALESBOT_BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432).

What runs, each in fresh processes on this machine, load from `wrk` at 50 connections:
- product: `salesbot serve --workers 2` on PostgreSQL (a database made for the run) and on
  SQLite, seeded with one salesperson and a conversation of 60 messages; the token comes from
  `POST /api/auth/login`, so the request pays the real checks (JWT, session revocation, user and
  roles, rate limit, ownership, access log). The per-user API rate limit is raised for the run
  (it would otherwise answer 429 after 300 requests).
- baseline (shipped below): bare FastAPI + asyncpg under `uvicorn --workers 2`, which verifies
  the same bearer token with the product's own JWT check and runs the same 50-row query, then
  returns the rows as JSON.
Each figure is the median of `--repeat` runs, alternated product/baseline so a busy machine
(2 shared cores) weighs on both; the ratio is what to read. Targets (issue #19): >= 1,500 req/s
on PostgreSQL, >= 1,000 on SQLite, p99 < 50 ms, >= 40 % of the baseline.

`--only hot` (issue #18 item 7, ADR-002): the same page on PostgreSQL served from the hot
conversation cache in Redis vs read from PostgreSQL — two `serve --workers 2` on one private
redis-server (rate limits and the session check use it in both), SALESBOT_CHAT_CACHE true vs
false, alternated; the servers' `salesbot_conversation_page_reads_total` shows where the pages
of each came from.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support, run as a script

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import tempfile
import textwrap
import time
from dataclasses import dataclass

import httpx

from tests.support.private_services import PrivateRedis, free_port

PG_BASE = os.environ.get("SALESBOT_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = "salesbot_bench_message_page"
SECRET = "bench-secret-key-that-is-long-enough-0123456789abcdef"  # noqa: S105 (throwaway)
EMAIL, PASSWORD = "bench.sales@example.com", "bench-password-123"
MESSAGES = 60
TARGETS = {"postgresql": 1500.0, "sqlite": 1000.0}

BASELINE_APP = textwrap.dedent(
    '''
    """Bare FastAPI + asyncpg: the same token check and the same 50-row query, nothing else."""
    import json
    import os
    import uuid

    import asyncpg
    from fastapi import FastAPI, Header, HTTPException

    from salesbot.auth.tokens import InvalidToken, decode_access_claims

    SECRET = os.environ["SALESBOT_SECRET_KEY"]
    QUERY = (
        "SELECT id, conversation_id, role, content, tool_calls, tool_call_id, attachments, "
        "tokens_used, created_at, metadata FROM messages WHERE conversation_id = $1 "
        "ORDER BY id DESC LIMIT 51"
    )
    app = FastAPI()
    pool = None


    @app.on_event("startup")
    async def start() -> None:
        global pool
        pool = await asyncpg.create_pool(os.environ["BASELINE_PG_DSN"], min_size=5, max_size=10)


    def row_out(r):
        return {
            "id": str(r["id"]), "conversation_id": str(r["conversation_id"]), "role": r["role"],
            "content": r["content"],
            "tool_calls": json.loads(r["tool_calls"]) if r["tool_calls"] else None,
            "tool_call_id": r["tool_call_id"],
            "attachments": json.loads(r["attachments"]) if r["attachments"] else None,
            "tokens_used": r["tokens_used"], "created_at": r["created_at"].isoformat(),
            "metadata": json.loads(r["metadata"]),
        }


    @app.get("/api/conversations/{conversation_id}/messages")
    async def messages(conversation_id: uuid.UUID, authorization: str = Header("")) -> dict:
        try:
            decode_access_claims(authorization[7:], secret=SECRET)
        except InvalidToken:
            raise HTTPException(401) from None
        rows = await pool.fetch(QUERY, conversation_id)
        items = [row_out(r) for r in rows[:50]]
        return {"items": items, "next_cursor": None, "has_more": len(rows) > 50}
    '''
)


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int  # connect/read/write errors and timeouts (wrk gives up after 2 s)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise ValueError(f"unexpected wrk latency {value!r}")
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[match.group(2)]
    return float(match.group(1)) * factor


def _wrk(url: str, token: str, duration: int, work: Path) -> Run:
    script = work / "auth.lua"
    script.write_text(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    out = subprocess.run(
        ["wrk", "-t2", "-c50", f"-d{duration}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    if "Latency Distribution" not in out:
        raise RuntimeError(f"wrk completed no request:\n{out}")
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    failed = sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1))) if socket_errors else 0
    return Run(rps, p50, p99, int(bad.group(1)) if bad else 0, failed)


async def _seed(database_url: str) -> str:
    """Migrate, make the salesperson and a conversation of MESSAGES messages; its id."""
    from datetime import UTC, datetime, timedelta

    from salesbot.conversations import repository as chats
    from salesbot.kit.db import Database, make_engine
    from salesbot.migrations.runner import upgrade
    from salesbot.users import service as users
    from salesbot.users.roles import Role

    await asyncio.to_thread(upgrade, database_url)
    db = Database(make_engine(database_url))
    try:
        async with db.sessions() as session:
            user = await users.ensure_user(
                session,
                email=EMAIL,
                name="Bench",
                password=PASSWORD,
                roles=[(Role.sales_person, None)],
            )
            start = datetime.now(UTC) - timedelta(hours=1)
            chat = await chats.create_conversation(
                session, user_id=user.id, title="Bench chat", now=start
            )
            for n in range(MESSAGES):
                await chats.append_message(
                    session,
                    conversation_id=chat.id,
                    role="user" if n % 2 == 0 else "assistant",
                    content=f"Message {n}: a proposal for the Dubai Mall screens, 4 weeks. " * 3,
                    now=start + timedelta(seconds=n),
                    tokens_used=None if n % 2 == 0 else 120,
                    meta={"n": n},
                )
            await session.commit()
            return str(chat.id)
    finally:
        await db.dispose()


def _recreate_pg_database() -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(f"{PG_BASE}/postgres")
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            await conn.execute(f"CREATE DATABASE {DB_NAME}")
        finally:
            await conn.close()

    asyncio.run(run())


def _start(
    command: list[str], env: dict[str, str], cwd: Path, ready: str
) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _wait_ready(f"http://127.0.0.1:{ready}", proc)
    return proc


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _env(database_url: str, work: Path, name: str) -> dict[str, str]:
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "development",
        "SALESBOT_SECRET_KEY": SECRET,
        "SALESBOT_DATABASE_URL": database_url,
        "SALESBOT_DATA_DIR": str(work / f"var-{name}"),
        "SALESBOT_RATE_LIMIT_API": "100000000/minute",
        "BASELINE_PG_DSN": f"{PG_BASE}/{DB_NAME}",
        "PYTHONPATH": os.pathsep.join([str(work), *sys.path]),
    }
    env.pop("SALESBOT_REDIS_URL", None)
    return env


def _login(port: int, path: str) -> str:
    login = httpx.post(
        f"http://127.0.0.1:{port}/api/auth/login",
        json={"email": EMAIL, "password": PASSWORD},
        timeout=30,
    )
    login.raise_for_status()
    token = str(login.json()["access_token"])
    page = httpx.get(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    page.raise_for_status()
    if len(page.json()["items"]) != 50:
        raise RuntimeError(f"expected 50 messages: {page.text[:300]}")
    return token


def _bench(
    name: str,
    database_url: str,
    chat_id: str,
    baseline_path: str,
    args: argparse.Namespace,
    work: Path,
) -> dict[str, Run]:
    """Alternate product and baseline runs; medians of each."""
    env = _env(database_url, work, name)
    port, base_port = free_port(), free_port()
    product_cmd = [sys.executable, "-m", "salesbot.cli", "serve", "--workers", "2"]
    baseline_cmd = [sys.executable, "-m", "uvicorn", "baseline_app:app", "--workers", "2"]
    baseline_cmd += ["--port", str(base_port), "--log-level", "warning", "--no-access-log"]
    path = f"/api/conversations/{chat_id}/messages?limit=50"
    product = _start([*product_cmd, "--port", str(port)], env, work, f"{port}/health")
    baseline = None
    try:
        token = _login(port, path)
        baseline = _start(baseline_cmd, env, work, f"{base_port}/docs")
        urls = {
            "product": f"http://127.0.0.1:{port}{path}",
            "baseline": f"http://127.0.0.1:{base_port}{baseline_path}",
        }
        runs: dict[str, list[Run]] = {"product": [], "baseline": []}
        for url in urls.values():
            _wrk(url, token, 3, work)  # warm every worker
        for _ in range(args.repeat):
            for label, url in urls.items():
                runs[label].append(_wrk(url, token, args.duration, work))
    finally:
        _stop(product)
        if baseline is not None:
            _stop(baseline)
    return _summarise(runs)


def _summarise(runs: dict[str, list[Run]]) -> dict[str, Run]:
    return {
        label: Run(
            statistics.median(r.rps for r in rs),
            statistics.median(r.p50_ms for r in rs),
            statistics.median(r.p99_ms for r in rs),
            sum(r.non_2xx for r in rs),
            sum(r.socket_errors for r in rs),
        )
        for label, rs in runs.items()
    }


def _report(name: str, figures: dict[str, Run], repeat: int) -> None:
    product, baseline = figures["product"], figures["baseline"]
    ratio = product.rps / baseline.rps
    print(f"{name}: GET 50-message page, 50 connections, median of {repeat}")
    for label, run in figures.items():
        print(
            f"  {label:<9} {run.rps:8.0f} req/s  p50 {run.p50_ms:6.1f} ms  "
            f"p99 {run.p99_ms:6.1f} ms  non-2xx {run.non_2xx}, socket errors/timeouts"
            f" {run.socket_errors}"
        )
    print(
        f"  product / baseline: {ratio:.0%} (target >= 40 %); "
        f"req/s target >= {TARGETS[name]:.0f}; p99 target < 50 ms"
    )


def _page_sources(port: int) -> str:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    found = re.findall(r'salesbot_conversation_page_reads_total\{source="(\w+)"\} ([\d.e+]+)', text)
    return ", ".join(f"{source} {float(n):.0f}" for source, n in found) or "none counted"


def _bench_hot(
    database_url: str, chat_id: str, args: argparse.Namespace, work: Path
) -> dict[str, Run]:
    """The page from Redis (hot cache) vs from PostgreSQL, both with Redis; medians of each."""
    redis = PrivateRedis(work)
    redis.start()
    path = f"/api/conversations/{chat_id}/messages?limit=50"
    procs: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        for label, cache in (("redis", "true"), ("postgresql", "false")):
            env = {**_env(database_url, work, label), "SALESBOT_REDIS_URL": redis.url}
            env["SALESBOT_CHAT_CACHE"] = cache
            port = free_port()
            command = [sys.executable, "-m", "salesbot.cli", "serve", "--workers", "2"]
            procs[label] = (
                _start([*command, "--port", str(port)], env, work, f"{port}/health"),
                port,
            )
        token = _login(procs["redis"][1], path)
        urls = {label: f"http://127.0.0.1:{port}{path}" for label, (_, port) in procs.items()}
        runs: dict[str, list[Run]] = {label: [] for label in urls}
        for url in urls.values():
            _wrk(url, token, 3, work)  # warm every worker (and fill the cache)
        for _ in range(args.repeat):
            for label, url in urls.items():
                runs[label].append(_wrk(url, token, args.duration, work))
        for label, (_, port) in procs.items():
            print(f"  pages served by the {label} run's servers: {_page_sources(port)}")
    finally:
        for proc, _ in procs.values():
            _stop(proc)
        redis.kill()
    return _summarise(runs)


def _report_hot(figures: dict[str, Run], repeat: int) -> None:
    hot, cold = figures["redis"], figures["postgresql"]
    print(f"hot cache: GET 50-message page on PostgreSQL, 50 connections, median of {repeat}")
    for label, run in (("from Redis", hot), ("from PostgreSQL", cold)):
        print(
            f"  {label:<16} {run.rps:8.0f} req/s  p50 {run.p50_ms:6.1f} ms  "
            f"p99 {run.p99_ms:6.1f} ms  non-2xx {run.non_2xx}, socket errors/timeouts"
            f" {run.socket_errors}"
        )
    print(
        f"  Redis / PostgreSQL: {hot.rps / cold.rps:.2f}x req/s, "
        f"p50 {hot.p50_ms / cold.p50_ms:.2f}x, p99 {hot.p99_ms / cold.p99_ms:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--only", choices=["pg", "sqlite", "hot"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-message-page-") as tmp:
        work = Path(tmp)
        (work / "baseline_app.py").write_text(BASELINE_APP)
        _recreate_pg_database()
        pg_url = f"{PG_BASE.replace('postgresql://', 'postgresql+asyncpg://')}/{DB_NAME}"
        # The baseline always reads the PostgreSQL copy (asyncpg); seeding it gives its path.
        pg_chat = asyncio.run(_seed(pg_url))
        baseline_path = f"/api/conversations/{pg_chat}/messages"
        loads = [os.getloadavg()[0]]
        results: dict[str, dict[str, Run]] = {}
        if args.only == "hot":
            hot = _bench_hot(pg_url, pg_chat, args, work)
            _report_hot(hot, args.repeat)
            return
        if args.only != "sqlite":
            results["postgresql"] = _bench("postgresql", pg_url, pg_chat, baseline_path, args, work)
            loads.append(os.getloadavg()[0])
        if args.only != "pg":
            sqlite_url = f"sqlite+aiosqlite:///{work / 'bench.db'}"
            sqlite_chat = asyncio.run(_seed(sqlite_url))
            results["sqlite"] = _bench("sqlite", sqlite_url, sqlite_chat, baseline_path, args, work)
            loads.append(os.getloadavg()[0])
    print(
        f"machine: {os.cpu_count()} CPUs, 1-minute load average during the run "
        f"{min(loads):.1f}–{max(loads):.1f} (other processes share the cores)"
    )
    for name, figures in results.items():
        _report(name, figures, args.repeat)


if __name__ == "__main__":
    main()
