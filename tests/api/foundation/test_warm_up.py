"""The start-up warm-up (SALESBOT_WARM_UP, on by default; the suite's apps run without it)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
from sqlalchemy import func, select

from salesbot.app import create_app
from salesbot.kit.logging import configure_logging, flush_logs
from salesbot.users.models import AuditEvent
from tests.conftest import Stack, make_settings


async def _started(stack: Stack, data_dir: Path, *, warm_up: bool) -> tuple[int, int, str]:
    """After start-up: the pooled connections waiting, the audit rows, and GET /health."""
    app = create_app(make_settings(stack, data_dir, warm_up=warm_up))
    async with app.router.lifespan_context(app):
        pooled = app.state.db.engine.pool.checkedin()
        async with app.state.db.reads() as session:
            audited = await session.scalar(select(func.count()).select_from(AuditEvent))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            health = (await client.get("/health")).json()["status"]
    return pooled, int(audited or 0), health


async def test_start_up_opens_a_connection_before_the_first_request(
    stack: Stack, tmp_path: Path
) -> None:
    pooled, audited, health = await _started(stack, tmp_path / "on", warm_up=True)
    assert pooled >= 1  # the first request does not pay for connecting
    assert audited == 0  # its signed-in probe is for nobody and leaves no trace
    assert health == "ok"
    cold, _, _ = await _started(stack, tmp_path / "off", warm_up=False)
    assert cold == 0


async def test_a_database_not_migrated_yet_does_not_stop_start_up(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"  # no tables: `salesbot migrate` has not run yet
    stack = Stack("sqlite", f"sqlite+aiosqlite:///{empty}", None)
    app = create_app(make_settings(stack, tmp_path / "data", warm_up=True))
    output = io.StringIO()
    configure_logging(json=True, stream=output)  # after create_app, which configures its own
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/health")).status_code == 200
        flush_logs()
    events = [json.loads(line) for line in output.getvalue().splitlines()]
    incomplete = [e for e in events if e["event"] == "warm_up_incomplete"]
    assert [e["level"] for e in incomplete] == ["warning"]
    assert incomplete[0]["error_type"] == "OperationalError"
