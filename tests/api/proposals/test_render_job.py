"""The `proposals.render` job produces and records a proposal on a worker; refusals are dropped."""

from __future__ import annotations

import anyio
import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from salesbot.jobs import enqueue
from tests.api.locations.support import Team

pytestmark = pytest.mark.jobs

BODY = {
    "kind": "separate",
    "client_name": "Nike",
    "proposals": [
        {
            "location": "landmark",
            "start_date": "2026-01-01",
            "durations": ["2 weeks"],
            "net_rates": ["1.5M"],
        }
    ],
}


def finished() -> float:
    labels = {"actor": "proposals.render"}
    return REGISTRY.get_sample_value("salesbot_jobs_succeeded_total", labels) or 0.0


async def wait_for(app: FastAPI, count: float) -> None:
    """Until `count` render jobs have finished: a queue can look drained while one still runs."""
    await anyio.to_thread.run_sync(app.state.jobs.join)
    with anyio.fail_after(60):
        while finished() < count:
            await anyio.sleep(0.05)


async def test_job_renders_and_records(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    done = finished()
    await enqueue("proposals.render", str(catalogue.sales.id), BODY)
    await wait_for(app, done + 1)
    listed = (await client.get("/api/proposals", headers=catalogue.sales.headers)).json()
    (summary,) = listed["items"]
    assert summary["totals"] == ["AED 1,578,696"]
    assert summary["owner_id"] == str(catalogue.sales.id)
    pdf = next(c for c in summary["files"] if c["name"].endswith(".pdf"))
    response = await client.get(pdf["download_url"], headers=catalogue.sales.headers)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")

    # A new version from a job is linked to the one it re-generates.
    await enqueue("proposals.render", str(catalogue.sales.id), BODY, summary["id"])
    await wait_for(app, done + 2)
    latest = (await client.get("/api/proposals", headers=catalogue.sales.headers)).json()
    assert [(p["version"], p["previous_id"]) for p in latest["items"]] == [
        (2, summary["id"]),
        (1, None),
    ]


async def test_refused_requests_are_not_retried(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    bad = {**BODY, "proposals": [{**BODY["proposals"][0], "location": "qqqq zzzz"}]}  # type: ignore[dict-item]
    done = finished()
    await enqueue("proposals.render", str(catalogue.sales.id), bad)
    await wait_for(app, done + 1)
    assert app.state.jobs.dead_letters() == []
    listed = (await client.get("/api/proposals", headers=catalogue.sales.headers)).json()
    assert listed["items"] == []
