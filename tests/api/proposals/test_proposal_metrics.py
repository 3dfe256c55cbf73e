"""A produced proposal is counted once by kind; a refused one is not counted."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.api.locations.support import Team
from tests.support.metrics import sample

pytestmark = pytest.mark.jobs


def body(location: str) -> dict[str, Any]:
    start = date.today() + timedelta(days=30)
    return {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [
            {
                "location": location,
                "start_date": start.isoformat(),
                "durations": ["2 weeks"],
                "net_rates": ["1.5M"],
            }
        ],
    }


async def test_each_produced_proposal_is_counted(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    before = sample("salesbot_proposals_produced_total", kind="separate")
    made = await client.post(
        "/api/proposals", json=body("landmark"), headers=catalogue.sales.headers
    )
    assert made.status_code == 201, made.text
    refused = await client.post(
        "/api/proposals",
        json=body("nowhere-at-all"),
        headers=catalogue.sales.headers,
    )
    assert refused.status_code == 422, refused.text
    assert sample("salesbot_proposals_produced_total", kind="separate") == before + 1
