"""Booking-order transitions are counted by action and states, once each (a lost race is not)."""

from __future__ import annotations

import asyncio

import httpx

from tests.api.booking_orders.conftest import World, act, to_hos_review
from tests.support.metrics import sample

STEPS = [
    ("submit", "draft", "coordinator_review"),
    ("approve", "coordinator_review", "hos_review"),
    ("approve", "hos_review", "approved"),
]


def counts() -> list[float]:
    return [
        sample("salesbot_booking_order_transitions_total", action=a, from_state=f, to_state=t)
        for a, f, t in STEPS
    ]


async def test_each_transition_is_counted_once(client: httpx.AsyncClient, world: World) -> None:
    before = counts()
    bo = await to_hos_review(client, world)
    first, second = await asyncio.gather(
        act(client, world.hos, bo["id"], "approve", version=bo["version"]),
        act(client, world.hos, bo["id"], "approve", version=bo["version"]),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    assert [after - was for after, was in zip(counts(), before, strict=True)] == [1, 1, 1]
