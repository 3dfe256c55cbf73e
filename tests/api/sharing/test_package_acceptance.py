"""An accepted combined package starts a booking-order draft whose net amounts split the package
rate evenly over its locations, the last taking the rounding, and add up to it exactly."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from salesbot.kit.db import utcnow
from tests.api.locations.support import Team
from tests.api.sharing.conftest import make_proposal, share

pytestmark = pytest.mark.jobs


async def test_an_accepted_package_becomes_a_draft_with_the_rate_split_exactly(
    client: httpx.AsyncClient, team: Team
) -> None:
    start = (utcnow().date() + timedelta(days=40)).isoformat()
    body = {
        "kind": "combined",
        "client_name": "Nike",
        "combined_net_rate": "1,000,000",  # thirds do not divide evenly
        "locations": [
            {"location": "landmark", "start_date": start, "duration": "2 weeks"},
            {"location": "gateway", "start_date": start, "duration": "2 weeks", "spots": 2},
            {
                "location": "uae21",
                "start_date": start,
                "duration": "2 weeks",
                "production_fee": "5000",
            },
        ],
    }
    proposal = await make_proposal(client, team.sales, body)
    shared = await share(client, team.sales, proposal)
    accepted = await client.post(
        f"{shared.path}/accept",
        json={"name": "Nora Buyer", "title": "Media Director", "signature": "Nora Buyer"},
    )
    assert accepted.status_code == 201, accepted.text
    draft = await client.post(
        f"/api/proposals/{proposal['id']}/booking-order", headers=team.sales.headers
    )
    assert draft.status_code == 201, draft.text
    places = draft.json()["fields"]["locations"]
    amounts = [Decimal(p["net_amount"]) for p in places]
    assert amounts == [Decimal("333333.33"), Decimal("333333.33"), Decimal("333333.34")]
    assert sum(amounts) == Decimal("1000000.00")
    assert [p["campaign_duration"] for p in places] == ["2 weeks"] * 3
