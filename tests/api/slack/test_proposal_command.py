"""`/proposal`: a modal with the form's fields, checked like the web form, results in the DM."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from tests.api.assistant.conftest import seed_locations
from tests.api.booking_orders.conftest import make_world
from tests.api.slack.conftest import TEAM, SlackSender, slack_user
from tests.support.fake_slack import FakeSlack


def _command(user: str) -> dict[str, str]:
    return {
        "token": "unused",
        "team_id": TEAM,
        "team_domain": "t",
        "channel_id": "C1",
        "channel_name": "sales",
        "user_id": user,
        "user_name": "someone",
        "command": "/proposal",
        "text": "",
        "api_app_id": "A1",
        "response_url": "http://127.0.0.1:9/unused",
        "trigger_id": "trigger-9",
    }


def _submit(user: str, view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for block_id, value in values.items():
        element: dict[str, Any]
        if block_id == "kind":
            element = {"type": "static_select", "selected_option": {"value": value}}
        else:
            element = {"type": "plain_text_input", "value": value or None}
        state[block_id] = {block_id: element}
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user},
        "api_app_id": "A1",
        "token": "unused",
        "trigger_id": "trigger-10",
        "view": {
            "id": "V9",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": state},
        },
    }


@pytest.mark.jobs
async def test_proposal_modal_validates_then_posts_the_files_to_the_dm(
    app: FastAPI, client: httpx.AsyncClient, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    world = await make_world(app)
    await seed_locations(app)
    fake_slack.users["USALES"] = slack_user("USALES", "sales@example.com")
    response = await sender.command(_command("USALES"))
    assert response.status_code == 200
    (opened,) = fake_slack.called("views.open")
    assert opened.args["trigger_id"] == "trigger-9"
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    blocks = [b["block_id"] for b in view["blocks"]]
    assert blocks[:5] == ["kind", "client_name", "locations", "start_date", "durations"]

    start = datetime.now(ZoneInfo(app.state.settings.timezone)).date() + timedelta(days=20)
    values = {
        "kind": "separate",
        "client_name": "Nike",
        "locations": "qqqq zzzz",
        "start_date": start.isoformat(),
        "durations": "2 weeks",
        "net_rates": "1.5M",
        "production_fee": "",
        "payment_terms": "",
        "currency": "",
    }
    unknown = await sender.interaction(_submit("USALES", view, values))
    assert unknown.json()["response_action"] == "errors"
    assert "qqqq zzzz" in unknown.json()["errors"]["locations"]
    too_long = await sender.interaction(
        _submit("USALES", view, values | {"client_name": "N" * 121})
    )
    assert set(too_long.json()["errors"]) == {"client_name"}
    assert fake_slack.called("files.getUploadURLExternal") == []

    done = await sender.interaction(_submit("USALES", view, values | {"locations": "landmark"}))
    assert done.status_code == 200 and done.content in (b"", b"null")
    (opened_dm,) = fake_slack.called("conversations.open")
    assert opened_dm.args["users"] == "USALES"
    final = fake_slack.called("chat.update")[-1]
    assert final.args["channel"] == "DSALES"
    assert final.args["text"].startswith("Proposal for Nike is ready")
    completes = fake_slack.called("files.completeUploadExternal")
    assert {c.args["channel_id"] for c in completes} == {"DSALES"}
    names = [c.args["filename"] for c in fake_slack.called("files.getUploadURLExternal")]
    assert any(n.endswith(".pptx") for n in names)
    listed = await client.get("/api/proposals", headers=world.sales.headers)
    assert [p["client_name"] for p in listed.json()["items"]] == ["Nike"]


async def test_a_viewer_is_told_the_role_cannot_create_proposals(
    app: FastAPI, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    await make_world(app)
    fake_slack.users["UVIEWER"] = slack_user("UVIEWER", "viewer@example.com")
    await sender.command(_command("UVIEWER"))
    assert fake_slack.called("views.open") == []
    (told,) = fake_slack.called("chat.postEphemeral")
    assert told.args["text"] == "Your role cannot create proposals."


async def test_the_form_is_checked_as_fields_are_entered(
    app: FastAPI, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    await make_world(app)
    await seed_locations(app)
    fake_slack.users["USALES"] = slack_user("USALES", "sales@example.com")
    await sender.command(_command("USALES"))
    view = fake_slack.called("views.open")[0].args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    live = {b["block_id"] for b in view["blocks"] if b.get("dispatch_action")}
    assert {"locations", "start_date", "net_rates"} <= live

    def entered(values: dict[str, str], field: str) -> dict[str, Any]:
        submitted = _submit("USALES", view, values)
        return {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": "USALES"},
            "api_app_id": "A1",
            "token": "unused",
            "trigger_id": "trigger-11",
            "container": {"type": "view", "view_id": "V9"},
            "view": submitted["view"] | {"hash": "h1"},
            "actions": [{"action_id": field, "block_id": field, "type": "plain_text_input"}],
        }

    # A date that is no date: named as soon as it is entered; the empty optional fields are not.
    await sender.interaction(
        entered(
            {
                "kind": "separate",
                "client_name": "Nike",
                "locations": "landmark",
                "start_date": "the 45th",
                "durations": "2 weeks",
                "net_rates": "1.5M",
            },
            "start_date",
        )
    )
    (updated,) = fake_slack.called("views.update")
    assert (updated.args["view_id"], updated.args["hash"]) == ("V9", "h1")
    shown = updated.args["view"]
    shown = json.loads(shown) if isinstance(shown, str) else shown
    (problems,) = [b for b in shown["blocks"] if b["block_id"] == "problems"]
    text = problems["elements"][0]["text"]
    assert "Start date" in text
    assert "Production fee" not in text and "Currency" not in text
