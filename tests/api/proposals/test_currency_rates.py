"""Currency rates: everyone reads, admins replace; unknown and non-positive rates are refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.locations.support import Team

URL = "/api/settings/currency-rates"


@pytest.mark.jobs
async def test_defaults_then_admin_changes_them(client: httpx.AsyncClient, catalogue: Team) -> None:
    got = await client.get(URL, headers=catalogue.sales.headers)
    assert got.status_code == 200
    assert got.json() == {"base": "AED", "rates": {"EUR": "3.97", "GBP": "4.62", "USD": "3.6725"}}

    put = await client.put(
        URL,
        json={"rates": {"usd": "3.6730", "EUR": 4, "sar": "0.979", "AED": "1"}},
        headers=catalogue.admin.headers,
    )
    assert put.status_code == 200, put.text
    assert put.json()["rates"] == {"EUR": "4", "SAR": "0.979", "USD": "3.673"}
    assert (await client.get(URL, headers=catalogue.viewer.headers)).json() == put.json()

    # New proposals use the new rates; GBP is no longer offered.
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "currency": "SAR",
        "proposals": [
            {
                "location": "uae21",
                "start_date": "2026-01-01",
                "durations": ["2 weeks"],
                "net_rates": ["100000"],
                "production_fee": "5000",
            }
        ],
    }
    made = await client.post("/api/proposals", json=body, headers=catalogue.sales.headers)
    assert made.status_code == 201, made.text
    total = made.json()["locations"][0]["options"][0]["total"]
    assert total["text"] == "SAR 113,172.63"  # 110,796 / 0.979
    body["currency"] = "GBP"
    refused = await client.post("/api/proposals", json=body, headers=catalogue.sales.headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == (
        "Currency 'GBP' is not supported. Supported currencies: AED, EUR, SAR, USD"
    )


async def test_bad_rates_are_refused(client: httpx.AsyncClient, catalogue: Team) -> None:
    admin = catalogue.admin.headers
    for rates, message in (
        ({"XYZ": "2"}, "Unknown currency 'XYZ'. Use ISO codes such as USD, EUR or GBP."),
        ({"USD": "-3.67"}, "The rate for USD must be more than zero."),
        ({"USD": "0"}, "The rate for USD must be more than zero."),
        ({"AED": "2"}, "AED is the base currency; its rate is always 1."),
        ({"AED": "1"}, "Give at least one currency rate besides AED."),
    ):
        response = await client.put(URL, json={"rates": rates}, headers=admin)
        assert response.status_code == 422, rates
        assert response.json()["error"]["message"] == message
        if "XYZ" in rates:  # the codes that are accepted come with the refusal
            allowed = response.json()["error"]["details"]["allowed"]
            assert "USD" in allowed and "SAR" in allowed and "XYZ" not in allowed
            assert allowed == sorted(allowed)
    bodies: list[dict[str, Any]] = [
        {"rates": {}},
        {"rates": {"USD": "abc"}},
        {"rates": {"US": "3"}},
        {},
    ]
    for body in bodies:
        response = await client.put(URL, json=body, headers=admin)
        assert response.status_code == 422, body
    unchanged = await client.get(URL, headers=admin)
    assert unchanged.json()["rates"]["USD"] == "3.6725"


async def test_only_admins_change_rates(client: httpx.AsyncClient, catalogue: Team) -> None:
    for person in (catalogue.sales, catalogue.hos_backlite):
        response = await client.put(URL, json={"rates": {"USD": "4"}}, headers=person.headers)
        assert response.status_code == 403
    assert (await client.get(URL)).status_code == 401
