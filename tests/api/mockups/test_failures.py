"""What goes wrong between asking for a mockup and making it, and how the job copes.

A queued mockup is made by the `mockups.generate` job. The test holds the only composition
slot, so the job waits while the test changes the world under it (deletes the creative or the
photo, clears the frames, breaks the compositor); releasing the slot lets the job run.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesbot.kit.errors import NotFound
from salesbot.mockups import compositor, generation, repository, service
from salesbot.mockups.errors import UNEXPECTED
from salesbot.mockups.slots import CompositionSlots
from tests.api.locations.support import seed_catalogue
from tests.api.mockups.conftest import AppFactory
from tests.api.mockups.support import (
    LANDSCAPE,
    PORTRAIT_PAIR,
    Crew,
    creative,
    make_crew,
    photo_with_frames,
    set_frames,
    wait_done,
)

pytestmark = [pytest.mark.services, pytest.mark.jobs]


@dataclass
class World:
    app: FastAPI
    client: httpx.AsyncClient
    crew: Crew
    slots: CompositionSlots


@asynccontextmanager
async def one_slot(app_with: AppFactory) -> AsyncIterator[World]:
    """An app with one composition slot, its crew and catalogue; the slot is free on exit."""
    async with app_with(mockup_concurrency=1) as (app, client):
        crew = await make_crew(app)
        await seed_catalogue(client, crew.admin)
        yield World(app, client, crew, service.slots_of(app.state))


async def queued(world: World, body: dict[str, Any]) -> dict[str, Any]:
    """Ask for a mockup while the test holds the only slot: it is queued as a job.

    A job's outcome is visible through the API a moment before its worker lets the slot go, so
    the slot is waited for (in a thread: the wait blocks), not expected free at once.
    """
    taken = await asyncio.to_thread(world.slots.acquire, 60)
    assert taken, "the composition slot was never freed"
    response = await world.client.post("/api/mockups", json=body, headers=world.crew.sales.headers)
    assert response.status_code == 202, response.text
    made: dict[str, Any] = response.json()
    assert made["status"] == "queued"
    return made


async def finish(world: World, made: dict[str, Any]) -> dict[str, Any]:
    """Let the waiting job run and follow the mockup through the API until it ends."""
    world.slots.release()
    return await wait_done(world.client, world.crew.sales, made)


async def test_a_creative_deleted_while_queued_fails_the_mockup_with_the_reason(
    app_with: AppFactory,
) -> None:
    async with one_slot(app_with) as world:
        sales = world.crew.sales
        await photo_with_frames(world.client, world.crew.coordinator, "landmark", [LANDSCAPE])
        red = await creative(world.client, sales, (255, 0, 0))
        made = await queued(world, {"location": "landmark", "file_ids": [red]})
        deleted = await world.client.delete(f"/api/files/{red}", headers=sales.headers)
        assert deleted.status_code == 204
        ended = await finish(world, made)
        assert ended["status"] == "failed" and ended["message"] == "Failed"
        assert ended["error"] == (
            "A creative of this mockup is no longer available; upload it again."
        )
        assert ended["file"] is None


async def test_a_photo_deleted_or_unframed_while_queued_fails_with_the_reason(
    app_with: AppFactory,
) -> None:
    async with one_slot(app_with) as world:
        sales, coordinator = world.crew.sales, world.crew.coordinator
        landmark = await photo_with_frames(world.client, coordinator, "landmark", [LANDSCAPE])
        await photo_with_frames(
            world.client, coordinator, "jawhara", PORTRAIT_PAIR, size=(480, 300)
        )
        red = await creative(world.client, sales, (255, 0, 0))

        made = await queued(world, {"location": "landmark", "file_ids": [red]})
        gone = await world.client.delete(
            f"/api/mockups/photos/{landmark['id']}", headers=coordinator.headers
        )
        assert gone.status_code == 204
        ended = await finish(world, made)
        assert ended["status"] == "failed"
        assert ended["error"] == "The photo for this mockup was deleted; please ask again."

        made = await queued(world, {"location": "jawhara", "file_ids": [red]})
        await set_frames(world.client, coordinator, made["photo_id"], [])
        ended = await finish(world, made)
        assert ended["status"] == "failed"
        assert ended["error"] == "This photo has no frames marked any more; please ask again."


async def test_creatives_that_no_longer_match_the_frames_fail_with_the_rule(
    app_with: AppFactory,
) -> None:
    async with one_slot(app_with) as world:
        sales, coordinator = world.crew.sales, world.crew.coordinator
        pair = await photo_with_frames(
            world.client, coordinator, "jawhara", PORTRAIT_PAIR, size=(480, 300)
        )
        two = [await creative(world.client, sales, rgb) for rgb in ((255, 0, 0), (0, 0, 255))]
        made = await queued(world, {"location": "jawhara", "file_ids": two})
        # The coordinator re-frames the photo with one screen while the job waits.
        await set_frames(world.client, coordinator, pair["id"], PORTRAIT_PAIR[:1])
        ended = await finish(world, made)
        assert ended["status"] == "failed"
        assert ended["error"] == (
            "This location's photos have 1 frame; you sent 2 creatives. Send 1."
        )


@dataclass
class Attempts:
    """Each run of the job: the row as the attempt found it (status, message)."""

    seen: list[tuple[str, str | None]]


def observe_attempts(monkeypatch: pytest.MonkeyPatch) -> Attempts:
    attempts = Attempts([])
    real = generation.run_mockup

    async def observed(session: Any, storage: Any, settings: Any, mockup_id: Any, **kw: Any) -> Any:
        row = await repository.get_mockup(session, mockup_id)
        assert row is not None
        attempts.seen.append((row.status, row.message))
        return await real(session, storage, settings, mockup_id, **kw)

    monkeypatch.setattr(generation, "run_mockup", observed)
    return attempts


def break_compositor(monkeypatch: pytest.MonkeyPatch, times: int) -> None:
    """The first `times` compositions crash (a bug, not a refusal); the rest work."""
    real = compositor.composite
    calls = {"n": 0}

    def composite(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= times:
            raise RuntimeError("simulated crash in the compositor")
        return real(*args, **kwargs)

    monkeypatch.setattr(compositor, "composite", composite)


async def test_an_unexpected_crash_is_retried_and_the_row_says_so(
    app_with: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = observe_attempts(monkeypatch)
    break_compositor(monkeypatch, times=1)
    async with one_slot(app_with) as world:
        await photo_with_frames(world.client, world.crew.coordinator, "landmark", [LANDSCAPE])
        red = await creative(world.client, world.crew.sales, (255, 0, 0))
        made = await queued(world, {"location": "landmark", "file_ids": [red]})
        ended = await finish(world, made)
    assert ended["status"] == "done", ended
    assert ended["progress"] == 100 and ended["error"] is None and ended["file"] is not None
    assert attempts.seen == [("queued", "Waiting to start"), ("queued", "Retrying after a problem")]


async def test_a_crash_on_every_attempt_ends_failed_with_a_generic_message(
    app_with: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = observe_attempts(monkeypatch)
    break_compositor(monkeypatch, times=99)
    async with one_slot(app_with) as world:
        await photo_with_frames(world.client, world.crew.coordinator, "landmark", [LANDSCAPE])
        red = await creative(world.client, world.crew.sales, (255, 0, 0))
        made = await queued(world, {"location": "landmark", "file_ids": [red]})
        ended = await finish(world, made)
    assert ended["status"] == "failed" and ended["file"] is None
    assert ended["error"] == UNEXPECTED  # the crash's own text stays in the logs
    assert "simulated crash" not in str(ended)
    # The first try and both retries; each retry found the row marked as retrying.
    assert (
        attempts.seen
        == [("queued", "Waiting to start")] + [("queued", "Retrying after a problem")] * 2
    )


async def test_running_a_finished_or_missing_mockup_changes_nothing(
    app_with: AppFactory,
) -> None:
    async with app_with() as (app, client):
        crew = await make_crew(app)
        await seed_catalogue(client, crew.admin)
        await photo_with_frames(client, crew.coordinator, "landmark", [LANDSCAPE])
        red = await creative(client, crew.sales, (255, 0, 0))
        response = await client.post(
            "/api/mockups",
            json={"location": "landmark", "file_ids": [red]},
            headers=crew.sales.headers,
        )
        assert response.status_code == 201 and response.json()["status"] == "done"
        done_id = uuid.UUID(response.json()["id"])
        state = app.state
        async with state.db.sessions() as session:
            # A re-delivered job: the finished mockup is returned as it is, not made again.
            again = await generation.run_mockup(session, state.storage, state.settings, done_id)
            assert str(again.output_file_id) == response.json()["file"]["file_id"]
            assert again.status == "done" and again.progress == 100
            with pytest.raises(NotFound, match=r"Mockup not found\."):
                await generation.run_mockup(session, state.storage, state.settings, uuid.uuid4())
            # Failure and retry bookkeeping never touch a finished mockup.
            await generation.mark_failed(session, done_id, UNEXPECTED)
            await generation.mark_retrying(session, done_id)
            await generation.mark_failed(session, uuid.uuid4(), UNEXPECTED)  # gone: no error
        history = await client.get("/api/mockups", headers=crew.sales.headers)
        (item,) = history.json()["items"]
        assert item["status"] == "done" and item["error"] is None and item["file"] is not None


async def test_a_named_photo_must_belong_to_the_location(
    app_with: AppFactory,
) -> None:
    async with app_with() as (app, client):
        crew = await make_crew(app)
        await seed_catalogue(client, crew.admin)
        landmark = await photo_with_frames(client, crew.coordinator, "landmark", [LANDSCAPE])
        jawhara = await photo_with_frames(
            client, crew.coordinator, "jawhara", PORTRAIT_PAIR, size=(480, 300)
        )
        red = await creative(client, crew.sales, (255, 0, 0))
        headers = crew.sales.headers
        elsewhere = await client.post(
            "/api/mockups",
            json={"location": "landmark", "file_ids": [red], "photo_id": jawhara["id"]},
            headers=headers,
        )
        assert elsewhere.status_code == 404
        assert elsewhere.json()["error"]["message"] == (
            "That photo is not one of this location's mockup photos."
        )
        named = await client.post(
            "/api/mockups",
            json={"location": "landmark", "file_ids": [red], "photo_id": landmark["id"]},
            headers=headers,
        )
        assert named.status_code == 201, named.text
        assert named.json()["photo_id"] == landmark["id"]
