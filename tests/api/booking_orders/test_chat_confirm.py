"""Actions that change state act only on what the user clearly means, and only after a yes:
"submit it" describes the step and waits; "yes" runs it; "no" leaves it (#15 item 7)."""

from __future__ import annotations

import httpx

from tests.api.assistant.conftest import chat, conversation_of, text_of
from tests.api.booking_orders.conftest import World, new_bo


async def _state(client: httpx.AsyncClient, world: World, bo_id: str) -> str:
    response = await client.get(f"/api/booking-orders/{bo_id}", headers=world.sales.headers)
    return str(response.json()["state"])


async def test_submit_it_asks_first_and_yes_submits(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    asked = await chat(client, world.sales.headers, "submit it")
    question = text_of(asked)
    assert question.startswith("This will submit BO DPD-112652 for coordinator review — Nike")
    assert question.endswith("Say yes to go ahead, or no to leave it as it is.")
    assert await _state(client, world, bo["id"]) == "draft"  # nothing happened yet

    done = await chat(client, world.sales.headers, "yes", conversation_id=conversation_of(asked))
    assert text_of(done).startswith("Submitted for coordinator review.")
    assert await _state(client, world, bo["id"]) == "coordinator_review"


async def test_no_leaves_the_booking_order_as_it_is(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await new_bo(client, world.sales)
    asked = await chat(client, world.sales.headers, "submit it")
    answer = await chat(client, world.sales.headers, "no", conversation_id=conversation_of(asked))
    assert text_of(answer) == "OK, I've dropped that. What would you like to do instead?"
    assert await _state(client, world, bo["id"]) == "draft"
