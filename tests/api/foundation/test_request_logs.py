"""Log lines written while serving a request carry its request id and the caller's user id."""

from __future__ import annotations

import io
import json

import httpx
from fastapi import FastAPI

from salesbot.kit.logging import configure_logging, flush_logs
from tests.api.auth.conftest import seed_accounts
from tests.api.locations.support import CATALOGUE, Person
from tests.support.auth import bearer


async def test_every_line_inside_a_request_carries_request_and_user_id(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    seeded = await seed_accounts(app)
    admin = Person(seeded.admin.id, bearer(app, seeded.admin.id))
    output = io.StringIO()
    configure_logging(json=True, stream=output)
    for spec in [s for s in CATALOGUE if s["company"] == "backlite"]:
        response = await client.post("/api/locations", json=spec, headers=admin.headers)
        assert response.status_code == 201, response.text  # logs `location_created`
    flush_logs()
    lines = [json.loads(line) for line in output.getvalue().splitlines()]
    access = {line["request_id"]: line for line in lines if line["event"] == "request"}
    created = [line for line in lines if line["event"] == "location_created"]
    assert created and len(created) == len(access)
    for line in created:
        # Not only the access line: the service's own line, logged after authentication.
        assert line["user_id"] == str(admin.id)
        assert access[line["request_id"]]["user_id"] == str(admin.id)
    assert "trace_id" not in created[0]  # tracing is off unless configured
