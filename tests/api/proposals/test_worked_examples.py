"""The spec's worked examples through the API: JSON figures, the PPTX table and the PDF text."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from salesbot.kit.wording import format_date
from tests.api.locations.support import (
    PPTX_TYPE,
    Person,
    Team,
    download,
    pdf_texts,
    slide_texts,
    squash,
    table_rows,
)

pytestmark = pytest.mark.jobs

DUBAI = ZoneInfo("Asia/Dubai")


async def create(client: httpx.AsyncClient, person: Person, body: dict[str, Any]) -> Any:
    response = await client.post("/api/proposals", json=body, headers=person.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def files_of(
    client: httpx.AsyncClient, person: Person, proposal: dict[str, Any]
) -> tuple[list[bytes], bytes]:
    """(every PPTX, the PDF) of a proposal, downloaded through the files API."""
    decks = [
        await download(client, person, card["download_url"])
        for card in proposal["files"]
        if card["content_type"] == PPTX_TYPE
    ]
    (pdf_card,) = [c for c in proposal["files"] if c["content_type"] == "application/pdf"]
    return decks, await download(client, person, pdf_card["download_url"])


def assert_in_pdf(pdf: bytes, *texts: str) -> None:
    whole = squash("\n".join(pdf_texts(pdf)))
    for text in texts:
        assert squash(text) in whole, f"{text!r} not in the PDF"


def separate(location: str, durations: list[str], rates: list[str], **extra: Any) -> Any:
    return {
        "location": location,
        "start_date": "2026-01-01",
        "durations": durations,
        "net_rates": rates,
        **extra,
    }


async def test_example_1_digital_single_rate(client: httpx.AsyncClient, catalogue: Team) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [separate("jawhara", ["2 weeks"], ["1,250,000"])],
    }
    proposal = await create(client, catalogue.sales, body)
    (option,) = proposal["locations"][0]["options"]
    assert option["vat"] == {
        "aed": "62676.00",
        "amount": "62676",
        "currency": "AED",
        "text": "AED 62,676",
    }
    assert option["total"]["text"] == "AED 1,316,196"
    assert option["total"]["aed"] == "1316196.00"
    assert proposal["locations"][0]["fee_label"] == "Upload Fee:"
    assert proposal["locations"][0]["fee"]["text"] == "AED 3,000"

    (deck,), pdf = await files_of(client, catalogue.sales, proposal)
    rows = table_rows(deck)
    assert rows[0] == ["Nike Investment Sheet"]
    assert ["VAT 5% :", "AED 62,676"] in rows
    assert ["Total:", "AED 1,316,196"] in rows
    assert_in_pdf(pdf, "Nike Investment Sheet", "AED 62,676", "AED 1,316,196")
    names = [card["name"] for card in proposal["files"]]
    assert names[0] == "Nike_Jawhara_Proposal.pptx"
    assert names[1].startswith("Nike_Proposal_") and names[1].endswith(".pdf")


async def test_example_2_landmark_three_options(client: httpx.AsyncClient, catalogue: Team) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike Middle East",
        "proposals": [
            separate(
                "landmark", ["2 weeks", "4 weeks", "8 weeks"], ["1.5M", "2.8M", "AED 4,000,000"]
            )
        ],
    }
    proposal = await create(client, catalogue.sales, body)
    options = proposal["locations"][0]["options"]
    assert [o["duration"] for o in options] == ["2 Weeks", "4 Weeks", "8 Weeks"]
    assert [o["vat"]["text"] for o in options] == ["AED 75,176", "AED 140,176", "AED 200,176"]
    totals = ["AED 1,578,696", "AED 2,943,696", "AED 4,203,696"]
    assert [o["total"]["text"] for o in options] == totals
    assert [o["net_rate"]["aed"] for o in options] == ["1500000.00", "2800000.00", "4000000.00"]

    (deck,), pdf = await files_of(client, catalogue.sales, proposal)
    rows = table_rows(deck)
    assert ["VAT 5% :", "AED 75,176", "AED 140,176", "AED 200,176"] in rows
    assert ["Total:", *totals] in rows
    assert ["Duration:", "2 Weeks", "4 Weeks", "8 Weeks"] in rows
    # The investment slide comes right before the deck's last slide.
    texts = slide_texts(deck)
    assert "Nike Middle East Investment Sheet" in texts[-2]
    assert "Investment Sheet" not in texts[-1]
    assert_in_pdf(pdf, "Nike Middle East Investment Sheet", *totals, "AED 200,176")
    assert proposal["files"][1]["name"].startswith("Nike_Middle_East_Proposal_")


async def test_example_3_static_production_fee(client: httpx.AsyncClient, catalogue: Team) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [separate("UAE 21", ["2 weeks"], ["100,000"], production_fee="5,000")],
    }
    proposal = await create(client, catalogue.sales, body)
    location = proposal["locations"][0]
    assert location["fee_label"] == "Production Fee:"
    assert location["fee"]["text"] == "AED 5,000"
    (option,) = location["options"]
    assert (option["vat"]["text"], option["total"]["text"]) == ("AED 5,276", "AED 110,796")
    (deck,), pdf = await files_of(client, catalogue.sales, proposal)
    rows = table_rows(deck)
    assert ["Production Fee:", "AED 5,000"] in rows
    assert ["Municipality Fee:", "AED 520 Per Image/Message"] in rows
    assert_in_pdf(pdf, "Production Fee:", "AED 5,276", "AED 110,796")


async def test_example_4_static_in_usd(client: httpx.AsyncClient, catalogue: Team) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "currency": "usd",
        "proposals": [separate("uae21", ["2 weeks"], ["100000"], production_fee="5000")],
    }
    proposal = await create(client, catalogue.sales, body)
    assert proposal["currency"] == "USD"
    option = proposal["locations"][0]["options"][0]
    assert option["net_rate"]["text"] == "$27,229.41"
    assert option["fee"]["text"] == "$1,361.47"
    assert option["dm_fee"]["text"] == "$141.59"
    assert option["vat"]["text"] == "$1,436.62"
    assert option["total"] == {
        "aed": "110796.00",
        "amount": "30169.09",
        "currency": "USD",
        "text": "$30,169.09",
    }
    note = "All amounts shown in USD (converted from AED at current exchange rates)."
    assert note in proposal["terms"]
    (deck,), pdf = await files_of(client, catalogue.sales, proposal)
    rows = table_rows(deck)
    assert ["Municipality Fee:", "$141.59 Per Image/Message"] in rows
    assert ["Total:", "$30,169.09"] in rows
    assert_in_pdf(
        pdf, "$27,229.41", "$1,361.47", "$141.59 Per Image/Message", "$1,436.62", "$30,169.09", note
    )


async def test_example_5_combined_mixed_fees(client: httpx.AsyncClient, catalogue: Team) -> None:
    body = {
        "kind": "combined",
        "client_name": "Adidas",
        "combined_net_rate": "2,000,000",
        "locations": [
            {"location": "gateway", "start_date": "2026-02-01", "duration": "4 weeks"},
            {
                "location": "uae21",
                "start_date": "2026-02-01",
                "duration": "4 weeks",
                "production_fee": "20,000",
            },
        ],
    }
    proposal = await create(client, catalogue.sales, body)
    package = proposal["package"]
    assert package["fee_label"] == "Upload/Production Fee:"
    assert [f["text"] for f in package["fees"]] == ["AED 2,000", "AED 20,000"]
    assert package["vat"]["text"] == "AED 101,126"
    assert package["total"]["text"] == "AED 2,123,646"
    assert proposal["locations"][0]["options"] == []

    decks, pdf = await files_of(client, catalogue.sales, proposal)
    assert len(decks) == 1 and len(proposal["files"]) == 2
    rows = table_rows(decks[0])
    assert ["Upload/Production Fee:", "AED 2,000", "AED 20,000"] in rows
    assert ["Total:", "AED 2,123,646"] in rows
    assert_in_pdf(pdf, "Upload/Production Fee:", "AED 101,126", "AED 2,123,646")
    assert {c["name"].rsplit(".", 1)[1] for c in proposal["files"]} == {"pptx", "pdf"}
    assert all(c["name"].startswith("Adidas_Proposal_") for c in proposal["files"])


async def test_example_6_location_line(client: httpx.AsyncClient, catalogue: Team) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [separate("dubai gateway", ["2 weeks"], ["1M"], spots=2)],
    }
    proposal = await create(client, catalogue.sales, body)
    line = (
        "The Landmark Series: The Dubai Gateway - Size (7m x 14m) - 4 faces - 2 spots - "
        "24 Seconds - 25.0% SOV - 96 seconds loop"
    )
    assert proposal["locations"][0]["location_line"] == line
    (deck,), pdf = await files_of(client, catalogue.sales, proposal)
    assert ["Location:", line] in table_rows(deck)
    assert_in_pdf(pdf, line)


async def test_dates_terms_and_proposal_date(client: httpx.AsyncClient, catalogue: Team) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "payment_terms": "50% upfront, 50% later",
        "proposals": [
            separate(
                "landmark", ["2 weeks"], ["750k"], start_date="Jan 1st 2026", end_date="15/01/2026"
            )
        ],
    }
    before = datetime.now(DUBAI).date()
    proposal = await create(client, catalogue.sales, body)
    after = datetime.now(DUBAI).date()
    location = proposal["locations"][0]
    assert location["date_text"] == "1st January 2026 - 15th January 2026"
    assert (location["start_date"], location["end_date"]) == ("2026-01-01", "2026-01-15")
    assert proposal["terms"][0] == "Payment Terms: 50% upfront, 50% later"
    made = date.fromisoformat(proposal["proposal_date"])
    assert made in (before, after)  # the configured zone's date, not the host's
    valid = made + timedelta(days=30)
    assert proposal["valid_until"] == valid.isoformat()
    assert f"This proposal is valid until the {format_date(valid)}." in proposal["terms"]
    assert proposal["input"]["proposals"][0]["start_date"] == "Jan 1st 2026"
    (deck,), pdf = await files_of(client, catalogue.sales, proposal)
    assert f"Proposal Date: {made:%d/%m/%Y}" in slide_texts(deck)[-2]
    assert_in_pdf(pdf, "Payment Terms: 50% upfront, 50% later", f"Proposal Date: {made:%d/%m/%Y}")


async def test_preview_prices_without_producing_anything(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike Middle East",
        "proposals": [separate("landmark", ["2 weeks", "4 weeks"], ["1.5M", "2.8M"])],
    }
    response = await client.post(
        "/api/proposals/preview", json=body, headers=catalogue.sales.headers
    )
    assert response.status_code == 200, response.text
    preview = response.json()
    totals = [o["total"]["text"] for o in preview["locations"][0]["options"]]
    assert totals == ["AED 1,578,696", "AED 2,943,696"]
    assert "files" not in preview and "id" not in preview
    made = await create(client, catalogue.sales, body)
    assert made["locations"] == preview["locations"] and made["terms"] == preview["terms"]
    listed = await client.get("/api/proposals", headers=catalogue.sales.headers)
    assert len(listed.json()["items"]) == 1  # only the one produced

    body["proposals"][0]["location"] = "qqqq zzzz"
    refused = await client.post(
        "/api/proposals/preview", json=body, headers=catalogue.sales.headers
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "Unknown location 'qqqq zzzz' in proposal 1"
    viewer = await client.post(
        "/api/proposals/preview", json=body, headers=catalogue.viewer.headers
    )
    assert viewer.status_code == 403
