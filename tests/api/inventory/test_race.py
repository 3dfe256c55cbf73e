"""Two approvals selling the same dates at the same moment: exactly one wins.

On PostgreSQL these are two real concurrent transactions on two connections; the booking takes
a per-location advisory lock, so the second waits for the first to commit and then sees its
booking. (SQLite lets one writer in at a time; the API race runs there too.)
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from salesbot.inventory import bookings
from salesbot.kit.errors import Conflict
from tests.api.booking_orders.conftest import World, act
from tests.api.inventory.conftest import Clock, Period, availability, bo_in_hos_review


async def test_two_concurrent_approvals_of_overlapping_bookings_one_wins(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    start = clock.today + timedelta(days=90)
    pepsi = await bo_in_hos_review(
        client, world, "Pepsi", [("UAE21", Period(start, start + timedelta(30)))]
    )
    nike = await bo_in_hos_review(
        client, world, "Nike", [("UAE21", Period(start + timedelta(10), start + timedelta(40)))]
    )
    first, second = await asyncio.gather(
        act(client, world.hos, pepsi["id"], "approve"),
        act(client, world.hos, nike["id"], "approve"),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409], (first.text, second.text)
    winner, loser = (first, second) if first.status_code == 200 else (second, first)
    assert loser.json()["error"]["code"] == "double_booking"
    assert winner.json()["reference"] in loser.json()["error"]["message"]
    seen = await availability(client, world.sales, "uae21", Period(start, start + timedelta(40)))
    assert [c["reference"] for c in seen["commitments"]] == [winner.json()["reference"]]


def _order(bo_id: str, client_name: str, period: Period) -> bookings.Order:
    return bookings.Order(
        booking_order_id=uuid.UUID(bo_id),
        reference=None,
        client=client_name,
        owner_id=None,
        owner_name="",
        lines=[bookings.OrderLine("UAE21", period.start, period.end)],
    )


# The advisory lock is PostgreSQL's (SQLite has one writer at a time): this runs there only.
@pytest.mark.parametrize("stack", ["postgres"], indirect=True)
async def test_the_second_transaction_waits_for_the_first_and_then_is_refused(
    app: FastAPI, client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    """Deterministic on PostgreSQL: B blocks on A's lock while A is open, then sees A's booking."""
    start = clock.today + timedelta(days=120)
    settings = app.state.settings
    # Two real booking orders (the bookings name them); the lines booked are given below.
    pepsi, nike = [
        (await bo_in_hos_review(client, world, name, [("UAE21", Period(start, start))]))["id"]
        for name in ("Pepsi", "Nike")
    ]
    async with app.state.db.sessions() as a, app.state.db.sessions() as b:
        await bookings.book_order(
            a, settings, _order(pepsi, "Pepsi", Period(start, start + timedelta(9)))
        )
        second = asyncio.create_task(
            bookings.book_order(
                b,
                settings,
                _order(nike, "Nike", Period(start + timedelta(5), start + timedelta(20))),
            )
        )
        await asyncio.sleep(0.5)
        assert not second.done()  # waiting on A's lock, not reading around it
        await a.commit()
        with pytest.raises(Conflict) as refused:
            await second
        assert refused.value.code == "double_booking"
        assert "UAE21 is booked for Pepsi" in refused.value.message
        await b.rollback()
