"""Produced files: several locations, template decks, and a PDF page as pixels (pdftoppm)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import anyio
import httpx
import numpy as np
import pytest
from PIL import Image
from pptx import Presentation

from tests.api.locations.support import (
    PPTX_TYPE,
    Team,
    download,
    pdf_texts,
    slide_texts,
    squash,
    table_rows,
    upload,
)
from tests.unit.proposals.helpers import build_template

pytestmark = pytest.mark.jobs


async def produce(client: httpx.AsyncClient, team: Team, body: dict[str, Any]) -> Any:
    response = await client.post("/api/proposals", json=body, headers=team.sales.headers)
    assert response.status_code == 201, response.text
    return response.json()


THREE = {
    "kind": "separate",
    "client_name": "Nike Middle East",
    "proposals": [
        {
            "location": "landmark",
            "start_date": "2026-01-01",
            "durations": ["2 weeks"],
            "net_rates": ["1.5M"],
        },
        {
            "location": "gateway",
            "start_date": "2026-02-01",
            "durations": ["4 weeks"],
            "net_rates": ["1,250,000"],
        },
        {
            "location": "uae21",
            "start_date": "2026-03-01",
            "durations": ["2 weeks"],
            "net_rates": ["100,000"],
            "production_fee": "5,000",
        },
    ],
}


async def test_several_locations_give_one_deck_each_and_one_pdf(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    proposal = await produce(client, catalogue, THREE)
    names = [card["name"] for card in proposal["files"]]
    assert names[:3] == [
        "Nike_Middle_East_Landmark_Proposal.pptx",
        "Nike_Middle_East_Dubai_Gateway_Proposal.pptx",
        "Nike_Middle_East_UAE21_Proposal.pptx",
    ]
    assert names[3].startswith("Nike_Middle_East_Proposal_") and names[3].endswith(".pdf")
    totals = [loc["options"][0]["total"]["text"] for loc in proposal["locations"]]
    assert totals == ["AED 1,578,696", "AED 1,315,146", "AED 110,796"]

    decks = [
        await download(client, catalogue.sales, c["download_url"]) for c in proposal["files"][:3]
    ]
    for deck, total in zip(decks, totals, strict=True):
        assert ["Total:", total] in table_rows(deck)
    pages = pdf_texts(await download(client, catalogue.sales, proposal["files"][3]["download_url"]))
    # intro, then each deck without its first and last slide (facts, investment), then outro
    assert len(pages) == 8
    assert "Nike Middle East Proposal" in pages[0]
    for index, total in enumerate(totals):
        assert total in pages[2 + 2 * index]
        assert "Nike Middle East Investment Sheet" in pages[2 + 2 * index]


async def test_a_location_template_deck_is_used(client: httpx.AsyncClient, catalogue: Team) -> None:
    admin = catalogue.admin
    template = build_template(title="Landmark Media Kit", caption="Seen by millions")
    file_id = await upload(client, admin, "landmark.pptx", template, PPTX_TYPE)
    response = await client.put(
        "/api/locations/landmark/template", json={"file_id": file_id}, headers=admin.headers
    )
    assert response.status_code == 404  # templates are set by key, not alias
    response = await client.put(
        "/api/locations/the_landmark/template", json={"file_id": file_id}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["template_file_id"] == file_id

    body = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [
            {
                "location": "landmark",
                "start_date": "2026-01-01",
                "durations": ["2 weeks"],
                "net_rates": ["1.5M"],
            }
        ],
    }
    proposal = await produce(client, catalogue, body)  # made by a salesperson
    deck = await download(client, catalogue.sales, proposal["files"][0]["download_url"])
    texts = slide_texts(deck)
    assert len(texts) == 5  # the template's four slides and the investment slide
    assert "Landmark Media Kit" in texts[0]
    assert "Nike Investment Sheet" in texts[3]
    assert "Contact us" in texts[4]
    pages = pdf_texts(await download(client, catalogue.sales, proposal["files"][1]["download_url"]))
    assert "Landmark Media Kit" in pages[0]
    assert squash("Seen by millions") in squash(pages[2])
    assert "AED 1,578,696" in pages[3]

    # Clearing it goes back to the generated default deck.
    cleared = await client.put(
        "/api/locations/the_landmark/template", json={"file_id": None}, headers=admin.headers
    )
    assert cleared.json()["template_file_id"] is None
    plain = await produce(client, catalogue, body)
    default = await download(client, catalogue.sales, plain["files"][0]["download_url"])
    assert "Landmark Media Kit" not in "\n".join(slide_texts(default))


async def test_template_must_be_a_usable_pptx(client: httpx.AsyncClient, catalogue: Team) -> None:
    admin = catalogue.admin
    csv_id = await upload(client, admin, "rates.csv", b"a,b\n1,2\n", "text/csv")
    response = await client.put(
        "/api/locations/uae21/template", json={"file_id": csv_id}, headers=admin.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "The template must be a PowerPoint (.pptx) file."
    missing = await client.put(
        "/api/locations/uae21/template",
        json={"file_id": "0190a1b2-0000-7000-8000-000000000000"},
        headers=admin.headers,
    )
    assert missing.status_code == 404


async def test_pdf_page_pixels_show_the_table(
    client: httpx.AsyncClient, catalogue: Team, tmp_path: Path
) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [
            {
                "location": "jawhara",
                "start_date": "2026-01-01",
                "durations": ["2 weeks", "4 weeks"],
                "net_rates": ["1,250,000", "2M"],
            }
        ],
    }
    proposal = await produce(client, catalogue, body)
    deck = await download(client, catalogue.sales, proposal["files"][0]["download_url"])
    pdf = await download(client, catalogue.sales, proposal["files"][1]["download_url"])
    prs: Any = Presentation(io.BytesIO(deck))
    index = next(i for i, text in enumerate(slide_texts(deck)) if "Investment Sheet" in text)
    frame = next(s for s in prs.slides[index].shapes if getattr(s, "has_table", False))
    width, height = int(prs.slide_width), int(prs.slide_height)

    pdf_path = tmp_path / "proposal.pdf"
    pdf_path.write_bytes(pdf)
    page = str(index + 1)
    await anyio.run_process(
        ["pdftoppm", "-f", page, "-l", page, "-r", "40", "-png", str(pdf_path), str(tmp_path / "p")]
    )
    (png,) = list(tmp_path.glob("p*.png"))
    pixels = np.asarray(Image.open(png).convert("L"))
    rows, cols = pixels.shape
    assert int(pixels.max()) - int(pixels.min()) > 150  # not blank
    left, right = int(frame.left / width * cols), int((frame.left + frame.width) / width * cols)
    top, bottom = int(frame.top / height * rows), int((frame.top + frame.height) / height * rows)
    region = pixels[top:bottom, left:right]
    dark = int((region < 100).sum())
    assert dark > region.size * 0.02  # the table's text and total row
    below = pixels[bottom + 5 :, : cols // 3]
    assert int((below < 100).sum()) < dark  # the table is the dense part of the page
