"""GET /api/costs: own usage for users, everyone's for admins, grouped and totalled exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
from fastapi import FastAPI

from salesbot.assistant.usage import CallUsage, record
from tests.api.assistant.conftest import Users


async def seed_usage(app: FastAPI, users: Users) -> None:
    prices = app.state.settings.llm_prices
    rows = [
        # 21:00 UTC is already the next day in Dubai (UTC+4).
        (users.seeded.sales.id, "openai:gpt-4.1", "chat", datetime(2026, 1, 1, 21, 0, tzinfo=UTC)),
        (users.seeded.sales.id, "openai:gpt-4.1", "title", datetime(2026, 1, 1, 10, 0, tzinfo=UTC)),
        (users.seeded.admin.id, "offline", "chat", datetime(2026, 1, 3, 9, 0, tzinfo=UTC)),
        (users.seeded.sales.id, "openai:gpt-4.1", "chat", datetime(2026, 3, 1, 9, 0, tzinfo=UTC)),
    ]
    async with app.state.db.sessions() as session:
        for user_id, model, call_type, when in rows:
            await record(
                session,
                prices=prices,
                user_id=user_id,
                conversation_id=None,
                run_id=None,
                model=model,
                call_type=call_type,
                usage=CallUsage(input_tokens=1000, cached_tokens=200, output_tokens=100),
                now=when,
            )


async def costs(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> httpx.Response:
    return await client.get("/api/costs", params=params, headers=headers)


JANUARY = {"from": "2026-01-01", "to": "2026-01-31"}
# gpt-4.1: 800 × 2.00 + 200 × 0.50 + 100 × 8.00 per million = 0.0025
ONE_CALL = Decimal("0.0025")


async def test_users_see_their_own_by_day_in_the_office_time_zone(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    await seed_usage(app, users)
    body = (await costs(client, users.sales, **JANUARY, group_by="day")).json()
    assert body["scope"] == "own" and body["currency"] == "USD"
    assert body["from"] == "2026-01-01" and body["to"] == "2026-01-31"
    assert [(i["key"], i["calls"]) for i in body["items"]] == [("2026-01-01", 1), ("2026-01-02", 1)]
    assert Decimal(body["total"]["cost"]) == 2 * ONE_CALL
    assert body["total"]["input_tokens"] == 2000 and body["total"]["cached_tokens"] == 400


async def test_admins_see_everyone_grouped_by_user_model_and_call_type(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    await seed_usage(app, users)
    by_user = (await costs(client, users.admin, **JANUARY, group_by="user")).json()
    assert by_user["scope"] == "all"
    assert {i["key"]: i["calls"] for i in by_user["items"]} == {
        "admin@example.com": 1,
        "sales@example.com": 2,
    }
    # People read as their names; the e-mail stays the line's key.
    assert {i["key"]: i["label"] for i in by_user["items"]} == {
        "admin@example.com": "Admin",
        "sales@example.com": "Sales",
    }
    by_model = (await costs(client, users.admin, **JANUARY, group_by="model")).json()
    assert {i["key"]: Decimal(i["cost"]) for i in by_model["items"]} == {
        "offline": Decimal(0),
        "openai:gpt-4.1": 2 * ONE_CALL,
    }
    # The offline model is free and sends no tokens anywhere: none are counted for it.
    offline = next(i for i in by_model["items"] if i["key"] == "offline")
    assert offline["free"] is True
    assert (offline["input_tokens"], offline["cached_tokens"], offline["output_tokens"]) == (
        0,
        0,
        0,
    )
    paid = next(i for i in by_model["items"] if i["key"] == "openai:gpt-4.1")
    assert paid["free"] is False and paid["input_tokens"] == 2000
    by_type = (await costs(client, users.admin, **JANUARY, group_by="call_type")).json()
    assert {i["key"]: i["calls"] for i in by_type["items"]} == {"chat": 2, "title": 1}


async def test_range_checks_and_permissions(client: httpx.AsyncClient, users: Users) -> None:
    backwards = await costs(client, users.sales, **{"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 422
    too_long = await costs(client, users.sales, **{"from": "2024-01-01", "to": "2026-01-01"})
    assert too_long.status_code == 422
    bad_group = await costs(client, users.sales, group_by="weekday")
    assert bad_group.status_code == 422
    assert (await costs(client, users.viewer)).status_code == 403
    default = (await costs(client, users.sales)).json()
    assert default["items"] == [] and Decimal(default["total"]["cost"]) == 0
