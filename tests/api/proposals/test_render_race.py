"""A `proposals.render` message delivered twice at once (the Redis broker redelivers a message
whose worker looked gone): two worker processes run it, one renders the proposal, the other
waits on the message's deployment-wide lock and returns the same proposal. The overlap is
certain (tests/support/render_race.py); renders are counted by the proposals recorded.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI

from tests.api.locations.support import Team
from tests.conftest import Stack
from tests.support.render_race import generated_files, race, worker_env


@pytest.mark.parametrize("stack", ["postgres"], indirect=True)
async def test_a_message_delivered_twice_renders_one_proposal(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team, stack: Stack
) -> None:
    body = {
        "kind": "separate",
        "client_name": "Nike",
        "proposals": [
            {
                "location": "landmark",
                "start_date": (date.today() + timedelta(days=30)).isoformat(),
                "durations": ["2 weeks"],
                "net_rates": ["1.5M"],
            }
        ],
    }
    before = await generated_files(app)
    exits = await race(
        "salesbot.proposals.tasks:render_proposal",
        (str(catalogue.sales.id), body),
        "salesbot.proposals.service:_render",
        worker_env(app, stack, with_redis=True),
        message_id=str(uuid.uuid4()),
    )
    assert exits == [0, 0]
    listed = (await client.get("/api/proposals", headers=catalogue.sales.headers)).json()
    assert len(listed["items"]) == 1  # one proposal, not one per delivery
    assert await generated_files(app) - before == 2  # its PPTX and PDF, once
