"""Follow-up edits of the proposal just made, through the chat with the offline model (#15 item
5): each edit is a new version linked to the previous one, which stays as it was; the reply says
what changed; an edit only ever touches the latest proposal of its own conversation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from salesbot.proposals import checks
from tests.api.locations.support import Team
from tests.api.proposals.chatting import (
    Conversation,
    made,
    nike_landmark,
    nike_landmark_made,
    proposal,
    totals,
)

pytestmark = pytest.mark.jobs


async def test_each_edit_is_a_new_version_and_says_what_changed(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    sales = catalogue.sales
    talk, start, first = await nike_landmark_made(app, client, sales)
    v1 = await proposal(client, sales, first["id"])
    assert v1["input"]["proposals"][0]["durations"] == ["2 weeks"]
    # 1.5M + upload fee 3,000 + municipality fee 520, plus 5 % VAT.
    assert totals(v1) == [Decimal("1578696.00")]
    versions = [v1]

    async def edit(message: str, *, says: str) -> dict[str, Any]:
        events, reply = await talk.say(message)
        assert says in reply, reply
        data = made(events)
        new = await proposal(client, sales, data["id"])
        before = versions[-1]
        assert new["version"] == before["version"] + 1
        assert new["previous_id"] == before["id"] and new["root_id"] == v1["id"]
        assert await proposal(client, sales, before["id"]) == before  # the previous one stays
        versions.append(new)
        return new

    v2 = await edit("make it 4 weeks instead", says="Duration 2 weeks → 4 weeks (net rate kept)")
    assert v2["input"]["proposals"] == [
        {
            "location": "the_landmark",
            "start_date": start.isoformat(),
            "durations": ["4 weeks"],
            "net_rates": ["1500000"],
        }
    ]
    assert totals(v2) == [Decimal("1578696.00")]  # the net rate is for the campaign

    v3 = await edit("change the rate to 2.5M", says="Net rate AED 1,500,000 → AED 2,500,000")
    assert v3["input"]["proposals"][0]["net_rates"] == ["2500000"]
    assert totals(v3) == [Decimal("2628696.00")]  # (2,500,000 + 3,000 + 520) × 1.05

    v4 = await edit("same but in USD", says="Currency AED → USD")
    assert v4["currency"] == "USD" and v4["input"]["currency"] == "USD"
    assert totals(v4) == [Decimal("2628696.00")]  # the same AED, shown in dollars
    assert v4["currency_note"] == "Rates read as AED 2,500,000, shown in USD at 3.6725 AED per USD."
    assert v4["locations"][0]["options"][0]["total"]["text"] == "$715,778.35"

    # A new location's rate cannot be guessed: it is asked, and the answer makes the version.
    _, asked = await talk.say("add jawhara")
    assert asked == "What net rate should The Jawhara have for 4 weeks?"
    v5 = await edit("900k", says="Added The Jawhara at AED 900,000")
    assert v5["input"]["proposals"][1] == {
        "location": "jawhara",
        "start_date": start.isoformat(),
        "durations": ["4 weeks"],
        "net_rates": ["900000"],
    }
    # The Jawhara has no upload fee of its own: the default 3,000 (plus 520) applies.
    assert totals(v5) == [Decimal("2628696.00"), Decimal("948696.00")]

    v6 = await edit("add uae21 at 300k, production fee 20k", says="Added UAE21 at AED 300,000")
    assert v6["input"]["proposals"][2]["production_fee"] == "20000"
    assert [loc["key"] for loc in v6["locations"]] == ["the_landmark", "jawhara", "uae21"]

    v7 = await edit("remove UAE21", says="Removed UAE21")
    assert [loc["key"] for loc in v7["locations"]] == ["the_landmark", "jawhara"]
    assert v7["input"]["proposals"] == v5["input"]["proposals"]

    v8 = await edit("change the client to Etisalat", says="Client Nike → Etisalat")
    assert v8["client_name"] == "Etisalat" and v8["input"]["proposals"] == v7["input"]["proposals"]

    v9 = await edit(
        "make it combined at 3M", says="Separate proposal → combined package at AED 3,000,000"
    )
    assert v9["kind"] == "combined" and v9["currency"] == "USD"
    assert v9["input"]["combined_net_rate"] == "3000000"
    assert v9["input"]["locations"] == [
        {"location": "the_landmark", "start_date": start.isoformat(), "duration": "4 weeks"},
        {"location": "jawhara", "start_date": start.isoformat(), "duration": "4 weeks"},
    ]
    # 3,000,000 + both upload fees (3,000 each) + 520, plus 5 % VAT.
    assert totals(v9) == [Decimal("3156846.00")]

    history = await client.get("/api/proposals?limit=50", headers=sales.headers)
    assert [item["version"] for item in history.json()["items"]] == list(range(9, 0, -1))


async def test_without_a_proposal_it_says_so_and_offers_one(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    talk = Conversation(client, catalogue.sales)
    events, reply = await talk.say("make it 4 weeks instead")
    assert reply.startswith("There is no proposal in this conversation to change yet. Shall I")
    results = [e.data for e in events if e.event == "tool_result"]
    assert [(r["tool"], r["data"]["code"]) for r in results] == [("revise_proposal", "no_proposal")]
    listed = await client.get("/api/proposals", headers=catalogue.sales.headers)
    assert listed.json()["items"] == []


async def test_an_edit_in_one_conversation_never_touches_anothers_proposal(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    sales = catalogue.sales
    _, start, in_a = await nike_landmark_made(app, client, sales)

    b = Conversation(client, sales)
    _, reply = await b.say("make it 4 weeks instead")  # B has made nothing yet
    assert reply.startswith("There is no proposal in this conversation to change yet.")
    events, _ = await b.say(f"jawhara proposal, start {start:%d %b %Y}, 2 weeks, 900k, client Puma")
    in_b = made(events)
    events, reply = await b.say("make it 4 weeks instead")
    edited = made(events)
    assert edited["root_id"] == in_b["id"] and edited["previous_id"] == in_b["id"]
    assert "Duration 2 weeks → 4 weeks" in reply

    history = (await client.get("/api/proposals", headers=sales.headers)).json()["items"]
    of_a = [item for item in history if item["root_id"] == in_a["id"]]
    assert [item["version"] for item in of_a] == [1]
    untouched = await proposal(client, sales, in_a["id"])
    assert untouched["input"]["proposals"][0]["durations"] == ["2 weeks"]
    assert untouched["client_name"] == "Nike"


async def test_edits_keep_the_rules_for_past_starts_and_typed_currencies(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    sales = catalogue.sales
    today = datetime.now(ZoneInfo(app.state.settings.timezone)).date()
    past = date(today.year - 1, 3, 1)
    talk = Conversation(client, sales)
    _, asked = await talk.say(nike_landmark(past))
    assert asked.startswith(f"{checks.day_text(past)} has passed — did you mean")
    events, _ = await talk.say("keep the date")
    v1 = made(events)

    # The edit asks again before producing (re-issuing an old proposal is still legitimate).
    _, asked = await talk.say("make it 4 weeks instead")
    suggestion = checks.next_occurrence(past, today)
    assert asked.startswith(
        f"{checks.day_text(past)} has passed — did you mean {checks.day_text(suggestion)}?"
    )
    assert (await client.get("/api/proposals", headers=sales.headers)).json()["items"][0][
        "id"
    ] == v1["id"]  # nothing produced while asking
    events, reply = await talk.say("keep the date")
    assert "Duration 2 weeks → 4 weeks" in reply
    v2 = await proposal(client, sales, made(events)["id"])
    assert v2["input"]["proposals"][0]["start_date"] == past.isoformat()
    assert [w["code"] for w in v2["warnings"]] == ["past_start_date"]

    # A typed amount in dollars is converted at the stored rate, and the reply says so; "yes"
    # moves the passed start to the date suggested.
    _, asked = await talk.say("change the rate to $700k")
    assert "has passed" in asked
    events, reply = await talk.say("yes")
    v3 = await proposal(client, sales, made(events)["id"])
    assert v3["previous_id"] == v2["id"]
    entry = v3["input"]["proposals"][0]
    assert entry["net_rates"] == ["USD 700000"] and entry["start_date"] == suggestion.isoformat()
    note = "Rates read as USD 700,000 (AED 2,570,750 at 3.6725 AED per USD)."
    assert v3["currency_note"] == note and note in reply
    assert "Net rate AED 1,500,000 → USD 700,000" in reply
    # (700,000 × 3.6725 + 3,000 + 520) × 1.05
    assert totals(v3) == [Decimal("2702983.50")]
    assert v3["warnings"] == []
