"""Currency-rate rules in the commercial service: checked, audited, exact."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI

from salesbot.commercial import service as commercial
from tests.api.locations.support import Team

URL = "/api/settings/currency-rates"


@pytest.mark.parametrize(
    ("rates", "code"),
    [
        ({"USS": "3"}, "unknown_currency"),
        ({"USD": "0"}, "invalid_rate"),
        ({"USD": "100001"}, "invalid_rate"),
        ({"AED": "2"}, "invalid_rate"),
        ({"AED": "1"}, "no_rates"),
    ],
)
async def test_bad_tables_are_refused_and_nothing_changes(
    client: httpx.AsyncClient, team: Team, rates: dict[str, str], code: str
) -> None:
    response = await client.put(URL, json={"rates": rates}, headers=team.admin.headers)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    got = await client.get(URL, headers=team.sales.headers)
    assert got.json()["rates"] == {"EUR": "3.97", "GBP": "4.62", "USD": "3.6725"}


async def test_only_admins_replace_and_the_change_is_audited(
    app: FastAPI, client: httpx.AsyncClient, team: Team
) -> None:
    body = {"rates": {"USD": "3.7"}}
    assert (await client.put(URL, json=body, headers=team.sales.headers)).status_code == 403
    assert (await client.put(URL, json=body, headers=team.admin.headers)).status_code == 200
    audit = await client.get(
        "/api/audit", params={"action": "settings.currency_rates"}, headers=team.admin.headers
    )
    assert audit.status_code == 200, audit.text
    events = [e for e in audit.json()["items"] if e["action"] == "settings.currency_rates"]
    assert events and events[0]["details"] == {"rates": {"USD": "3.7"}}
    async with app.state.db.sessions() as session:
        terms = await commercial.terms(session, app.state.settings)
    assert terms.rates == {"AED": Decimal(1), "USD": Decimal("3.7")}
    assert terms.vat_pct == Decimal(5)


def test_plain_numbers() -> None:
    assert commercial.plain_number(Decimal("5.00")) == "5"
    assert commercial.plain_number(Decimal("1E+3")) == "1000"
    assert commercial.plain_number(Decimal("3.6725")) == "3.6725"
