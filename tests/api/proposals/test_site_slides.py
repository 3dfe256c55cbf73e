"""Proposals worth sending (issue #15 item 11), produced for real and read back: the site's
photo on its slide (an image uploaded in the catalogue admin, else the best mockup photo, as a
stored small copy), neutral cover and closing for two companies, both dates, the client in the
file names and in its first-written case."""

from __future__ import annotations

import io
import subprocess
from typing import Any

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
    table_rows,
    upload,
)
from tests.api.mockups.support import add_photo, photo
from tests.unit.proposals.helpers import build_template

pytestmark = pytest.mark.jobs

PNG = "image/png"


def _png(width: int, height: int, rgb: tuple[int, int, int] = (30, 140, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), rgb).save(out, "PNG")
    return out.getvalue()


def _one(location: str, client: str = "Nike", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "separate",
        "client_name": client,
        "proposals": [
            {
                "location": location,
                "start_date": "2027-01-01",
                "durations": ["2 weeks"],
                "net_rates": ["1.5M"],
                **extra,
            }
        ],
    }


async def _produce(client: httpx.AsyncClient, team: Team, body: dict[str, Any]) -> Any:
    response = await client.post("/api/proposals", json=body, headers=team.sales.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _pictures(pptx: bytes) -> list[list[Any]]:
    """The picture shapes of each slide."""
    return [
        [s for s in slide.shapes if s.shape_type == 13]
        for slide in Presentation(io.BytesIO(pptx)).slides
    ]


def _pdftotext(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


async def _set_photo(client: httpx.AsyncClient, team: Team, key: str, file_id: str | None) -> Any:
    return await client.put(
        f"/api/locations/{key}/photo", json={"file_id": file_id}, headers=team.admin.headers
    )


async def test_an_uploaded_location_photo_is_on_the_site_slide(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    file_id = await upload(client, catalogue.admin, "landmark.png", _png(4000, 2500), PNG)
    response = await _set_photo(client, catalogue, "the_landmark", file_id)
    assert response.status_code == 200, response.text
    location = response.json()
    assert location["photo_file_id"] == file_id
    assert location["slide_photo_file_id"] not in (None, file_id)

    proposal = await _produce(client, catalogue, _one("landmark", "Nike"))
    names = [card["name"] for card in proposal["files"]]
    assert names[0] == "Nike_Landmark_Proposal.pptx"
    assert names[1].startswith("Nike_Proposal_") and names[1].endswith(".pdf")
    deck = await download(client, catalogue.sales, proposal["files"][0]["download_url"])
    pictures = _pictures(deck)
    assert [len(p) for p in pictures] == [0, 1, 0, 0]  # title, site, investment, closing
    with Image.open(io.BytesIO(pictures[1][0].image.blob)) as shown:
        assert shown.format == "JPEG" and max(shown.size) == 1600  # the small copy, not 4000 px
    site = slide_texts(deck)[1]
    assert "DIGITAL SCREEN" in site and "The Landmark" in site
    assert ["Start/End Date:", "1st January 2027 - 14th January 2027"] in table_rows(deck)

    pdf = await download(client, catalogue.sales, proposal["files"][1]["download_url"])
    text = _pdftotext(pdf)
    assert "1st January 2027 - 14th January 2027" in text
    assert "DIGITAL SCREEN" in text

    # Cleared, the slide goes back to spec cards (the landmark has no mockup photos).
    cleared = await _set_photo(client, catalogue, "the_landmark", None)
    assert cleared.json()["photo_file_id"] is None
    plain = await _produce(client, catalogue, _one("landmark"))
    deck = await download(client, catalogue.sales, plain["files"][0]["download_url"])
    assert not any(_pictures(deck))


async def test_location_photo_uploads_are_checked(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    deck_id = await upload(client, catalogue.admin, "deck.pptx", build_template(), PPTX_TYPE)
    refused = await _set_photo(client, catalogue, "uae21", deck_id)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "photo_not_image"
    missing = await _set_photo(client, catalogue, "nowhere", None)
    assert missing.status_code == 404
    image_id = await upload(client, catalogue.sales, "site.png", _png(100, 80), PNG)
    forbidden = await client.put(
        "/api/locations/uae21/photo", json={"file_id": image_id}, headers=catalogue.sales.headers
    )
    assert forbidden.status_code == 403
    # A file the admin cannot see is "not found", never used.
    unknown = await _set_photo(client, catalogue, "uae21", "0190d8a0-0000-7000-8000-000000000000")
    assert unknown.status_code == 404
    # A damaged image is refused at upload already (the files' content checks).
    bad = await client.post(
        "/api/files",
        content=b'--b\r\nContent-Disposition: form-data; name="files"; filename="x.png"\r\n'
        b"Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\nbroken\r\n--b--\r\n",
        headers={**catalogue.admin.headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert bad.status_code in (415, 422)


async def test_the_best_mockup_photo_is_used_and_its_small_copy_kept(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    night = photo(1200, 800, [], background=(20, 20, 40), seed=1)
    day = photo(2400, 1600, [], background=(200, 180, 120), seed=2)
    await add_photo(client, catalogue.admin, "uae21", night, time_of_day="night")
    await add_photo(client, catalogue.admin, "uae21", day, time_of_day="day")

    body = _one("uae21", "Adidas", production_fee="5,000")
    first = await _produce(client, catalogue, body)
    deck = await download(client, catalogue.sales, first["files"][0]["download_url"])
    (shown,) = _pictures(deck)[1]
    with Image.open(io.BytesIO(shown.image.blob)) as image:
        assert image.size == (1600, 1067)  # the 2400 × 1600 day photo, reduced
        pixel = np.asarray(image.convert("RGB"))[500, 800]
    assert pixel[0] > 150  # the bright day photo, not the night one
    site = slide_texts(deck)[1]
    assert "STATIC BILLBOARD" in site and "Printed billboard" in site

    kept = (await client.get("/api/locations/uae21", headers=catalogue.admin.headers)).json()
    assert kept["photo_file_id"] is None and kept["slide_photo_file_id"] is not None
    again = await _produce(client, catalogue, body)
    later = (await client.get("/api/locations/uae21", headers=catalogue.admin.headers)).json()
    assert later["slide_photo_file_id"] == kept["slide_photo_file_id"]  # not made again
    deck = await download(client, catalogue.sales, again["files"][0]["download_url"])
    assert _pictures(deck)[1][0].image.blob == shown.image.blob


async def test_a_template_deck_location_keeps_its_own_slides(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    await add_photo(client, catalogue.admin, "jawhara", photo(800, 600, []))
    deck_id = await upload(client, catalogue.admin, "j.pptx", build_template(), PPTX_TYPE)
    response = await client.put(
        "/api/locations/jawhara/template",
        json={"file_id": deck_id},
        headers=catalogue.admin.headers,
    )
    assert response.status_code == 200
    proposal = await _produce(client, catalogue, _one("jawhara"))
    deck = await download(client, catalogue.sales, proposal["files"][0]["download_url"])
    assert not any(p.name == "Location photo" for slide in _pictures(deck) for p in slide)


TWO_COMPANIES = {
    "kind": "separate",
    "client_name": "Nike",
    "proposals": [
        {
            "location": "landmark",
            "start_date": "2027-01-01",
            "durations": ["2 weeks"],
            "net_rates": ["1.5M"],
        },
        {
            "location": "uae21",
            "start_date": "2027-01-01",
            "durations": ["2 weeks"],
            "net_rates": ["100,000"],
            "production_fee": "5,000",
        },
    ],
}


async def test_two_companies_get_a_neutral_cover_and_closing(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    proposal = await _produce(client, catalogue, TWO_COMPANIES)
    names = [card["name"] for card in proposal["files"]]
    assert names[:2] == ["Nike_Landmark_Proposal.pptx", "Nike_UAE21_Proposal.pptx"]
    pdf = await download(client, catalogue.sales, proposal["files"][2]["download_url"])
    pages = pdf_texts(pdf)
    assert "Nike Proposal" in pages[0]
    for page in (pages[0], pages[-1]):
        assert "Backlite" not in page and "Viola" not in page
    # Each location's own deck keeps its own company.
    landmark = await download(client, catalogue.sales, proposal["files"][0]["download_url"])
    uae21 = await download(client, catalogue.sales, proposal["files"][1]["download_url"])
    for own, other, texts in (
        ("Backlite", "Viola", slide_texts(landmark)),
        ("Viola", "Backlite", slide_texts(uae21)),
    ):
        assert own in texts[0] and own in texts[-1]
        assert other not in texts[0] + texts[1] + texts[-1]


async def test_two_company_package_deck_is_neutral_around_the_sites(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    file_id = await upload(client, catalogue.admin, "landmark.png", _png(1600, 900), PNG)
    assert (await _set_photo(client, catalogue, "the_landmark", file_id)).status_code == 200
    body = {
        "kind": "combined",
        "client_name": "Nike",
        "combined_net_rate": "2M",
        "locations": [
            {"location": "landmark", "start_date": "2027-01-01", "duration": "2 weeks"},
            {
                "location": "uae21",
                "start_date": "2027-01-01",
                "duration": "4 weeks",
                "production_fee": "20,000",
            },
        ],
    }
    proposal = await _produce(client, catalogue, body)
    deck = await download(client, catalogue.sales, proposal["files"][0]["download_url"])
    texts = slide_texts(deck)
    pictures = _pictures(deck)
    assert len(texts) == 5  # cover, landmark, uae21, investment, closing
    for index in (0, 4):
        assert "Backlite" not in texts[index] and "Viola" not in texts[index]
    for index in (0, 3, 4):
        assert not pictures[index]  # no company logo on the shared slides
    # The terms name both companies as the ones approving the package, as they should.
    assert "approval by Backlite and Viola" in texts[3]
    assert pictures[1] and not pictures[2]
    rows = table_rows(deck)
    assert [
        "Start/End Date:",
        "1st January 2027 - 14th January 2027",
        "1st January 2027 - 28th January 2027",
    ] in rows


@pytest.mark.parametrize(
    ("first", "later", "stored", "stem"),
    [
        ("Adidas", "adidas", "Adidas", "Adidas"),
        ("adidas", "ADIDAS", "adidas", "Adidas"),
        ("eBay", "EBAY", "eBay", "EBay"),  # file names start with a capital
    ],
)
async def test_client_names_keep_their_first_written_case(
    client: httpx.AsyncClient, catalogue: Team, first: str, later: str, stored: str, stem: str
) -> None:
    made = await _produce(client, catalogue, _one("gateway", first))
    assert made["client_name"] == stored
    again = await _produce(client, catalogue, _one("gateway", later))
    assert again["client_name"] == stored
    assert again["files"][0]["name"] == f"{stem}_Dubai_Gateway_Proposal.pptx"
    deck = await download(client, catalogue.sales, again["files"][0]["download_url"])
    assert table_rows(deck)[0] == [f"{stored} Investment Sheet"]
