"""A start date that has passed is a warning, not silence: the API answers with `warnings`,
and the assistant's proposal tools ask before producing (re-issuing an old proposal is fine)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesbot.assistant.tooling import run_tool
from salesbot.auth.service import principal_for
from salesbot.kit.tools import ToolContext
from salesbot.proposals import service as proposal_service
from salesbot.proposals import tools as proposal_tools
from salesbot.users import service as users
from tests.api.locations.support import Team

pytestmark = pytest.mark.jobs

# The clock the proposal service reads: 10:00 in Dubai on 6 Dec 2026.
NOW = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
WARNING = {
    "code": "past_start_date",
    "field": "start_date",
    "location": "the_landmark",
    "message": "The start date 1 Jan 2026 has already passed; did you mean 1 Jan 2027?",
}


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proposal_service, "utcnow", lambda: NOW)


def body(*starts: str) -> dict[str, Any]:
    items = [
        {"location": name, "start_date": start, "durations": ["2 weeks"], "net_rates": ["1.5M"]}
        for name, start in zip(("landmark", "uae21"), starts, strict=False)
    ]
    for item in items[1:]:
        item["production_fee"] = "5000"
    return {"kind": "separate", "client_name": "Nike", "proposals": items}


async def test_preview_and_proposal_carry_the_warning(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    headers = catalogue.sales.headers
    preview = await client.post("/api/proposals/preview", json=body("2026-01-01"), headers=headers)
    assert preview.status_code == 200, preview.text
    assert preview.json()["warnings"] == [WARNING]
    made = await client.post("/api/proposals", json=body("2026-01-01"), headers=headers)
    assert made.status_code == 201, made.text  # produced all the same: re-issuing is legitimate
    assert made.json()["warnings"] == [WARNING]
    again = await client.get(f"/api/proposals/{made.json()['id']}", headers=headers)
    assert again.json()["warnings"] == [WARNING]


async def test_future_and_todays_dates_have_no_warning(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    response = await client.post(
        "/api/proposals/preview",
        json=body("2026-12-06", "Jan 1st 2027"),
        headers=catalogue.sales.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["warnings"] == []


async def run(app: FastAPI, catalogue: Team, tool: str, args: dict[str, Any]) -> Any:
    found = {t.name: t for t in proposal_tools.TOOLS}[tool]
    async with app.state.db.sessions() as session:
        principal = principal_for(await users.get_user(session, catalogue.sales.id), "bearer")
        ctx = ToolContext(principal, session, app.state)
        return await run_tool(found, ctx, args)


async def test_the_tool_asks_first_and_produces_once_the_user_keeps_the_date(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    args = body("2026-01-01")
    del args["kind"]
    asked = await run(app, catalogue, "create_separate_proposals", args)
    assert asked.is_error and asked.files == []
    assert asked.summary.startswith("1 Jan 2026 has passed — did you mean 1 Jan 2027?")
    assert asked.data["code"] == "past_start_date"
    listed = await client.get("/api/proposals", headers=catalogue.sales.headers)
    assert listed.json()["items"] == []  # nothing was produced

    made = await run(
        app, catalogue, "create_separate_proposals", {**args, "past_start_confirmed": True}
    )
    assert not made.is_error, made.summary
    assert made.data["warnings"] == [WARNING]
    stored = await client.get(f"/api/proposals/{made.data['id']}", headers=catalogue.sales.headers)
    # The confirmation belongs to the conversation, not to the proposal's recorded request.
    assert "past_start_confirmed" not in stored.json()["input"]
