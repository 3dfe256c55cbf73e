"""`GET /metrics`: who may scrape, what the request metrics record, the scrape-time gauges."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from salesbot.kit.db import Database, make_engine, utcnow
from salesbot.ops.metrics import ActiveUsers
from salesbot.users.models import User
from tests.conftest import Stack, make_settings
from tests.support.auth import bearer
from tests.support.metrics import sample

TOKEN = "metrics-token-0123456789abcdef"


def values(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """The samples called `name` in an exposition, keyed by their sorted labels."""
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


def client_from(app: FastAPI, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(host, 40000), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_without_a_token_only_direct_loopback_requests_may_scrape(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    ok = await client.get("/metrics")  # the test client's address is 127.0.0.1
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("text/plain; version=")
    assert "# TYPE salesbot_http_request_duration_seconds histogram" in ok.text
    relayed = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 403
    assert relayed.json()["error"]["code"] == "forbidden"
    async with client_from(app, "203.0.113.9") as remote:
        refused = await remote.get("/metrics")
    assert refused.status_code == 403
    assert "SALESBOT_METRICS_TOKEN" in refused.json()["error"]["message"]
    assert "salesbot_" not in refused.text


@pytest.fixture
async def tokened(stack: Stack, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """An app configured with SALESBOT_METRICS_TOKEN."""
    from salesbot.app import create_app

    application = create_app(make_settings(stack, tmp_path / "data", metrics_token=TOKEN))
    async with application.router.lifespan_context(application):
        yield application


async def test_with_token_only_that_bearer_token_may_scrape_from_anywhere(
    tokened: FastAPI,
) -> None:
    from tests.api.auth.conftest import seed_accounts

    app = tokened
    client = client_from(app, "127.0.0.1")
    seeded = await seed_accounts(app)
    admin = bearer(app, seeded.admin.id)
    wrong = {"Authorization": f"Bearer {TOKEN[:-1]}x"}
    for headers in ({}, admin, wrong, {"Authorization": TOKEN}):
        response = await client.get("/metrics", headers=headers)  # loopback is not enough
        assert response.status_code == 401, headers
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"
    await client.aclose()
    async with client_from(app, "203.0.113.9") as remote:
        scraped = await remote.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.status_code == 200
    assert "salesbot_http_requests_in_flight" in scraped.text


async def test_requests_are_recorded_by_route_template_never_by_raw_path(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from tests.api.auth.conftest import seed_accounts

    seeded = await seed_accounts(app)
    sales = bearer(app, seeded.sales.id)
    route = "/api/conversations/{conversation_id}"
    found = {"route": route, "method": "GET", "status": "4xx"}
    errors = {"route": route, "method": "GET", "status": "404", "code": "not_found"}
    before = sample("salesbot_http_request_duration_seconds_count", **found)
    errors_before = sample("salesbot_http_errors_total", **errors)
    ids = [str(uuid.uuid4()) for _ in range(3)]
    for conversation_id in ids:
        response = await client.get(f"/api/conversations/{conversation_id}", headers=sales)
        assert response.status_code == 404
    unmatched = sample(
        "salesbot_http_request_duration_seconds_count", **{**found, "route": "unmatched"}
    )
    await client.get(f"/no/such/{ids[0]}")
    text = (await client.get("/metrics")).text
    assert (
        values(text, "salesbot_http_request_duration_seconds_count")[tuple(sorted(found.items()))]
        == before + 3
    )
    assert values(text, "salesbot_http_errors_total")[tuple(sorted(errors.items()))] == (
        errors_before + 3
    )
    assert (
        sample("salesbot_http_request_duration_seconds_count", **{**found, "route": "unmatched"})
        == unmatched + 1
    )
    assert not any(i in text for i in ids)
    assert str(seeded.sales.id) not in text
    # The scrape itself is the one request in flight while the text is written.
    in_flight = values(text, "salesbot_http_requests_in_flight")[()]
    assert in_flight == sample("salesbot_http_requests_in_flight") + 1


async def test_a_crash_is_counted_as_a_500_with_its_error_code(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/boom/{thing}")
    async def boom(thing: str) -> None:
        raise RuntimeError("bug")

    app.include_router(router)
    labels = {"route": "/boom/{thing}", "method": "GET", "status": "500", "code": "internal_error"}
    before = sample("salesbot_http_errors_total", **labels)
    assert (await client.get("/boom/x")).status_code == 500
    assert sample("salesbot_http_errors_total", **labels) == before + 1
    assert (
        sample(
            "salesbot_http_request_duration_seconds_count",
            route="/boom/{thing}",
            method="GET",
            status="5xx",
        )
        >= 1
    )


async def _add_user(app: FastAPI, email: str, last_login_days: float | None) -> None:
    seen = None if last_login_days is None else utcnow() - timedelta(days=last_login_days)
    async with app.state.db.sessions() as session:
        session.add(User(email=email, name=email, last_login_at=seen))
        await session.commit()


async def test_active_users_come_from_the_database_on_a_short_cache(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    now = [0.0]
    app.state.active_users = ActiveUsers(60, clock=lambda: now[0])
    await _add_user(app, "today@example.com", 0.1)
    await _add_user(app, "lastweek@example.com", 7)
    await _add_user(app, "long-ago@example.com", 45)
    await _add_user(app, "never@example.com", None)
    first = values((await client.get("/metrics")).text, "salesbot_active_users")
    assert first == {(("window", "1d"),): 1, (("window", "30d"),): 2}
    await _add_user(app, "also-today@example.com", 0)
    now[0] = 59.0  # within the cache's lifetime: no query, the same answer
    assert values((await client.get("/metrics")).text, "salesbot_active_users") == first
    now[0] = 60.0
    fresh = values((await client.get("/metrics")).text, "salesbot_active_users")
    assert fresh == {(("window", "1d"),): 2, (("window", "30d"),): 3}


async def test_component_up_reports_each_dependency(
    app: FastAPI, client: httpx.AsyncClient, stack: Stack
) -> None:
    up = values((await client.get("/metrics")).text, "salesbot_component_up")
    expected = {(("component", "database"),): 1.0}
    if stack.redis_url:
        expected[(("component", "redis"),)] = 1.0
    assert up == expected
    healthy = app.state.db
    gone = Database(make_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    app.state.db = gone
    try:
        response = await client.get("/metrics")
    finally:
        app.state.db = healthy
        await gone.dispose()
    assert response.status_code == 200  # the scrape still answers, saying what is down
    assert values(response.text, "salesbot_component_up")[(("component", "database"),)] == 0.0
    assert "127.0.0.1:1" not in response.text


async def test_metrics_stay_out_of_the_openapi_document(app: FastAPI) -> None:
    assert "/metrics" not in app.openapi()["paths"]


@pytest.fixture
async def small_pool(stack: Stack, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """An app whose PostgreSQL pool holds one connection and waits briefly for it."""
    from salesbot.app import create_app

    if stack.name != "postgres":
        pytest.skip("SQLite opens a connection per use: there is no pool to measure")
    settings = make_settings(
        stack, tmp_path / "data", db_pool_size=1, db_max_overflow=0, db_pool_timeout_s=0.2
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


async def test_pool_gauges_follow_checkouts_and_a_timeout_is_counted(small_pool: FastAPI) -> None:
    from tests.api.auth.conftest import seed_accounts

    app = small_pool
    seeded = await seed_accounts(app)
    assert sample("salesbot_db_pool_capacity_connections", pool="main") == 1
    timeouts = sample("salesbot_db_pool_timeouts_total")
    async with client_from(app, "127.0.0.1") as client:
        async with app.state.db.engine.connect():
            assert sample("salesbot_db_pool_connections_in_use", pool="main") == 1
            busy = await client.get("/api/auth/me", headers=bearer(app, seeded.sales.id))
        assert sample("salesbot_db_pool_connections_in_use", pool="main") == 0
    assert busy.status_code == 503
    assert busy.json()["error"]["code"] == "service_unavailable"
    assert sample("salesbot_db_pool_timeouts_total") == timeouts + 1
