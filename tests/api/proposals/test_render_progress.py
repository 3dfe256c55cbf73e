"""Proposals are rendered by the `proposals.render` job; the form and the chat see its progress.

`POST /api/proposals?render_id=…` still answers 201 with the proposal (the request waits for the
job); `GET /api/proposal-renders/{render_id}` shows the job's steps and outcome to its owner.
"""

from __future__ import annotations

import uuid

import anyio
import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from tests.api.locations.support import Team
from tests.api.proposals.test_chat_tools import say
from tests.api.proposals.test_render_job import wait_for

pytestmark = pytest.mark.jobs


def _entry(location: str) -> dict[str, object]:
    return {
        "location": location,
        "start_date": "2027-03-01",
        "durations": ["2 weeks"],
        "net_rates": ["1.5M"],
    }


def body(*locations: str) -> dict[str, object]:
    return {"kind": "separate", "client_name": "Nike", "proposals": [_entry(x) for x in locations]}


def renders_done() -> float:
    labels = {"actor": "proposals.render"}
    return REGISTRY.get_sample_value("salesbot_jobs_succeeded_total", labels) or 0.0


async def test_the_form_follows_a_render_job_by_its_id(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    render_id = uuid.uuid4()
    before = renders_done()
    made = await client.post(
        f"/api/proposals?render_id={render_id}",
        json=body("landmark", "gateway"),
        headers=catalogue.sales.headers,
    )
    assert made.status_code == 201, made.text
    await wait_for(app, before + 1)  # made by the job, not in the request

    progress = await client.get(
        f"/api/proposal-renders/{render_id}", headers=catalogue.sales.headers
    )
    assert progress.status_code == 200
    shown = progress.json()
    assert shown["status"] == "done" and shown["percent"] == 100
    assert shown["proposal_id"] == made.json()["id"] and shown["error"] is None
    steps = shown["steps"]
    for step in (
        "Rendering slides 1/2…",
        "Slides 1/2 done",
        "Rendering slides 2/2…",
        "Slides 2/2 done",
        "Rendering the PDF…",
        "PDF done",
        "Proposal ready",
    ):
        assert step in steps
    assert (
        steps.index("Rendering slides 2/2…")
        < steps.index("PDF done")
        < steps.index("Proposal ready")
    )


async def test_a_render_is_only_visible_to_whoever_asked_for_it(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    render_id = uuid.uuid4()
    made = await client.post(
        f"/api/proposals?render_id={render_id}",
        json=body("landmark"),
        headers=catalogue.sales.headers,
    )
    assert made.status_code == 201
    other = await client.get(f"/api/proposal-renders/{render_id}", headers=catalogue.other.headers)
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    unknown = await client.get(
        f"/api/proposal-renders/{uuid.uuid4()}", headers=catalogue.sales.headers
    )
    assert unknown.status_code == 404


async def test_a_refusal_from_the_job_is_the_same_422_and_the_render_shows_it(
    client: httpx.AsyncClient, catalogue: Team
) -> None:
    render_id = uuid.uuid4()
    refused = await client.post(
        f"/api/proposals?render_id={render_id}",
        json=body("qqqq zzzz"),
        headers=catalogue.sales.headers,
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["message"].startswith("Unknown location 'qqqq zzzz'")
    shown = (
        await client.get(f"/api/proposal-renders/{render_id}", headers=catalogue.sales.headers)
    ).json()
    assert shown["status"] == "failed" and shown["proposal_id"] is None
    assert shown["error"]["status"] == 422 and shown["error"]["code"] == error["code"]
    assert shown["error"]["message"] == error["message"]
    listed = (await client.get("/api/proposals", headers=catalogue.sales.headers)).json()
    assert listed["items"] == []


async def test_a_duplicate_is_rendered_by_the_job_too(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    made = await client.post(
        "/api/proposals", json=body("landmark"), headers=catalogue.sales.headers
    )
    render_id = uuid.uuid4()
    before = renders_done()
    again = await client.post(
        f"/api/proposals/{made.json()['id']}/duplicate?render_id={render_id}",
        json={"client_name": "Nike ME"},
        headers=catalogue.sales.headers,
    )
    assert again.status_code == 201, again.text
    await wait_for(app, before + 1)
    assert (again.json()["version"], again.json()["previous_id"]) == (2, made.json()["id"])
    shown = (
        await client.get(f"/api/proposal-renders/{render_id}", headers=catalogue.sales.headers)
    ).json()
    assert shown["proposal_id"] == again.json()["id"]


async def test_the_chat_tool_passes_the_jobs_progress_on(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Team
) -> None:
    before = renders_done()
    turn = await say(
        app,
        catalogue.sales,
        "make me a landmark proposal, start Jan 1st 2026, durations 2 weeks, rates 1.5M, "
        "client Nike",
    )
    assert turn.result is not None and not turn.result.is_error, turn.result
    await wait_for(app, before + 1)
    messages = [text for _, text in turn.progress]
    assert messages[0] == "Checking the request"
    for step in ("Rendering slides 1/1…", "Slides 1/1 done", "PDF done", "Proposal ready"):
        assert step in messages
    percents = [percent for percent, _ in turn.progress]
    assert percents == sorted(percents)


async def test_a_render_still_going_after_the_wait_answers_503(
    client: httpx.AsyncClient, catalogue: Team, app: FastAPI
) -> None:
    """The request gives up waiting (the job goes on): 503 with a code the form explains."""
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"proposal_render_timeout_s": 0.01})
    worker = app.state.jobs.worker
    assert worker is not None
    worker.pause()  # nobody takes the job while the request waits
    render_id = uuid.uuid4()
    headers = catalogue.sales.headers
    try:
        response = await client.post(
            f"/api/proposals?render_id={render_id}", json=body("landmark"), headers=headers
        )
        waiting = await client.get(f"/api/proposal-renders/{render_id}", headers=headers)
    finally:
        worker.resume()
        app.state.settings = settings
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "render_pending"
    shown = waiting.json()
    assert (shown["status"], shown["message"]) == ("queued", "Waiting for a worker")
    await anyio.to_thread.run_sync(app.state.jobs.join)
