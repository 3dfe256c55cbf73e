"""`GET /api/meta`: every signed-in user reads the rules and labels the UI shows."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from salesbot.proposals import service as proposal_service
from salesbot.users.roles import ROLE_LABELS
from tests.api.locations.support import Team

URL = "/api/meta"


async def test_every_role_reads_the_same_meta(client: httpx.AsyncClient, team: Team) -> None:
    bodies = []
    for person in (team.admin, team.sales, team.hos_backlite, team.viewer):
        response = await client.get(URL, headers=person.headers)
        assert response.status_code == 200, response.text
        bodies.append(response.json())
    assert all(body == bodies[0] for body in bodies)


async def test_signed_out_gets_401(client: httpx.AsyncClient) -> None:
    response = await client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_defaults_stages_roles_and_limits(
    app: FastAPI, client: httpx.AsyncClient, team: Team
) -> None:
    body = (await client.get(URL, headers=team.viewer.headers)).json()
    assert body["vat_pct"] == "5"
    assert body["base_currency"] == "AED"
    assert body["currencies"] == [
        {"code": "AED", "rate": "1"},
        {"code": "EUR", "rate": "3.97"},
        {"code": "GBP", "rate": "4.62"},
        {"code": "USD", "rate": "3.6725"},
    ]
    assert body["dm_fee"] == "520"
    assert body["default_upload_fee"] == "3000"
    assert body["timezone"] == app.state.settings.timezone == "Asia/Dubai"
    assert body["proposal_validity_days"] == 30
    assert body["booking_order_stages"] == [
        {"state": "draft", "label": "Draft"},
        {"state": "coordinator_review", "label": "Coordinator review"},
        {"state": "hos_review", "label": "Head of sales review"},
        {"state": "approved", "label": "Approved"},
        {"state": "booked", "label": "Booked"},  # finance completes the chain (issue #15)
        {"state": "invoiced", "label": "Invoiced"},
        {"state": "cancelled", "label": "Cancelled"},
    ]
    roles = {role["name"]: role["company_scoped"] for role in body["roles"]}
    assert roles == {
        "admin": False,
        "hos": True,
        "coordinator": True,
        "finance": True,
        "sales_person": False,
        "viewer": False,
    }
    # The UI reads role labels here (one source of truth: users/roles.ROLE_LABELS).
    labels = {role["name"]: role["label"] for role in body["roles"]}
    assert labels == {role.value: label for role, label in ROLE_LABELS.items()}
    assert labels["hos"] == "Head of sales"
    max_upload = app.state.settings.max_upload_mb * 1024 * 1024
    assert body["limits"] == {
        "max_upload_bytes": max_upload,
        "max_message_chars": 10_000,
        "max_message_files": 10,
        "min_password_length": 10,
    }


async def test_admin_rate_changes_show_at_once(client: httpx.AsyncClient, team: Team) -> None:
    put = await client.put(
        "/api/settings/currency-rates",
        json={"rates": {"USD": "3.673", "SAR": "0.979"}},
        headers=team.admin.headers,
    )
    assert put.status_code == 200, put.text
    body = (await client.get(URL, headers=team.sales.headers)).json()
    assert body["currencies"] == [
        {"code": "AED", "rate": "1"},
        {"code": "SAR", "rate": "0.979"},
        {"code": "USD", "rate": "3.673"},
    ]


async def test_chat_suggestions_are_dated_from_today_in_the_configured_zone(
    client: httpx.AsyncClient, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 22:00 UTC on 31 Dec is already 1 Jan in Dubai (UTC+4): next month there is February.
    late = datetime(2031, 12, 31, 22, 0, tzinfo=UTC)
    monkeypatch.setattr(proposal_service, "utcnow", lambda: late)
    body = (await client.get(URL, headers=team.sales.headers)).json()
    first, second = body["chat_suggestions"][:2]
    assert first.startswith("Make me a landmark proposal, start Feb 1st 2032,")
    assert second.startswith("Combined package for gateway and uae21, start Mar 1st 2032,")
