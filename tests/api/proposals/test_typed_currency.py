"""Typed amounts through the API: unmarked ones are AED unless the form says otherwise, marked
ones are converted at the stored rate, and the live totals, the stored proposal, the PDF and the
assistant's reply say how they were read, in one line (domain.md, Display; #15 item 1)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesbot.assistant.tooling import run_tool
from salesbot.auth.service import principal_for
from salesbot.kit.tools import ToolContext
from salesbot.proposals import tools as proposal_tools
from salesbot.users import service as users
from tests.api.locations.support import Team, download, pdf_texts, squash

pytestmark = pytest.mark.jobs

AED_READ = "Rates read as AED 400,000, shown in USD at 3.6725 AED per USD."
USD_READ = "Rates read as USD 400,000 (AED 1,469,000 at 3.6725 AED per USD), shown in USD."


def body(rate: str, **top: str) -> dict[str, Any]:
    next_year = f"{date.today().year + 1}-01-01"  # always ahead: no past-start warning
    item = {"location": "landmark", "start_date": next_year, "durations": ["2 weeks"]}
    return {
        "kind": "separate",
        "client_name": "Nike",
        **top,
        "proposals": [{**item, "net_rates": [rate]}],
    }


async def test_unmarked_rates_are_aed_and_the_preview_says_so(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    response = await client.post(
        "/api/proposals/preview", json=body("400k", currency="USD"), headers=catalogue.sales.headers
    )
    assert response.status_code == 200, response.text
    preview = response.json()
    assert preview["currency_note"] == AED_READ
    assert preview["locations"][0]["options"][0]["net_rate"]["text"] == "$108,917.63"


async def test_a_marked_rate_is_converted_and_the_pdf_states_the_reading(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    made = await client.post(
        "/api/proposals", json=body("$400k", currency="USD"), headers=catalogue.sales.headers
    )
    assert made.status_code == 201, made.text
    proposal = made.json()
    assert proposal["currency_note"] == USD_READ
    assert proposal["locations"][0]["options"][0]["net_rate"]["aed"] == "1469000.00"
    stored = await client.get(f"/api/proposals/{proposal['id']}", headers=catalogue.sales.headers)
    assert stored.json()["currency_note"] == USD_READ
    pdf = next(f for f in proposal["files"] if f["name"].endswith(".pdf"))
    text = squash(" ".join(pdf_texts(await download(client, catalogue.sales, pdf["download_url"]))))
    assert squash(USD_READ) in text


async def test_the_rates_entered_in_choice_reads_unmarked_amounts(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    response = await client.post(
        "/api/proposals/preview",
        json=body("400,000", rates_currency="USD"),
        headers=catalogue.sales.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["currency_note"] == (
        "Rates read as USD 400,000 (AED 1,469,000 at 3.6725 AED per USD)."
    )
    assert response.json()["locations"][0]["options"][0]["net_rate"]["text"] == "AED 1,469,000"


async def test_a_currency_without_a_rate_is_refused_with_the_supported_list(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    response = await client.post(
        "/api/proposals", json=body("SAR 400k"), headers=catalogue.sales.headers
    )
    assert response.status_code == 422
    assert "Supported currencies: AED, EUR, GBP, USD" in response.json()["error"]["message"]
    listed = await client.get("/api/proposals", headers=catalogue.sales.headers)
    assert listed.json()["items"] == []


async def test_the_assistant_reply_states_the_reading(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    args = body("400k", currency="USD")
    del args["kind"]
    tool = {t.name: t for t in proposal_tools.TOOLS}["create_separate_proposals"]
    async with app.state.db.sessions() as session:
        principal = principal_for(await users.get_user(session, catalogue.sales.id), "bearer")
        made = await run_tool(tool, ToolContext(principal, session, app.state), args)
    assert not made.is_error, made.summary
    assert AED_READ in made.summary.splitlines()
