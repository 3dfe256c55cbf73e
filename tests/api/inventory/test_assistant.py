"""The assistant answers "is UAE21 free in March?" from holds and bookings (offline model)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import httpx
import pytest

from tests.api.assistant.conftest import chat, text_of
from tests.api.booking_orders.conftest import World
from tests.api.inventory.conftest import (
    DUBAI,
    Clock,
    Period,
    day_text,
    hold,
    make_proposal,
    proposal,
)
from tests.api.inventory.test_holds import HOLD_DAYS, range_text

pytestmark = pytest.mark.jobs


def coming_march(today: date) -> Period:
    year = today.year if today.month <= 3 else today.year + 1
    return Period(date(year, 3, 1), date(year, 3, calendar.monthrange(year, 3)[1]))


async def test_is_uae21_free_in_march(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    march = coming_march(clock.today)
    free = text_of(await chat(client, world.sales2.headers, "is UAE21 free in March?"))
    assert free == f"UAE21 is free {range_text(march)} (all 2 faces)."

    made = await make_proposal(client, world.sales, proposal("Pepsi", "uae21", march))
    assert (await hold(client, world.sales, made["id"])).status_code == 201
    until = day_text((clock.now + timedelta(days=HOLD_DAYS)).astimezone(DUBAI).date())
    events = await chat(client, world.sales2.headers, "is UAE21 free in March?")
    started = next(e for e in events if e.event == "tool_started").data
    assert started["tool"] == "check_availability"
    assert started["args"] == {
        "location": "uae21",
        "from_date": march.start.isoformat(),
        "to_date": march.end.isoformat(),
    }
    held = f"UAE21 is held for Pepsi until {until} ({range_text(march)})"
    assert text_of(events) == f"UAE21 is not free for all of {range_text(march)}: {held}."


async def test_a_proposal_in_the_chat_names_another_clients_hold(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    march = coming_march(clock.today)
    made = await make_proposal(client, world.sales, proposal("Pepsi", "uae21", march))
    assert (await hold(client, world.sales, made["id"])).status_code == 201
    until = day_text((clock.now + timedelta(days=HOLD_DAYS)).astimezone(DUBAI).date())
    asked = (
        f"UAE21 proposal for Nike from {march.start.isoformat()} to {march.end.isoformat()}, "
        "1 month at 100k, production fee 5000"
    )
    reply = text_of(await chat(client, world.sales2.headers, asked))
    assert reply.startswith("Proposal for Nike (AED):"), reply
    assert f"Note: UAE21 is held for Pepsi until {until} ({range_text(march)})" in reply
