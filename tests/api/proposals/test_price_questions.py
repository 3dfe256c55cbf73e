"""`location_prices` and the dated history: what a location was last quoted at, from the
proposals the caller may see; the catalogue keeps no list price and says so (#15 item 6)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesbot.assistant.tooling import run_tool
from salesbot.auth.service import principal_for
from salesbot.kit.tools import ToolContext, ToolResult
from salesbot.proposals import tools as proposal_tools
from salesbot.users import service as users
from tests.api.locations.support import Team

pytestmark = pytest.mark.jobs


async def run(app: FastAPI, person_id: Any, tool: str, args: dict[str, Any]) -> ToolResult:
    found = {t.name: t for t in proposal_tools.TOOLS}[tool]
    async with app.state.db.sessions() as session:
        principal = principal_for(await users.get_user(session, person_id), "bearer")
        return await run_tool(found, ToolContext(principal, session, app.state), args)


def body(client: str, rate: str) -> dict[str, Any]:
    start = f"{date.today().year + 1}-01-01"
    item = {"location": "landmark", "start_date": start, "durations": ["2 weeks"]}
    return {"kind": "separate", "client_name": client, "proposals": [{**item, "net_rates": [rate]}]}


async def test_the_price_is_the_last_quoted_rate(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    none_yet = await run(app, catalogue.sales.id, "location_prices", {"location": "landmark"})
    assert none_yet.summary == (
        "The catalogue keeps no list price for the_landmark, and no proposal you can see has "
        "quoted it yet. Tell me the rate and I'll make a proposal."
    )
    for who, rate in (("Nike", "1.5M"), ("Adidas", "1.6M")):
        made = await client.post(
            "/api/proposals", json=body(who, rate), headers=catalogue.sales.headers
        )
        assert made.status_code == 201, made.text
    answer = await run(app, catalogue.sales.id, "location_prices", {"location": "the landmark"})
    lines = answer.summary.splitlines()
    assert lines[0] == "The catalogue keeps no list price; The Landmark was last quoted:"
    assert lines[1].endswith("for Adidas: 2 Weeks net AED 1,600,000")  # newest first
    assert lines[2].endswith("for Nike: 2 Weeks net AED 1,500,000")


async def test_history_between_dates(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    made = await client.post(
        "/api/proposals", json=body("Nike", "1.5M"), headers=catalogue.sales.headers
    )
    assert made.status_code == 201, made.text
    today = date.today().isoformat()
    found = await run(
        app,
        catalogue.sales.id,
        "proposal_history",
        {"client": "Nike", "date_from": today, "date_to": today},
    )
    assert "Nike" in found.summary and not found.is_error
    past = await run(
        app,
        catalogue.sales.id,
        "proposal_history",
        {"client": "Nike", "date_from": "2001-10-01", "date_to": "2001-10-31"},
    )
    assert past.summary == "No proposals found for 'Nike' between 1 Oct 2001 and 31 Oct 2001."


async def test_a_location_quoted_in_a_package_says_so(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    start = f"{date.today().year + 1}-01-01"
    package = {
        "kind": "combined",
        "client_name": "Puma",
        "combined_net_rate": "2M",
        "locations": [
            {"location": "landmark", "start_date": start, "duration": "2 weeks"},
            {"location": "jawhara", "start_date": start, "duration": "2 weeks"},
        ],
    }
    made = await client.post("/api/proposals", json=package, headers=catalogue.sales.headers)
    assert made.status_code == 201, made.text
    answer = await run(app, catalogue.sales.id, "location_prices", {"location": "jawhara"})
    lines = answer.summary.splitlines()
    assert lines[0] == "The catalogue keeps no list price; The Jawhara was last quoted:"
    assert lines[1].endswith("for Puma: in a package at net AED 2,000,000")


async def test_a_refused_request_through_the_tool_says_why(app: FastAPI, catalogue: Team) -> None:
    start = f"{date.today().year + 1}-01-01"
    args = {
        "client_name": "Nike",
        "proposals": [
            {
                "location": "nowhere-at-all",
                "start_date": start,
                "durations": ["2 weeks"],
                "net_rates": ["1M"],
            }
        ],
    }
    refused = await run(app, catalogue.sales.id, "create_separate_proposals", args)
    assert refused.is_error
    assert refused.summary.startswith("Unknown location 'nowhere-at-all' in proposal 1")
