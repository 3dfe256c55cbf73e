"""GET /api/home: the start page in one request — recent work and the booking orders that wait
for the caller, by role (#15 item 17)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.booking_orders.conftest import Person, World, act, new_bo


async def home(client: httpx.AsyncClient, person: Person) -> dict[str, Any]:
    response = await client.get("/api/home", headers=person.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def waiting(body: dict[str, Any]) -> list[str]:
    return [bo["id"] for bo in body["waiting_booking_orders"]]


async def test_each_role_sees_what_waits_for_it(client: httpx.AsyncClient, world: World) -> None:
    draft = await new_bo(client, world.sales)
    submitted = await new_bo(client, world.sales)
    assert (await act(client, world.sales, submitted["id"], "submit")).status_code == 200

    sales = await home(client, world.sales)
    # The draft waits for its owner to submit it; the submitted one waits for someone else.
    assert waiting(sales) == [draft["id"]] and sales["waiting_count"] == 1
    assert sales["can_propose"] is True and sales["can_chat"] is True

    coordinator = await home(client, world.coord)  # Viola's coordinator
    assert waiting(coordinator) == [submitted["id"]]
    assert (await home(client, world.coord_b))["waiting_booking_orders"] == []  # Backlite's

    assert (await home(client, world.hos))["waiting_booking_orders"] == []
    assert (await act(client, world.coord, submitted["id"], "approve")).status_code == 200
    assert waiting(await home(client, world.hos)) == [submitted["id"]]
    assert (await home(client, world.coord))["waiting_booking_orders"] == []

    # Someone else's draft never waits for another sales person.
    assert (await home(client, world.sales2))["waiting_booking_orders"] == []


async def test_recent_conversations_are_the_callers_own(
    client: httpx.AsyncClient, world: World
) -> None:
    made = await client.post(
        "/api/conversations", json={"title": "Nike spring"}, headers=world.sales.headers
    )
    assert made.status_code == 201, made.text
    mine = await home(client, world.sales)
    assert [c["title"] for c in mine["recent_conversations"]] == ["Nike spring"]
    assert (await home(client, world.sales2))["recent_conversations"] == []
    assert mine["recent_proposals"] == []


async def test_a_viewer_gets_only_what_it_may_read(client: httpx.AsyncClient, world: World) -> None:
    body = await home(client, world.viewer)
    assert body["can_propose"] is False and body["can_chat"] is False


async def test_signed_out_gets_401(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/home")).status_code == 401
