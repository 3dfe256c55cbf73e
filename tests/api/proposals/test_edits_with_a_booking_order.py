"""A follow-up edit while a booking order is open in the conversation (#15 items 5 and 13):
"make it 4 weeks instead" edits the conversation's proposal when there is one; with only a
booking order, the reply says how a booking order's length is changed instead of not
understanding."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.api.assistant.conftest import chat, text_of
from tests.api.booking_orders.conftest import worked_csv
from tests.api.locations.support import Person, Team
from tests.api.proposals.chatting import Conversation, first_of_next_month, made, proposal


async def _attach_booking_order(client: httpx.AsyncClient, talk: Conversation) -> str:
    """The worked booking order, read in this conversation; its state afterwards."""
    person: Person = talk.person
    uploaded = await client.post(
        "/api/files",
        files={"files": ("bo.csv", worked_csv(), "text/csv")},
        headers=person.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    events = await chat(
        client,
        person.headers,
        "here is the booking order for Viola",
        conversation_id=talk.id,
        file_ids=[uploaded.json()[0]["id"]],
    )
    talk.id = talk.id or str(events[0].data["conversation_id"])
    results = [e.data for e in events if e.event == "tool_result"]
    assert [r["tool"] for r in results] == ["parse_booking_order"], text_of(events)
    return str(results[0]["data"]["state"])


@pytest.mark.jobs
async def test_with_a_proposal_and_a_booking_order_the_proposal_is_edited(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    sales = catalogue.sales
    start = first_of_next_month(app)
    talk = Conversation(client, sales)
    events, _ = await talk.say(
        f"landmark proposal, start {start:%d %b %Y}, 2 weeks, 1.5M, client Nike"
    )
    first = made(events)
    assert await _attach_booking_order(client, talk) == "draft"

    events, reply = await talk.say("make it 4 weeks instead")
    assert "Duration 2 weeks → 4 weeks (net rate kept)" in reply, reply
    v2 = await proposal(client, sales, made(events)["id"])
    assert v2["version"] == 2 and v2["previous_id"] == first["id"]
    assert v2["input"]["proposals"][0]["durations"] == ["4 weeks"]


async def test_with_only_a_booking_order_the_reply_says_how_to_change_its_length(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    sales = catalogue.sales
    talk = Conversation(client, sales)
    assert await _attach_booking_order(client, talk) == "draft"

    events, reply = await talk.say("make it 4 weeks instead")
    assert reply.startswith("A booking order's campaign length comes from its dates"), reply
    assert "change the end date to" in reply and "municipality fee" in reply
    assert not [e for e in events if e.event == "tool_result"]  # nothing changed or made
    listed = await client.get("/api/proposals", headers=sales.headers)
    assert listed.json()["items"] == []
