"""Follow-up edits through a real provider's tool calls (a local server speaking the OpenAI wire
protocol, through the openai SDK and PydanticAI): the model sends only the changed fields to
`revise_proposal`, and the conversation's latest proposal gets its next version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from salesbot.settings import Settings
from tests.api.assistant.fake_openai import FakeOpenAI, Text, ToolCall, fake_openai, openai_settings
from tests.api.locations.support import Team
from tests.api.proposals.chatting import (
    Conversation,
    first_of_next_month,
    made,
    proposal,
    totals,
)
from tests.conftest import Stack

pytestmark = pytest.mark.jobs


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with fake_openai() as fake:
        yield fake


@pytest.fixture
def settings(stack: Stack, tmp_path: Path, server: FakeOpenAI) -> Settings:
    return openai_settings(stack, tmp_path / "data", server)


async def test_the_model_revises_with_only_the_changed_fields(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team, server: FakeOpenAI
) -> None:
    start = first_of_next_month(app).isoformat()
    request = {
        "client_name": "Nike",
        "proposals": [
            {
                "location": "landmark",
                "start_date": start,
                "durations": ["2 weeks"],
                "net_rates": ["1.5M"],
            }
        ],
    }
    server.script(
        ToolCall("create_separate_proposals", (json.dumps(request),), call_id="call_make"),
        Text(("Here is the proposal.",)),
        Text(("Nike landmark",)),  # the conversation's title
        ToolCall("revise_proposal", ('{"durations": ["4 weeks"], ', '"net_rates": ["2.5M"]}')),
        Text(("Done: 4 weeks at 2.5M.",)),
    )
    talk = Conversation(client, catalogue.sales)
    events, _ = await talk.say("landmark for Nike, 2 weeks at 1.5M from the 1st of next month")
    first = made(events)
    events, reply = await talk.say("make it 4 weeks at 2.5M instead")
    assert reply == "Done: 4 weeks at 2.5M."

    result = next(e.data for e in events if e.event == "tool_result")
    assert result["tool"] == "revise_proposal" and not result["is_error"]
    assert result["summary"].startswith("Version 2 made (version 1 is kept). Changed: Duration")
    assert result["data"]["changed"] == [
        "Duration 2 weeks → 4 weeks at AED 2,500,000 (The Landmark)"
    ]
    # What the model read back from the tool names the change too.
    returned = json.loads(server.requests[-1]["messages"][-1]["content"])
    assert returned["summary"] == result["summary"]

    v2 = await proposal(client, catalogue.sales, result["data"]["id"])
    assert v2["previous_id"] == first["id"] and v2["version"] == 2
    assert v2["input"]["proposals"][0]["durations"] == ["4 weeks"]
    assert v2["input"]["proposals"][0]["net_rates"] == ["2.5M"]
    assert totals(v2) == [Decimal("2628696.00")]
    v1 = await proposal(client, catalogue.sales, first["id"])
    assert v1["input"]["proposals"][0]["net_rates"] == ["1.5M"]
    assert totals(v1) == [Decimal("1578696.00")]
