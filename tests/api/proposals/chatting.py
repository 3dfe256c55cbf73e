"""Chat turns for the proposal tests: a conversation driven through /api/chat, the proposals
it made, and their exact totals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from tests.api.assistant.conftest import Sse, chat, conversation_of, text_of
from tests.api.locations.support import Person


def first_of_next_month(app: FastAPI) -> date:
    """The start the requests use, from today in the configured zone (never a fixed year)."""
    today = datetime.now(ZoneInfo(app.state.settings.timezone)).date()
    month = today.month % 12 + 1
    return date(today.year + (today.month == 12), month, 1)


def made(events: list[Sse]) -> dict[str, Any]:
    """The data of the turn's successful proposal tool result."""
    results = [e.data for e in events if e.event == "tool_result" and not e.data["is_error"]]
    assert results, text_of(events)
    return dict(results[-1]["data"])


async def proposal(client: httpx.AsyncClient, person: Person, pid: str) -> dict[str, Any]:
    response = await client.get(f"/api/proposals/{pid}", headers=person.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def totals(record: dict[str, Any]) -> list[Decimal]:
    """Every option's exact AED total (or the package's)."""
    if record["package"] is not None:
        return [Decimal(record["package"]["total"]["aed"])]
    return [Decimal(o["total"]["aed"]) for loc in record["locations"] for o in loc["options"]]


class Conversation:
    def __init__(self, client: httpx.AsyncClient, person: Person) -> None:
        self.client, self.person = client, person
        self.id: str | None = None

    async def say(self, message: str) -> tuple[list[Sse], str]:
        events = await chat(self.client, self.person.headers, message, conversation_id=self.id)
        self.id = self.id or conversation_of(events)
        assert not [e for e in events if e.event == "error"], events
        return events, text_of(events)


def nike_landmark(start: date) -> str:
    """The turn that makes the edit tests' first proposal: the landmark for Nike, 2 weeks, 1.5M."""
    return f"landmark proposal, start {start:%d %b %Y}, 2 weeks, 1.5M, client Nike"


async def nike_landmark_made(
    app: FastAPI, client: httpx.AsyncClient, person: Person
) -> tuple[Conversation, date, dict[str, Any]]:
    """A new conversation whose first turn makes `nike_landmark` from the first of next month:
    the conversation, that start and the proposal made."""
    talk = Conversation(client, person)
    start = first_of_next_month(app)
    events, _ = await talk.say(nike_landmark(start))
    return talk, start, made(events)
