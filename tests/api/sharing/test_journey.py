"""Client links through the API: link → open (twice) → accept → booking-order draft."""

from __future__ import annotations

import hashlib
import io

import httpx
import pytest
from fastapi import FastAPI
from pypdf import PdfReader

from tests.api.locations.support import Team
from tests.api.sharing.conftest import Clock, make_proposal, share, view_token

pytestmark = pytest.mark.jobs


async def _open(client: httpx.AsyncClient, path: str, **pages: float) -> str:
    """Open the page as a browser would: load it, send the opening, then the page times."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    view = view_token(page.text)
    opened = await client.post(f"{path}/events", json={"view": view, "open": True})
    assert opened.status_code == 204, opened.text
    if pages:
        times = {int(k.removeprefix("p")): v for k, v in pages.items()}
        sent = await client.post(f"{path}/events", json={"view": view, "pages": times})
        assert sent.status_code == 204, sent.text
    return page.text


async def test_link_open_twice_accept_and_start_a_booking_order(
    app: FastAPI, client: httpx.AsyncClient, team: Team, clock: Clock
) -> None:
    proposal = await make_proposal(client, team.sales)
    shared = await share(client, team.sales, proposal)
    assert shared.share["state"] == "active" and shared.share["opens"] == 0
    # No SALESBOT_PUBLIC_URL in tests: the link is under the request's own origin.
    assert shared.share["url"].startswith(f"{client.base_url}/p/")

    # Nothing is counted until the page's beacon says it was opened (link scanners don't run it).
    first = await _open(client, shared.path, p1=12.5, p2=3.0)
    assert "Proposal for Nike" in first and "AED 1,578,696" in first  # the landmark's 2 weeks
    clock.advance(hours=2)
    await _open(client, shared.path, p1=4.0, p3=6.25)
    links = await client.get(f"/api/proposals/{proposal['id']}/shares", headers=team.sales.headers)
    (link,) = links.json()
    assert link["opens"] == 2
    assert {p["page"]: p["seconds"] for p in link["page_seconds"]} == {1: 16.5, 2: 3.0, 3: 6.25}
    assert link["last_opened_at"] > link["first_opened_at"]

    # The first opening (only) told the salesperson, in the app.
    notes = await client.get("/api/notifications", headers=team.sales.headers)
    opened = [n for n in notes.json()["items"] if n["kind"] == "proposal_opened"]
    assert len(opened) == 1 and "Nora Buyer opened the Nike proposal" in opened[0]["title"]

    accepted = await client.post(
        f"{shared.path}/accept",
        json={
            "choices": [{"location": "the_landmark", "option": 1}],
            "name": "Nora Buyer",
            "title": "Media Director",
            "signature": "Nora Buyer",
        },
        headers={"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148"},
    )
    assert accepted.status_code == 201, accepted.text
    copy = await client.get(accepted.json()["download_url"])
    original_pdf = await client.get(f"{shared.path}/download")
    assert copy.status_code == 200 and original_pdf.status_code == 200
    original_pages = len(PdfReader(io.BytesIO(original_pdf.content)).pages)
    stamped = PdfReader(io.BytesIO(copy.content))
    assert len(stamped.pages) == original_pages + 1
    last = stamped.pages[-1].extract_text()
    assert "Nora Buyer" in last and "Media Director" in last and "AED 2,943,696" in last
    assert hashlib.sha256(original_pdf.content).hexdigest() in last.replace("\n", "")

    timeline = await client.get(
        f"/api/proposals/{proposal['id']}/timeline", headers=team.sales.headers
    )
    kinds = [e["kind"] for e in timeline.json()["events"]]
    assert kinds == ["link_created", "opened", "opened", "accepted"]
    accepted_event = timeline.json()["events"][-1]
    assert accepted_event["details"]["network"] == "127.0.0.0/24"  # the test client, truncated
    digest = hashlib.sha256(original_pdf.content).hexdigest()
    assert accepted_event["details"]["pdf_sha256"] == digest

    notes = await client.get("/api/notifications", headers=team.sales.headers)
    assert any(n["kind"] == "proposal_accepted" for n in notes.json()["items"])

    draft = await client.post(
        f"/api/proposals/{proposal['id']}/booking-order", headers=team.sales.headers
    )
    assert draft.status_code == 201, draft.text
    bo = draft.json()
    fields = bo["fields"]
    assert bo["state"] == "draft" and fields["client"] == "Nike" and bo["missing"] == []
    assert bo["company"]["code"] == "backlite"  # the first location's company
    assert bo["source_file"]["name"].endswith("_Accepted.pdf")  # the signed copy is the original
    assert [loc["net_amount"] for loc in fields["locations"]] == ["2800000.00", "100000.00"]
    assert fields["municipality_fee"] == "1040.00"  # one DM fee per location
    assert fields["production_upload_fee"] == "8000.00"  # landmark upload 3,000 + UAE21 5,000
    # net 2,900,000 + DM 1,040 + fees 8,000 = 2,909,040; VAT 5 % = 145,452
    assert bo["totals"]["net_pre_vat"] == "2909040.00" and bo["totals"]["vat"] == "145452.00"
    again = await client.post(
        f"/api/proposals/{proposal['id']}/booking-order", headers=team.sales.headers
    )
    assert again.status_code == 409
    assert again.json()["error"]["details"]["booking_order_id"] == bo["id"]
