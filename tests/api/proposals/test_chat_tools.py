"""Chat phrasings through the offline model into the tools, with figures read back from files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesbot.assistant.offline import Context, Intent, KnownLocation, interpret
from salesbot.assistant.tooling import run_tool
from salesbot.auth.service import principal_for
from salesbot.kit.errors import Forbidden
from salesbot.kit.tools import ToolContext, ToolResult
from salesbot.locations import service as locations
from salesbot.locations import tools as location_tools
from salesbot.proposals import tools as proposal_tools
from salesbot.users import service as users
from tests.api.locations.support import Person, Team, download, pdf_texts, squash, table_rows

pytestmark = pytest.mark.jobs

TODAY = date(2025, 11, 20)
TOOLS = {tool.name: tool for tool in [*proposal_tools.TOOLS, *location_tools.TOOLS]}


@dataclass
class Turn:
    intent: Intent
    result: ToolResult | None = None
    progress: list[tuple[int, str]] = field(default_factory=list)


async def say(app: FastAPI, person: Person, message: str, context: Context | None = None) -> Turn:
    """One chat turn: the offline model reads the message; a complete intent runs its tool."""
    async with app.state.db.sessions() as session:
        catalogue, _ = await locations.list_locations(session, include_inactive=True, limit=500)
        known = [
            KnownLocation(loc.key, (loc.display_name, *loc.aliases), display_type=loc.display_type)
            for loc in catalogue
        ]
        intent = interpret(message, locations=known, context=context or Context(), today=TODAY)
        turn = Turn(intent)
        if intent.tool is None or intent.missing:
            return turn
        principal = principal_for(await users.get_user(session, person.id), "bearer")

        async def progress(percent: int, text: str) -> None:
            turn.progress.append((percent, text))

        ctx = ToolContext(principal, session, app.state, progress=progress, today=TODAY)
        turn.result = await run_tool(TOOLS[intent.tool], ctx, dict(intent.args))
        return turn


def files(result: ToolResult, extension: str) -> list[str]:
    return [card.download_url for card in result.files if card.name.endswith(extension)]


async def test_example_2_by_chat(app: FastAPI, client: httpx.AsyncClient, catalogue: Team) -> None:
    turn = await say(
        app,
        catalogue.sales,
        "make me a landmark proposal, start Jan 1st 2026, durations 2 weeks, 4 weeks, 8 weeks, "
        "rates 1.5M, 2.8M, 4M, client Nike Middle East",
    )
    assert turn.intent.tool == "create_separate_proposals"
    result = turn.result
    assert result is not None and not result.is_error, result
    totals = ["AED 1,578,696", "AED 2,943,696", "AED 4,203,696"]
    options = result.data["locations"][0]["options"]
    assert [o["total"]["text"] for o in options] == totals
    assert [o["vat"]["text"] for o in options] == ["AED 75,176", "AED 140,176", "AED 200,176"]
    assert result.summary.splitlines()[1] == (
        "- The Landmark, from 1 Jan 2026: 2 Weeks AED 1,578,696; 4 Weeks AED 2,943,696; "
        "8 Weeks AED 4,203,696"
    )
    # Progress is reported while producing, ending when the files are ready.
    percents = [p for p, _ in turn.progress]
    assert percents == sorted(percents) and percents[0] == 5 and percents[-1] == 100
    assert len(percents) >= 5

    (pptx_url,) = files(result, ".pptx")
    (pdf_url,) = files(result, ".pdf")
    assert ["Total:", *totals] in table_rows(await download(client, catalogue.sales, pptx_url))
    pdf = squash("".join(pdf_texts(await download(client, catalogue.sales, pdf_url))))
    assert all(squash(total) in pdf for total in totals)
    # Recorded in the history like a proposal made through the API.
    history = await client.get("/api/proposals", headers=catalogue.sales.headers)
    assert [p["id"] for p in history.json()["items"]] == [result.data["id"]]


async def test_follow_up_reuses_the_client(app: FastAPI, catalogue: Team) -> None:
    turn = await say(app, catalogue.sales, "jawhara 2M 2 weeks Dec 1", Context(client_name="Nike"))
    assert turn.result is not None and not turn.result.is_error, turn.result
    location = turn.result.data["locations"][0]
    assert location["date_text"] == "1st December 2025 - 14th December 2025"  # both dates
    assert location["options"][0]["total"]["text"] == "AED 2,103,696"  # (2M + 3,000 + 520) × 1.05
    assert turn.result.data["client_name"] == "Nike"


async def test_combined_package_asks_for_the_production_fee(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    first = await say(
        app,
        catalogue.sales,
        "combined package for gateway and uae21, start 1 Feb 2026, 4 weeks each, "
        "package rate 2M, client Adidas",
    )
    assert first.result is None
    assert first.intent.reply == "What is the production fee for UAE21? It's a static location."
    second = await say(app, catalogue.sales, "production fee 20000", Context(pending=first.intent))
    result = second.result
    assert result is not None and not result.is_error, result
    package = result.data["package"]
    assert package["fee_label"] == "Upload/Production Fee:"
    assert [f["text"] for f in package["fees"]] == ["AED 2,000", "AED 20,000"]
    assert (package["vat"]["text"], package["total"]["text"]) == ("AED 101,126", "AED 2,123,646")
    (deck_url,) = files(result, ".pptx")
    rows = table_rows(await download(client, catalogue.sales, deck_url))
    assert ["Upload/Production Fee:", "AED 2,000", "AED 20,000"] in rows


async def test_currency_and_payment_terms_by_chat(app: FastAPI, catalogue: Team) -> None:
    usd = await say(
        app,
        catalogue.sales,
        "proposal for uae21, start Jan 1st 2026, 2 weeks, rate 100k, production fee 5000, "
        "client Nike, in USD",
    )
    assert usd.result is not None
    option = usd.result.data["locations"][0]["options"][0]
    assert (option["net_rate"]["text"], option["total"]["text"]) == ("$27,229.41", "$30,169.09")
    two = await say(
        app,
        catalogue.sales,
        "gateway and jawhara proposals, start Jan 1st 2026, 2 weeks, rates 1M, client Puma, "
        "payment terms 50% upfront 50% on completion",
    )
    assert two.result is not None and not two.result.is_error
    assert two.result.data["terms"][0] == "Payment Terms: 50% upfront 50% on completion"
    assert [c.name.rsplit(".", 1)[1] for c in two.result.files] == ["pptx", "pptx", "pdf"]


async def test_tool_errors_are_results_the_assistant_can_use(app: FastAPI, catalogue: Team) -> None:
    async with app.state.db.sessions() as session:
        principal = principal_for(await users.get_user(session, catalogue.sales.id), "bearer")
        ctx = ToolContext(principal, session, app.state)
        args: dict[str, Any] = {
            "client_name": "Nike",
            "proposals": [
                {
                    "location": "uae 21",
                    "start_date": "2026-01-01",
                    "durations": ["2 weeks"],
                    "net_rates": ["100000"],
                }
            ],
        }
        missing = await run_tool(TOOLS["create_separate_proposals"], ctx, args)
        assert missing.is_error
        assert missing.summary == "Missing production fee for static location: uae21"
        assert missing.data["details"] == {
            "missing": [{"location": "uae21", "field": "production_fee"}]
        }
        args["proposals"][0]["location"] = "qqqq zzzz"
        unknown = await run_tool(TOOLS["create_separate_proposals"], ctx, args)
        assert unknown.summary == "Unknown location 'qqqq zzzz' in proposal 1"
        shape = await run_tool(TOOLS["create_combined_proposal"], ctx, {"locations": []})
        assert shape.is_error and "client_name" in shape.summary


async def test_location_admin_by_chat_with_a_confirmation_turn(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    admin = catalogue.admin
    added = await say(
        app,
        admin,
        "add location Marina Screen, digital, company Backlite, upload fee 2500, 2 faces",
    )
    assert added.result is not None and not added.result.is_error, added.result
    assert added.result.data["location"]["key"] == "marina_screen"
    assert added.result.data["location"]["upload_fee"] == "2500"

    updated = await say(app, admin, "update location uae21 faces 3")
    assert updated.result is not None and updated.result.data["location"]["number_of_faces"] == 3

    asked = await say(app, admin, "delete location jawhara")
    assert asked.intent.missing == ("confirm",)
    assert asked.intent.reply == "Deleting The Jawhara can't be undone. Reply 'yes' to confirm."
    # A model that calls the tool without the user's yes only gets the question back.
    async with app.state.db.sessions() as session:
        principal = principal_for(await users.get_user(session, admin.id), "bearer")
        ctx = ToolContext(principal, session, app.state)
        unconfirmed = await run_tool(TOOLS["delete_location"], ctx, dict(asked.intent.args))
    assert unconfirmed.data == {"needs_confirmation": True, "location": "jawhara"}
    assert unconfirmed.summary.startswith("Delete The Jawhara (jawhara)? It cannot be undone")
    assert (await client.get("/api/locations/jawhara", headers=admin.headers)).status_code == 200
    confirmed = await say(app, admin, "yes", Context(pending=asked.intent))
    assert confirmed.intent.args == {"location": "jawhara", "confirm": True}
    assert (
        confirmed.result is not None
        and confirmed.result.summary == "Deleted The Jawhara (jawhara)."
    )
    assert (await client.get("/api/locations/jawhara", headers=admin.headers)).status_code == 404


async def test_salespeople_cannot_manage_locations_by_chat(app: FastAPI, catalogue: Team) -> None:
    with pytest.raises(Forbidden):
        await say(app, catalogue.sales, "update location uae21 faces 3")


async def test_looking_up_locations_and_history(app: FastAPI, catalogue: Team) -> None:
    digital = await say(app, catalogue.sales, "show digital screens")
    assert digital.result is not None
    keys = [loc["key"] for loc in digital.result.data["locations"]]
    assert keys == ["city_walk_screen", "dubai_gateway", "jawhara", "the_landmark"]
    found = await say(app, catalogue.sales, "tell me about gateway")
    assert found.result is not None
    assert found.result.summary == (
        "The Dubai Gateway (dubai_gateway): digital, The Landmark Series, 7m x 14m, 4 faces, "
        "12 s spot, 96 s loop, 12.5% SOV, upload fee AED 2,000. Sold by Backlite."
    )
    await say(app, catalogue.sales, "jawhara 2M 2 weeks Dec 1", Context(client_name="Nike"))
    history = await say(app, catalogue.sales, "show my past proposals for Nike")
    assert history.result is not None
    assert history.result.summary.startswith("1 proposal:\n- ")
    assert "Nike: separate, The Jawhara — AED 2,103,696" in history.result.summary
    none = await say(app, catalogue.other, "show my past proposals for Nike")
    assert none.result is not None and none.result.summary == "No proposals found for 'Nike'."
