"""Links that show nothing: expired (controllable clock), revoked, replaced, superseded, locked
by wrong PINs; and declining. The page says why; no route leaks the proposal."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.api.locations.support import Team
from tests.api.sharing.conftest import Clock, Shared, make_proposal, share, view_token

pytestmark = pytest.mark.jobs

ACCEPT = {"choices": [], "name": "Ann", "title": "CMO", "signature": "Ann"}


async def _nothing_leaks(client: httpx.AsyncClient, shared: Shared, status: int, reason: str):
    page = await client.get(shared.path)
    assert page.status_code == status, page.text
    assert reason in page.text
    assert "Nike" not in page.text and "AED" not in page.text  # no client, no figures
    assert page.headers["cache-control"] == "no-store"
    for method, suffix, body in (
        ("GET", "/pages/1", None),
        ("GET", "/download", None),
        ("POST", "/events", {"view": "x" * 20, "open": True}),
        ("POST", "/accept", ACCEPT),
        ("POST", "/decline", {"reason": "no"}),
    ):
        answer = await client.request(method, shared.path + suffix, json=body)
        assert answer.status_code == status, (suffix, answer.text)
        assert answer.headers["content-type"].startswith("application/json")
        assert b"Nike" not in answer.content and b"%PDF" not in answer.content


async def test_a_link_expires_on_time(client: httpx.AsyncClient, team: Team, clock: Clock) -> None:
    proposal = await make_proposal(client, team.sales)
    shared = await share(client, team.sales, proposal, expires_in_days=3)
    clock.advance(days=3, seconds=-1)
    assert (await client.get(shared.path)).status_code == 200
    clock.advance(seconds=1)
    await _nothing_leaks(client, shared, 410, "This link has expired")
    links = await client.get(f"/api/proposals/{proposal['id']}/shares", headers=team.sales.headers)
    assert links.json()[0]["state"] == "expired"
    timeline = await client.get(
        f"/api/proposals/{proposal['id']}/timeline", headers=team.sales.headers
    )
    assert [e["kind"] for e in timeline.json()["events"]] == ["link_created", "link_expired"]


async def test_the_default_lifetime_comes_from_the_settings(
    app: FastAPI, client: httpx.AsyncClient, team: Team, clock: Clock
) -> None:
    proposal = await make_proposal(client, team.sales)
    shared = await share(client, team.sales, proposal)
    clock.advance(days=app.state.settings.share_link_days)
    await _nothing_leaks(client, shared, 410, "This link has expired")


async def test_a_revoked_link_shows_nothing(
    client: httpx.AsyncClient, team: Team, clock: Clock
) -> None:
    proposal = await make_proposal(client, team.sales)
    shared = await share(client, team.sales, proposal)
    assert (await client.get(shared.path)).status_code == 200
    # Someone who cannot see the proposal cannot revoke (or even find) its link.
    other = await client.post(
        f"/api/shares/{shared.share['id']}/revoke", headers=team.other.headers
    )
    assert other.status_code == 404
    revoked = await client.post(
        f"/api/shares/{shared.share['id']}/revoke", headers=team.sales.headers
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    await _nothing_leaks(client, shared, 410, "This link has been withdrawn")


async def test_one_live_link_per_recipient(
    client: httpx.AsyncClient, team: Team, clock: Clock
) -> None:
    proposal = await make_proposal(client, team.sales)
    first = await share(client, team.sales, proposal)
    second = await share(client, team.sales, proposal, recipient_email="BUYER@nike.example")
    assert second.share["replaced"] is True and second.token != first.token
    await _nothing_leaks(client, first, 410, "A newer link was sent to you")
    assert (await client.get(second.path)).status_code == 200
    states = await client.get(f"/api/proposals/{proposal['id']}/shares", headers=team.sales.headers)
    assert [s["state"] for s in states.json()] == ["replaced", "active"]


async def test_a_newer_version_supersedes_the_link(
    client: httpx.AsyncClient, team: Team, clock: Clock
) -> None:
    proposal = await make_proposal(client, team.sales)
    shared = await share(client, team.sales, proposal)
    newer = await client.post(
        f"/api/proposals/{proposal['id']}/duplicate", headers=team.sales.headers
    )
    assert newer.status_code == 201
    await _nothing_leaks(client, shared, 410, "replaced by a newer version")
    refused = await client.post(
        f"/api/proposals/{proposal['id']}/shares",
        json={"recipient_email": "x@nike.example"},
        headers=team.sales.headers,
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "proposal_superseded"


async def test_unknown_tokens_get_a_clear_page(client: httpx.AsyncClient, team: Team) -> None:
    page = await client.get("/p/not-a-real-token")
    assert page.status_code == 404 and "This link is not valid" in page.text
    answer = await client.get("/p/not-a-real-token/download")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


async def test_a_pin_is_needed_and_wrong_pins_lock_the_link(
    app: FastAPI, client: httpx.AsyncClient, team: Team, clock: Clock
) -> None:
    proposal = await make_proposal(client, team.sales)
    shared = await share(client, team.sales, proposal, pin="4821")
    assert shared.share["has_pin"] is True
    page = await client.get(shared.path)
    assert page.status_code == 200 and "Enter the PIN" in page.text and "AED" not in page.text
    assert (await client.get(f"{shared.path}/download")).status_code == 403
    wrong = await client.post(f"{shared.path}/pin", data={"pin": "1111"})
    attempts = app.state.settings.share_pin_attempts
    assert wrong.status_code == 200 and f"{attempts - 1} tries left" in wrong.text
    right = await client.post(f"{shared.path}/pin", data={"pin": "4821"})
    assert right.status_code == 303
    cookie = right.cookies.get("salesbot_share_pin")
    assert cookie and "4821" not in cookie
    # The client keeps the cookie, as a browser does (for this link's path only).
    assert client.cookies.get("salesbot_share_pin") == cookie
    opened = await client.get(shared.path)
    assert opened.status_code == 200 and "Proposal for Nike" in opened.text
    for _ in range(attempts - 1):
        await client.post(f"{shared.path}/pin", data={"pin": "0000"})
    client.cookies.clear()
    await _nothing_leaks(client, shared, 410, "locked after too many wrong PINs")
    # Even the right PIN no longer opens it.
    late = await client.post(f"{shared.path}/pin", data={"pin": "4821"})
    assert late.status_code == 410 and "salesbot_share_pin" not in late.cookies


async def test_decline_with_a_reason(client: httpx.AsyncClient, team: Team, clock: Clock):
    proposal = await make_proposal(client, team.sales)
    shared = await share(client, team.sales, proposal)
    empty = await client.post(f"{shared.path}/decline", json={"reason": ""})
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "validation_failed"
    declined = await client.post(
        f"{shared.path}/decline", json={"reason": "Budget moved to Q3", "name": "Nora"}
    )
    assert declined.status_code == 201, declined.text
    again = await client.post(f"{shared.path}/accept", json=ACCEPT)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"
    page = await client.get(shared.path)
    assert "You declined this proposal" in page.text and 'id="accept-form"' not in page.text
    notes = await client.get("/api/notifications", headers=team.sales.headers)
    (note,) = [n for n in notes.json()["items"] if n["kind"] == "proposal_declined"]
    assert "Budget moved to Q3" in note["body"]
    not_accepted = await client.post(
        f"/api/proposals/{proposal['id']}/booking-order", headers=team.sales.headers
    )
    assert not_accepted.status_code == 409
    assert not_accepted.json()["error"]["code"] == "not_accepted"


async def test_accepting_needs_an_option_where_there_is_a_choice(
    client: httpx.AsyncClient, team: Team, clock: Clock
) -> None:
    proposal = await make_proposal(client, team.sales)
    shared = await share(client, team.sales, proposal)
    missing = await client.post(f"{shared.path}/accept", json=ACCEPT)
    assert missing.status_code == 422
    assert missing.json()["error"]["message"] == (
        "Choose one of the rate options for The Landmark."
    )
    wrong = await client.post(
        f"{shared.path}/accept",
        json={**ACCEPT, "choices": [{"location": "the_landmark", "option": 5}]},
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "unknown_option"
    links = await client.get(f"/api/proposals/{proposal['id']}/shares", headers=team.sales.headers)
    assert links.json()[0]["decision"] is None  # nothing was recorded


async def test_bad_beacons_are_refused_whole(
    client: httpx.AsyncClient, team: Team, clock: Clock
) -> None:
    proposal = await make_proposal(client, team.sales)
    shared = await share(client, team.sales, proposal)
    view = view_token((await client.get(shared.path)).text)
    forged = view.split(".")[0] + "." + "0" * 32
    bad = await client.post(f"{shared.path}/events", json={"view": forged, "open": True})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_view"
    mixed = {"view": view, "open": True, "pages": {"1": 5, "999": 5}}
    refused = await client.post(f"{shared.path}/events", json=mixed)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "bad_beacon"
    links = await client.get(f"/api/proposals/{proposal['id']}/shares", headers=team.sales.headers)
    assert links.json()[0]["opens"] == 0 and links.json()[0]["page_seconds"] == []


async def test_two_clients_accepting_at_once_one_wins(
    client: httpx.AsyncClient, team: Team, clock: Clock
) -> None:
    """Two links (two people at the client) to one version: only one acceptance is recorded."""
    import asyncio

    proposal = await make_proposal(client, team.sales)
    first = await share(client, team.sales, proposal, recipient_email="a@nike.example")
    second = await share(client, team.sales, proposal, recipient_email="b@nike.example")
    body = {**ACCEPT, "choices": [{"location": "the_landmark", "option": 0}]}
    answers = await asyncio.gather(
        client.post(f"{first.path}/accept", json=body),
        client.post(f"{second.path}/accept", json=body),
    )
    assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert loser.json()["error"]["code"] == "already_decided"
    links = await client.get(f"/api/proposals/{proposal['id']}/shares", headers=team.sales.headers)
    assert sorted(str(s["decision"]) for s in links.json()) == ["None", "accepted"]
