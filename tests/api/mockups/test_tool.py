"""The assistant tool `generate_mockup`, driven by the offline model's phrasings."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesbot import jobs
from salesbot.assistant.offline import Context, KnownLocation, interpret
from salesbot.assistant.tooling import discover_tools, run_tool
from salesbot.auth.service import principal_for
from salesbot.kit.tools import ToolContext, ToolResult
from salesbot.users import service as users
from tests.api.mockups.support import (
    LANDSCAPE,
    PORTRAIT_PAIR,
    Crew,
    creative,
    photo_with_frames,
)

pytestmark = pytest.mark.services

KNOWN = (
    KnownLocation("the_landmark", ("The Landmark", "landmark")),
    KnownLocation("jawhara", ("The Jawhara", "jawhara tower", "jawhara")),
)


async def _run(
    app: FastAPI, person_id: uuid.UUID, message: str, attachments: list[str] | None = None
) -> tuple[ToolResult, list[tuple[int, str]]]:
    intent = interpret(
        message,
        locations=KNOWN,
        context=Context(has_attachments=bool(attachments), attachment_count=len(attachments or [])),
        today=date(2026, 3, 1),
    )
    assert intent.tool == "generate_mockup" and intent.missing == (), intent
    events: list[tuple[int, str]] = []

    async def progress(percent: int, text: str) -> None:
        events.append((percent, text))

    tool = discover_tools()["generate_mockup"]
    async with app.state.db.sessions() as session:
        principal = principal_for(await users.get_user(session, person_id), "bearer")
        ctx = ToolContext(
            principal=principal,
            session=session,
            app=app.state,
            attachment_ids=[uuid.UUID(a) for a in attachments or []],
            progress=progress,
        )
        result = await run_tool(tool, ctx, dict(intent.args))
    return result, events


async def test_chat_phrasings_make_mockups(
    app: FastAPI, client: httpx.AsyncClient, catalogue: Crew
) -> None:
    await photo_with_frames(
        client, catalogue.coordinator, "landmark", [LANDSCAPE], time_of_day="night"
    )
    await photo_with_frames(
        client, catalogue.coordinator, "jawhara", PORTRAIT_PAIR, size=(480, 300), seed=4
    )
    sales = catalogue.sales
    red = await creative(client, sales, (255, 0, 0))

    result, events = await _run(app, sales.id, "mockup for landmark", [red])
    assert not result.is_error, result.summary
    assert result.summary == "Here is The Landmark (the_landmark_1.jpg, night) with your creative."
    assert len(result.files) == 1 and result.files[0].content_type == "image/jpeg"
    percents = [p for p, _ in events]
    assert percents == sorted(percents) and percents[-1] == 100
    assert "Placing the creative on the frame" in [text for _, text in events]

    result, _ = await _run(app, sales.id, "landmark at night with a luxury watch on black")
    assert not result.is_error, result.summary
    data: dict[str, Any] = result.data
    assert data["prompt"] == "a luxury watch on black" and data["creative_source"] == "poster"
    assert data["time_of_day"] == "night"

    result, _ = await _run(app, sales.id, "now show it on jawhara")
    assert not result.is_error, result.summary
    assert result.data["location_key"] == "jawhara"
    assert result.data["prompt"] == "a luxury watch on black"
    assert "typographic poster" in result.summary

    # Refusals come back as the tool's error text for the assistant to relay.
    result, _ = await _run(app, sales.id, "mockup for landmark", [red, red, red])
    assert not result.is_error  # duplicates collapse to one creative
    blue = await creative(client, sales, (0, 0, 255))
    green = await creative(client, sales, (0, 200, 0))
    result, _ = await _run(app, sales.id, "mockup for jawhara", [red, blue, green])
    assert result.is_error
    assert result.summary == (
        "This location's photos have 2 frames; you sent 3 creatives. Send 1 or 2."
    )
    result, _ = await _run(app, catalogue.admin.id, "now show it on jawhara")
    assert result.is_error and "remembered for 30 minutes" in result.summary


@pytest.mark.jobs
async def test_queued_mockups_are_followed_until_ready(
    app: FastAPI,
    client: httpx.AsyncClient,
    catalogue: Crew,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await photo_with_frames(client, catalogue.coordinator, "landmark", [LANDSCAPE])
    sales = catalogue.sales
    red = await creative(client, sales, (255, 0, 0))
    # The row reads "queued" before the tool asks for a slot; only the enqueue proves that the
    # tool found none and handed the mockup to a job.
    enqueued = asyncio.Event()

    async def enqueue(name: str, *args: Any) -> str:
        message_id = await jobs.enqueue(name, *args)
        enqueued.set()
        return message_id

    monkeypatch.setattr("salesbot.mockups.tools.enqueue", enqueue)
    slots = app.state.mockup_slots
    taken = 0
    while slots.try_acquire():  # every slot busy: the tool's request becomes a job
        taken += 1
    try:
        task = asyncio.create_task(_run(app, sales.id, "mockup for landmark", [red]))
        queued = asyncio.create_task(enqueued.wait())
        await asyncio.wait({task, queued}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
        if not queued.done():
            queued.cancel()
            raise AssertionError(f"the mockup was never queued: {task}")
    finally:
        for _ in range(taken):
            slots.release()
    result, events = await task
    assert not result.is_error, result.summary
    assert len(result.files) == 1
    assert events[0] == (0, "Waiting for a free slot")
    assert events[-1][0] == 100
