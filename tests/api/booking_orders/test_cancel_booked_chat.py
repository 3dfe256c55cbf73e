"""Finance cancels a booked booking order through the chat, as the page and the API allow: the
chat's cancel tool asks the workflow who may cancel (one rule), describes the step and waits
for a yes; sales still can't cancel a booked one (#15 item 13)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from tests.api.assistant.conftest import chat, conversation_of, text_of
from tests.api.booking_orders.conftest import World, act, run_tool_as, to_hos_review


async def _booked(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    bo = await to_hos_review(client, world)
    assert (await act(client, world.hos, bo["id"], "approve")).status_code == 200
    booked = await act(client, world.finance, bo["id"], "book", po_number="PO-12345")
    assert booked.status_code == 200, booked.text
    data: dict[str, Any] = booked.json()
    assert data["state"] == "booked"
    return data


async def _state(client: httpx.AsyncClient, world: World, bo_id: str) -> str:
    response = await client.get(f"/api/booking-orders/{bo_id}", headers=world.finance.headers)
    return str(response.json()["state"])


async def test_finance_cancels_a_booked_order_with_the_tool_after_a_yes(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    bo = await _booked(client, world)
    reference = bo["reference"]

    # Without one named, the only booked order finance may cancel is meant; a reason first.
    asked = await run_tool_as(app, world.finance, "cancel_booking_order", {})
    assert asked.data["needs"] == ["reason"], asked.summary
    why = {"reason": "PO withdrawn"}
    described = await run_tool_as(app, world.finance, "cancel_booking_order", why)
    assert described.is_error and described.data["code"] == "confirm"
    assert described.summary.startswith(f"This will cancel {reference} — Nike")
    assert '(reason: "PO withdrawn")' in described.summary
    assert await _state(client, world, bo["id"]) == "booked"  # nothing happened yet

    done = await run_tool_as(app, world.finance, "cancel_booking_order", described.data["args"])
    assert not done.is_error, done.summary
    assert done.summary.startswith("Cancelled.")
    assert done.data["state"] == "cancelled"


async def test_sales_still_cannot_cancel_a_booked_order_through_the_chat(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    bo = await _booked(client, world)
    reference = bo["reference"]

    unnamed = await run_tool_as(app, world.sales, "cancel_booking_order", {"reason": "Client left"})
    assert unnamed.is_error
    assert unnamed.summary == "You have no booking order you could cancel now."

    # Named, the workflow's refusal comes before any question or confirmation.
    for args in ({"booking_order": reference}, {"booking_order": reference, "confirm": True}):
        refused = await run_tool_as(app, world.sales, "cancel_booking_order", args)
        assert refused.is_error and refused.data["code"] == "transition_denied"
        assert refused.summary.startswith(
            "Only finance of Viola or an admin can cancel a booking order that is booked"
        )
    assert await _state(client, world, bo["id"]) == "booked"


async def test_cancel_it_asks_then_yes_cancels_for_finance_in_a_full_chat(
    client: httpx.AsyncClient, world: World
) -> None:
    bo = await _booked(client, world)
    reference = bo["reference"]
    headers = world.finance.headers

    status = await chat(client, headers, f"where is {reference}?")
    conversation = conversation_of(status)
    assert f"{reference} for Nike" in text_of(status)

    why = await chat(client, headers, "cancel it", conversation_id=conversation)
    assert "reason" in text_of(why).lower(), text_of(why)
    asked = await chat(client, headers, "the client withdrew the PO", conversation_id=conversation)
    question = text_of(asked)
    assert question.startswith(f"This will cancel {reference} — Nike"), question
    assert question.endswith("Say yes to go ahead, or no to leave it as it is.")
    assert await _state(client, world, bo["id"]) == "booked"

    done = await chat(client, headers, "yes", conversation_id=conversation)
    assert text_of(done).startswith("Cancelled."), text_of(done)
    assert await _state(client, world, bo["id"]) == "cancelled"
