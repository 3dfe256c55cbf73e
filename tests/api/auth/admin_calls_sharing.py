"""The admin row of the authorisation matrix for client links (joined into `EXPECTED`)."""

from __future__ import annotations

import re

import httpx

from tests.api.auth.admin_calls import PROPOSAL, Ctx, Expect, get


async def _fresh_proposal(ctx: Ctx) -> str:
    """A proposal of its own: the seeded one may have a newer version (duplicate's call)."""
    if "share_proposal" not in ctx.seen:
        made = await ctx.request("POST", "/api/proposals", json=PROPOSAL)
        assert made.status_code == 201, made.text
        ctx.seen["share_proposal"] = made.json()["id"]
    return ctx.seen["share_proposal"]


async def _share(ctx: Ctx, email: str = "client@nike.example") -> httpx.Response:
    proposal_id = await _fresh_proposal(ctx)
    return await ctx.request(
        "POST", f"/api/proposals/{proposal_id}/shares", json={"recipient_email": email}
    )


async def _revoke(ctx: Ctx) -> httpx.Response:
    made = await _share(ctx, "revoke-me@nike.example")
    assert made.status_code == 201, made.text
    return await ctx.request("POST", f"/api/shares/{made.json()['id']}/revoke")


async def _booking_order(ctx: Ctx) -> httpx.Response:
    """The client accepts through a link; the admin then starts the booking order."""
    made = await _share(ctx, "accept@nike.example")
    assert made.status_code == 201, made.text
    token = re.sub(r"^.*/p/", "", made.json()["url"])
    body = {"name": "Ann", "title": "CMO", "signature": "Ann"}
    accepted = await ctx.client.post(f"/p/{token}/accept", json=body)
    assert accepted.status_code == 201, accepted.text
    proposal_id = await _fresh_proposal(ctx)
    return await ctx.request("POST", f"/api/proposals/{proposal_id}/booking-order")


SHARING_EXPECTED: dict[tuple[str, str], Expect] = {
    ("POST", "/api/proposals/{proposal_id}/shares"): Expect(201, _share),
    ("GET", "/api/proposals/{proposal_id}/shares"): Expect(
        200, get("/api/proposals/{proposal_id}/shares")
    ),
    ("GET", "/api/proposals/{proposal_id}/timeline"): Expect(
        200, get("/api/proposals/{proposal_id}/timeline")
    ),
    ("POST", "/api/shares/{share_id}/revoke"): Expect(200, _revoke),
    ("POST", "/api/proposals/{proposal_id}/booking-order"): Expect(201, _booking_order),
}
