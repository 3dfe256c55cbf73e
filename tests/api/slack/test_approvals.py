"""Approvals in Slack: the same workflow step with the same version check, outcome for everyone."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from salesbot.booking_orders.models import BookingOrderEvent
from salesbot.slack.models import SlackLink
from tests.api.booking_orders.conftest import World, act, make_world, new_bo
from tests.api.slack.conftest import TEAM, SlackSender
from tests.support.fake_slack import Call, FakeSlack

LINKED = ("coord", "hos", "finance")


async def _world(app: FastAPI) -> World:
    world = await make_world(app)
    async with app.state.db.sessions() as session:
        for key in LINKED:
            person = getattr(world, key)
            session.add(
                SlackLink(
                    team_id=TEAM, slack_user_id=f"U{key.upper()}", user_id=person.id, method="email"
                )
            )
        await session.commit()
    return world


def _to(fake: FakeSlack, slack_id: str) -> list[Call]:
    return [c for c in fake.called("chat.postMessage") if c.args["channel"] == slack_id]


def _buttons(call: Call) -> dict[str, str]:
    blocks = call.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    actions = [b for b in blocks if b["type"] == "actions"]
    if not actions:
        return {}
    return {e["action_id"]: e["value"] for e in actions[0]["elements"]}


def _press(slack_id: str, action_id: str, value: str, message_ts: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": slack_id},
        "api_app_id": "A1",
        "token": "unused",
        # Slack gives every press its own trigger: two presses of one button are two requests
        # (identical bodies signed in the same second would be refused as a replay).
        "trigger_id": f"trigger-{uuid.uuid4().hex}",
        "container": {
            "type": "message",
            "channel_id": "D" + slack_id[1:],
            "message_ts": message_ts,
        },
        "channel": {"id": "D" + slack_id[1:]},
        "message": {"ts": message_ts},
        "actions": [
            {"action_id": action_id, "block_id": "bo_decision", "value": value, "type": "button"}
        ],
    }


def _ts_of(fake: FakeSlack, call: Call) -> str:
    """The ts Slack answered for this message."""
    return str(call.answer["ts"])


async def _approvals_count(app: FastAPI, bo_id: str) -> int:
    import uuid

    async with app.state.db.sessions() as session:
        return int(
            (
                await session.execute(
                    select(func.count(BookingOrderEvent.id)).where(
                        BookingOrderEvent.booking_order_id == uuid.UUID(bo_id),
                        BookingOrderEvent.action == "approve",
                    )
                )
            ).scalar_one()
        )


async def test_coordinator_then_head_of_sales_approve_in_slack_and_finance_is_told(
    app: FastAPI, client: httpx.AsyncClient, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    world = await _world(app)
    bo = await new_bo(client, world.sales)
    assert (await act(client, world.sales, bo["id"], "submit")).status_code == 200
    await app.state.slack.idle()
    (to_coord,) = _to(fake_slack, "UCOORD")
    assert "Booking order to review" in to_coord.args["text"]
    assert "Nike" in json.dumps(to_coord.args["blocks"])
    buttons = _buttons(to_coord)
    assert set(buttons) == {"bo_approve", "bo_reject"}
    assert _to(fake_slack, "UHOS") == []
    coord_ts = _ts_of(fake_slack, to_coord)

    await sender.interaction(_press("UCOORD", "bo_approve", buttons["bo_approve"], coord_ts))
    shown = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.sales.headers)
    assert shown.json()["state"] == "hos_review"
    outcome = [c for c in fake_slack.called("chat.update") if c.args["ts"] == coord_ts]
    assert outcome[-1].args["text"] == (
        "Approved by Cora Coordinator: it is now in head of sales review."
    )
    (to_hos,) = _to(fake_slack, "UHOS")
    assert "awaiting your approval" in to_hos.args["text"]
    hos_buttons = _buttons(to_hos)
    assert set(hos_buttons) == {"bo_approve", "bo_reject"}

    await sender.interaction(
        _press("UHOS", "bo_approve", hos_buttons["bo_approve"], _ts_of(fake_slack, to_hos))
    )
    shown = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.sales.headers)
    assert shown.json()["state"] == "approved"
    (to_finance,) = _to(fake_slack, "UFINANCE")
    assert "Booking order approved" in to_finance.args["text"]
    assert _buttons(to_finance) == {}  # finance is told; the workflow gives it no decision

    # The coordinator's old button is stale: no second transition, and it says who acted.
    before = await _approvals_count(app, bo["id"])
    await sender.interaction(_press("UCOORD", "bo_approve", buttons["bo_approve"], coord_ts))
    assert await _approvals_count(app, bo["id"]) == before == 2
    stale = [c for c in fake_slack.called("chat.update") if c.args["ts"] == coord_ts][-1]
    assert stale.args["text"].startswith("This booking order was already approved by Hana Head")


async def test_reject_asks_for_a_reason_in_a_modal(
    app: FastAPI, client: httpx.AsyncClient, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    world = await _world(app)
    bo = await new_bo(client, world.sales)
    await act(client, world.sales, bo["id"], "submit")
    await act(client, world.coord, bo["id"], "approve")
    await app.state.slack.idle()
    (to_hos,) = _to(fake_slack, "UHOS")
    hos_ts = _ts_of(fake_slack, to_hos)
    await sender.interaction(_press("UHOS", "bo_reject", _buttons(to_hos)["bo_reject"], hos_ts))
    (opened,) = fake_slack.called("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == "bo_reject_reason"

    def submit(reason: str) -> dict[str, Any]:
        return {
            "type": "view_submission",
            "team": {"id": TEAM},
            "user": {"id": "UHOS"},
            "api_app_id": "A1",
            "token": "unused",
            "trigger_id": "trigger-2",
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": "bo_reject_reason",
                "private_metadata": view["private_metadata"],
                "state": {
                    "values": {"reason": {"reason": {"type": "plain_text_input", "value": reason}}}
                },
            },
        }

    empty = await sender.interaction(submit(""))
    assert empty.json()["response_action"] == "errors"
    assert set(empty.json()["errors"]) == {"reason"}
    shown = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.sales.headers)
    assert shown.json()["state"] == "hos_review"

    done = await sender.interaction(submit("Rates are below the floor"))
    assert done.status_code == 200
    shown = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.sales.headers)
    assert shown.json()["state"] == "coordinator_review"
    outcome = [c for c in fake_slack.called("chat.update") if c.args["ts"] == hos_ts][-1]
    assert outcome.args["text"] == (
        "Rejected by Hana Head: it is now in coordinator review. Reason: Rates are below the floor"
    )


async def test_a_step_taken_on_the_web_updates_the_slack_messages(
    app: FastAPI, client: httpx.AsyncClient, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    world = await _world(app)
    bo = await new_bo(client, world.sales)
    await act(client, world.sales, bo["id"], "submit")
    await app.state.slack.idle()
    (to_coord,) = _to(fake_slack, "UCOORD")
    coord_ts = _ts_of(fake_slack, to_coord)
    assert (await act(client, world.coord, bo["id"], "approve")).status_code == 200
    await app.state.slack.idle()
    settled = [c for c in fake_slack.called("chat.update") if c.args["ts"] == coord_ts]
    assert [c.args["text"] for c in settled] == [
        "Approved by Cora Coordinator: it is now in head of sales review."
    ]
    # The head of sales' new message keeps its buttons.
    (to_hos,) = _to(fake_slack, "UHOS")
    hos_ts = _ts_of(fake_slack, to_hos)
    assert [c for c in fake_slack.called("chat.update") if c.args["ts"] == hos_ts] == []
    # And the coordinator's button, pressed late, changes nothing.
    await sender.interaction(
        _press("UCOORD", "bo_approve", _buttons(to_coord)["bo_approve"], coord_ts)
    )
    assert await _approvals_count(app, bo["id"]) == 1
    late = [c for c in fake_slack.called("chat.update") if c.args["ts"] == coord_ts][-1]
    assert late.args["text"].startswith("This booking order was already approved by Cora")
