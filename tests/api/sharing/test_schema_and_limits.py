"""The migration makes exactly the models' tables; the public routes are rate-limited per IP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesbot.kit.db import make_engine
from tests.api.lifecycle.test_migration import _diffs
from tests.api.locations.support import make_team, seed_catalogue
from tests.api.sharing.conftest import make_proposal, share
from tests.conftest import Stack, make_settings

TABLES = {"share_links", "share_views", "share_page_times", "share_decisions"}


def _table_of(diff: Any) -> str | None:
    """The table a difference is about (tables, indexes and columns alike)."""
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        table = getattr(part, "table", None)
        if table is not None:
            return str(table.name)
        if isinstance(part, str) and part in TABLES:
            return part
        name = getattr(part, "name", None)
        if name in TABLES:
            return str(name)
    return None


async def test_the_share_tables_match_the_models(stack: Stack) -> None:
    import salesbot.sharing.models  # noqa: F401  (registers the tables)

    engine = make_engine(stack.database_url)
    try:
        async with engine.connect() as connection:
            diffs = await connection.run_sync(_diffs)
    finally:
        await engine.dispose()
    ours = [d for d in diffs if _table_of(d) in TABLES]
    assert not ours, ours


@pytest.fixture
async def tight_app(stack: Stack, tmp_path: Path) -> AsyncIterator[FastAPI]:
    from salesbot.app import create_app

    settings = make_settings(
        stack,
        tmp_path / "data",
        rate_limit_share_page="3/minute",
        rate_limit_share_pin="2/minute",
        rate_limit_share_decide="1/minute",
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.mark.jobs
async def test_public_routes_are_rate_limited_per_ip(tight_app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=tight_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        team = await make_team(tight_app)
        await seed_catalogue(client, team.admin)
        proposal = await make_proposal(client, team.sales)
        shared = await share(client, team.sales, proposal, pin="1234")
        statuses = [(await client.get(shared.path)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        pins = [
            (await client.post(f"{shared.path}/pin", data={"pin": "9999"})).status_code
            for _ in range(3)
        ]
        assert pins == [200, 200, 429]
        decided = [
            (await client.post(f"{shared.path}/decline", json={"reason": "x"})).status_code
            for _ in range(2)
        ]
        assert decided[1] == 429  # the first was refused for the missing PIN, but counted
        assert "too many" in (await client.get(shared.path)).text.lower()
