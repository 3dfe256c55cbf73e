"""The spec's proposal errors come back as 422 with its exact messages, and nothing is stored."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from salesbot.files.models import FileRecord
from salesbot.proposals.models import Proposal
from tests.api.locations.support import Team

pytestmark = pytest.mark.jobs


def item(location: str, durations: list[str], rates: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "location": location,
        "start_date": "2026-01-01",
        "durations": durations,
        "net_rates": rates,
        **extra,
    }


def package(*locations: dict[str, Any], rate: str | None = "2M") -> dict[str, Any]:
    body: dict[str, Any] = {"kind": "combined", "client_name": "Nike", "locations": list(locations)}
    if rate is not None:
        body["combined_net_rate"] = rate
    return body


GATEWAY = {"location": "gateway", "start_date": "2026-01-01", "duration": "2 weeks"}
JAWHARA = {"location": "jawhara", "start_date": "2026-01-01", "duration": "2 weeks"}

CASES: list[tuple[dict[str, Any], str]] = [
    ({"kind": "separate", "client_name": "Nike", "proposals": []}, "No proposals provided"),
    (
        {
            "kind": "separate",
            "client_name": "Nike",
            "proposals": [item("gateway", ["2 weeks"], ["1M"]), item("xqzv", ["2 weeks"], ["1M"])],
        },
        "Unknown location 'xqzv' in proposal 2",
    ),
    (
        {
            "kind": "separate",
            "client_name": "Nike",
            "proposals": [item("dubai_gateway", ["2 weeks", "4 weeks"], ["1M"])],
        },
        "Mismatched durations and rates for dubai_gateway - 2 durations but 1 rates",
    ),
    (
        {"kind": "separate", "client_name": "Nike", "proposals": [item("gateway", [], [])]},
        "No duration specified for dubai_gateway",
    ),
    (package(GATEWAY, JAWHARA, rate=None), "Combined package requires a combined net rate"),
    (package(GATEWAY), "Combined package requires at least 2 locations"),
    (
        package(GATEWAY, {"location": "jawhara", "start_date": "2026-01-01"}),
        "No duration specified for jawhara",
    ),
    (
        {
            "kind": "separate",
            "client_name": "Nike",
            "currency": "XYZ",
            "proposals": [item("gateway", ["2 weeks"], ["1M"])],
        },
        "Currency 'XYZ' is not supported. Supported currencies: AED, EUR, GBP, USD",
    ),
    (
        {
            "kind": "separate",
            "client_name": "Nike",
            "proposals": [item("gateway", ["2 weeks"], ["1M"], start_date="32/13/2026")],
        },
        "'32/13/2026' is not a valid date. Use a date like 2026-01-15, 15/01/2026 or "
        "15 January 2026.",
    ),
    (
        {
            "kind": "separate",
            "client_name": "Nike",
            "proposals": [item("gateway", ["2 weeks"], ["lots of money"])],
        },
        "Could not read the net rate 'lots of money'. Use a number like 1,500,000, 1.5M or 750k.",
    ),
    (
        {
            "kind": "separate",
            "client_name": "Nike",
            "proposals": [item("gateway", ["a fortnight"], ["1M"])],
        },
        'Could not read the duration \'a fortnight\'. Use a form like "2 weeks", "1 month" '
        'or "10 days". Units: days, weeks, months, years.',
    ),
    (
        {
            "kind": "separate",
            "client_name": "Nike",
            "proposals": [item("uae21", ["2 weeks"], ["100k"])],
        },
        "Missing production fee for static location: uae21",
    ),
]


async def stored(app: FastAPI) -> tuple[int, int]:
    async with app.state.db.sessions() as session:
        proposals = (await session.execute(select(func.count()).select_from(Proposal))).scalar()
        files = (await session.execute(select(func.count()).select_from(FileRecord))).scalar()
    return int(proposals or 0), int(files or 0)


@pytest.mark.parametrize(("body", "message"), CASES, ids=[m[:40] for _, m in CASES])
async def test_spec_error_messages(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team, body: dict[str, Any], message: str
) -> None:
    response = await client.post("/api/proposals", json=body, headers=catalogue.sales.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"] == message
    assert await stored(app) == (0, 0)


async def test_missing_production_fee_names_what_to_ask(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [item("uae 21", ["2 weeks"], ["100k"])],
    }
    response = await client.post("/api/proposals", json=body, headers=catalogue.sales.headers)
    error = response.json()["error"]
    assert error["code"] == "missing_information"
    assert error["details"] == {"missing": [{"location": "uae21", "field": "production_fee"}]}


async def test_unknown_location_suggests_close_names(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [item("landmrk tower", ["2 weeks"], ["1M"])],
    }
    response = await client.post("/api/proposals", json=body, headers=catalogue.sales.headers)
    error = response.json()["error"]
    assert error["code"] == "unknown_location"
    assert error["message"] == (
        "Unknown location 'landmrk tower' in proposal 1. Did you mean: The Landmark, The Jawhara?"
    )
    assert error["details"] == {"position": 1, "suggestions": ["the_landmark", "jawhara"]}


async def test_inactive_locations_cannot_be_proposed(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    await client.patch(
        "/api/locations/jawhara", json={"is_active": False}, headers=catalogue.admin.headers
    )
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [item("jawhara", ["2 weeks"], ["1M"])],
    }
    response = await client.post("/api/proposals", json=body, headers=catalogue.sales.headers)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(
        "Unknown location 'jawhara' in proposal 1"
    )


async def test_request_shape_is_checked(client: httpx.AsyncClient, catalogue: Team) -> None:
    headers = catalogue.sales.headers
    for body in (
        {"kind": "other", "client_name": "Nike", "proposals": []},
        {"kind": "separate", "proposals": []},
        {"kind": "separate", "client_name": "", "proposals": []},
        {"kind": "separate", "client_name": "Nike", "proposals": [], "surprise": 1},
        {
            "kind": "separate",
            "client_name": "Nike",
            "proposals": [item("gateway", ["2 weeks"], [1.5])],
        },
    ):
        response = await client.post("/api/proposals", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "validation_failed"


async def test_permissions(client: httpx.AsyncClient, catalogue: Team) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [item("gateway", ["2 weeks"], ["1M"])],
    }
    viewer = await client.post("/api/proposals", json=body, headers=catalogue.viewer.headers)
    assert viewer.status_code == 403
    assert (await client.post("/api/proposals", json=body)).status_code == 401


async def test_refusals_from_a_fixed_set_list_the_allowed_values(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    """An unsupported currency or an unknown duration unit names what is accepted."""
    currency = {
        "kind": "separate",
        "client_name": "Nike",
        "currency": "XYZ",
        "proposals": [item("gateway", ["2 weeks"], ["1M"])],
    }
    refused = await client.post("/api/proposals", json=currency, headers=catalogue.sales.headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == {"allowed": ["AED", "EUR", "GBP", "USD"]}
    duration = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [item("gateway", ["3 fortnights"], ["1M"])],
    }
    refused = await client.post("/api/proposals", json=duration, headers=catalogue.sales.headers)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["details"] == {"allowed": ["days", "weeks", "months", "years"]}
    assert error["message"].endswith("Units: days, weeks, months, years.")
