"""What the request-metrics middleware costs: authenticated message-page throughput with and
without it, in the same run.

One app on SQLite, through two middleware stacks identical but for `HttpMetricsMiddleware`, serves
`GET /api/conversations/{id}/messages` (a page of 50 messages, signed in with a bearer token)
through the in-process ASGI transport, so the network does not blur the difference. The two
alternate, round after round, so drift on a shared machine hits both alike; the medians of the
rounds are compared. Target: the middleware costs under 5 % of throughput.

Run: .venv/bin/python benchmarks/bench_metrics.py [--rounds 15] [--requests 100]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

from salesbot.app import create_app
from salesbot.auth.tokens import create_access_token
from salesbot.conversations import repository
from salesbot.conversations.models import Message
from salesbot.kit.ids import new_id
from salesbot.kit.metrics import HttpMetricsMiddleware
from salesbot.migrations.runner import upgrade
from salesbot.settings import Settings
from salesbot.users import service as users
from salesbot.users.roles import Role

SECRET = secrets.token_urlsafe(48)


def _settings(data_dir: Path, url: str) -> Settings:
    return Settings(
        _env_file=None,
        environment="test",
        data_dir=data_dir,
        database_url=url,
        secret_key=SECRET,
        log_level="ERROR",
        rate_limit_api="100000000/minute",
        job_in_process_worker=False,  # no idle worker threads in the CPU-time figure
    )


def _stacks(app: FastAPI) -> dict[str, ASGIApp]:
    """The app's middleware stack with and without the request metrics: one app, one database,
    one router, so the middleware is the only difference."""
    with_metrics = app.build_middleware_stack()
    keep = app.user_middleware
    app.user_middleware = [m for m in keep if m.cls is not HttpMetricsMiddleware]  # type: ignore[comparison-overlap]
    try:
        without = app.build_middleware_stack()
    finally:
        app.user_middleware = keep
    return {"with metrics": _entry(app, with_metrics), "without": _entry(app, without)}


def _entry(app: FastAPI, stack: ASGIApp) -> ASGIApp:
    """What `FastAPI.__call__` does before its stack: the app in the scope."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = app
        await stack(scope, receive, send)

    return asgi


async def _seed(app: FastAPI) -> tuple[uuid.UUID, uuid.UUID]:
    async with app.state.db.sessions() as session:
        user = await users.ensure_user(
            session,
            email="bench@example.com",
            name="Bench",
            password=secrets.token_urlsafe(16),
            roles=[(Role.sales_person, None)],
        )
        start = datetime.now(UTC)
        conversation = await repository.create_conversation(
            session, user_id=user.id, title="Bench", now=start
        )
        await repository.insert_messages(
            session,
            [
                Message(
                    id=new_id(),
                    conversation_id=conversation.id,
                    user_id=user.id,
                    role="user" if n % 2 == 0 else "assistant",
                    content=f"Message {n}: a landmark proposal for client {n}, rates 1.5M",
                    meta={},
                    created_at=start + timedelta(seconds=n),
                )
                for n in range(60)
            ],
        )
        await session.commit()
        return user.id, conversation.id


async def _run(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], n: int
) -> tuple[float, float]:
    """Requests per second over `n` requests: by the wall clock, and by this process's CPU time
    (the machine's other load hardly changes the latter)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        response = await client.get(url, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
    return n / (time.perf_counter() - wall), n / (time.process_time() - cpu)


async def _bare_app(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": b"{}"})


HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"2")]


async def middleware_alone(calls: int = 20_000) -> tuple[float, float]:
    """Microseconds of CPU per call of a do-nothing app, without and with the middleware."""
    scope: Scope = {"type": "http", "method": "GET", "path": "/x", "headers": []}

    async def receive() -> AsgiMessage:
        return {"type": "http.request", "body": b""}

    async def send(message: AsgiMessage) -> None:
        return None

    timings = []
    for asgi in (_bare_app, HttpMetricsMiddleware(_bare_app)):
        began = time.process_time()
        for _ in range(calls):
            await asgi(dict(scope), receive, send)
        timings.append((time.process_time() - began) / calls * 1e6)
    return timings[0], timings[1]


def main(rounds: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)  # Alembic runs its own event loop: before ours starts
        results = asyncio.run(measure(_settings(Path(tmp), url), rounds, requests))
    report(results, rounds, requests)
    bare, metered = asyncio.run(middleware_alone())
    print(f"  the middleware alone: {metered - bare:.1f} µs of CPU per request")


async def measure(
    settings: Settings, rounds: int, requests: int
) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) requests per second of each app, per round."""
    app = create_app(settings)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        clients = {}
        for name, asgi in _stacks(app).items():
            transport = httpx.ASGITransport(app=asgi)
            clients[name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://bench")
            )
        user_id, conversation_id = await _seed(app)
        token, _ = create_access_token(user_id, secret=SECRET, now=datetime.now(UTC), minutes=60)
        headers = {"Authorization": f"Bearer {token}"}
        page = f"/api/conversations/{conversation_id}/messages?limit=50"
        for client in clients.values():  # warm up both (imports, caches, connections)
            await _run(client, page, headers, 50)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in clients}
        for r in range(rounds):
            order = list(clients) if r % 2 == 0 else list(reversed(clients))
            for name in order:
                results[name].append(await _run(clients[name], page, headers, requests))
    return results


def report(results: dict[str, list[tuple[float, float]]], rounds: int, requests: int) -> None:
    print(f"authenticated message page, {requests} requests × {rounds} rounds, alternating")
    for index, clock in enumerate(("wall clock", "CPU time")):
        runs = {name: [r[index] for r in rounds_of] for name, rounds_of in results.items()}
        with_metrics = statistics.median(runs["with metrics"])
        without = statistics.median(runs["without"])
        cost = (1 - with_metrics / without) * 100
        print(f"  by {clock} (median requests/s, and the rounds' range)")
        for label, name in (("without metrics middleware", "without"), ("with it", "with metrics")):
            spread = f"{min(runs[name]):.1f}–{max(runs[name]):.1f}"
            print(f"    {label:<27} {statistics.median(runs[name]):8.1f}   ({spread})")
        print(
            f"    with / without = {with_metrics / without:.3f}  (cost {cost:.1f} %, target < 5 %)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    main(args.rounds, args.requests)
