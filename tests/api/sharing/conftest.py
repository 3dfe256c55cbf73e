"""Fixtures for client links: the team, the example catalogue, a controllable clock."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesbot.kit.db import utcnow
from tests.api.locations.support import Person, Team, make_team, seed_catalogue


class Clock:
    """The app's clock in these tests: starts at the real time, moved forward by hand."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: FastAPI) -> Clock:
    made = Clock()
    app.state.clock = made
    return made


@pytest.fixture
async def team(app: FastAPI, client: httpx.AsyncClient) -> Team:
    made = await make_team(app)
    await seed_catalogue(client, made.admin)
    return made


def separate_body(client_name: str = "Nike") -> dict[str, Any]:
    """Two locations: the landmark with two rate options, UAE21 (static) with one."""
    start = (utcnow().date() + timedelta(days=40)).isoformat()
    return {
        "kind": "separate",
        "client_name": client_name,
        "proposals": [
            {
                "location": "landmark",
                "start_date": start,
                "durations": ["2 weeks", "4 weeks"],
                "net_rates": ["1.5M", "2.8M"],
            },
            {
                "location": "uae21",
                "start_date": start,
                "durations": ["4 weeks"],
                "net_rates": ["100000"],
                "production_fee": "5000",
            },
        ],
    }


async def make_proposal(
    client: httpx.AsyncClient, who: Person, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    made = await client.post("/api/proposals", json=body or separate_body(), headers=who.headers)
    assert made.status_code == 201, made.text
    result: dict[str, Any] = made.json()
    return result


@dataclass
class Shared:
    proposal: dict[str, Any]
    share: dict[str, Any]

    @property
    def token(self) -> str:
        match = re.search(r"/p/([A-Za-z0-9_-]+)$", self.share["url"])
        assert match, self.share["url"]
        return match.group(1)

    @property
    def path(self) -> str:
        return f"/p/{self.token}"


async def share(
    client: httpx.AsyncClient, who: Person, proposal: dict[str, Any], **body: Any
) -> Shared:
    payload = {"recipient_email": "buyer@nike.example", "recipient_name": "Nora Buyer", **body}
    made = await client.post(
        f"/api/proposals/{proposal['id']}/shares", json=payload, headers=who.headers
    )
    assert made.status_code == 201, made.text
    return Shared(proposal, made.json())


def view_token(page_html: str) -> str:
    match = re.search(r'data-view="([^"]+)"', page_html)
    assert match, page_html[:500]
    return match.group(1)
