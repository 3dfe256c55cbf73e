"""Creative memory: "now show it on Jawhara" reuses the last creatives for 30 minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from salesbot.mockups.memory import KEY_PREFIX, CreativeMemory
from tests.api.mockups.support import (
    LANDSCAPE,
    PORTRAIT_PAIR,
    Crew,
    centre,
    creative,
    decode,
    output_image,
    photo_with_frames,
)

pytestmark = pytest.mark.services


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app: FastAPI) -> Clock:
    fake = Clock()
    app.state.mockup_memory = CreativeMemory(app.state.redis, clock=fake)
    return fake


@pytest.fixture
async def two_locations(client: httpx.AsyncClient, catalogue: Crew) -> Crew:
    await photo_with_frames(client, catalogue.coordinator, "landmark", [LANDSCAPE])
    await photo_with_frames(
        client, catalogue.coordinator, "jawhara", PORTRAIT_PAIR, size=(480, 300), seed=2
    )
    return catalogue


async def test_uploaded_creatives_are_reused_within_30_minutes(
    app: FastAPI, client: httpx.AsyncClient, two_locations: Crew, clock: Clock
) -> None:
    sales = two_locations.sales
    red = await creative(client, sales, (255, 0, 0))
    first = await client.post(
        "/api/mockups", json={"location": "landmark", "file_ids": [red]}, headers=sales.headers
    )
    assert first.status_code == 201
    if app.state.redis.configured:  # shared by every instance through Redis
        ttl = await app.state.redis.client.ttl(f"{KEY_PREFIX}{sales.id}")
        assert 0 < ttl <= 1800

    clock.now += timedelta(minutes=29)
    again = await client.post(
        "/api/mockups",
        json={"location": "jawhara", "reuse_previous": True},
        headers=sales.headers,
    )
    assert again.status_code == 201, again.text
    made = again.json()
    assert made["creative_file_ids"] == [red] and made["creative_source"] == "upload"
    image = await output_image(client, sales, made)
    for quad in PORTRAIT_PAIR:
        b, g, r = (int(v) for v in image[centre(quad)[1], centre(quad)[0]])
        assert r > 200 and g < 60 and b < 60

    # Someone else has nothing to reuse.
    theirs = await client.post(
        "/api/mockups",
        json={"location": "jawhara", "reuse_previous": True},
        headers=two_locations.admin.headers,
    )
    assert theirs.status_code == 422

    # The reuse itself refreshed the memory; 30 minutes after it, it is gone.
    clock.now += timedelta(minutes=30)
    expired = await client.post(
        "/api/mockups",
        json={"location": "landmark", "reuse_previous": True},
        headers=sales.headers,
    )
    assert expired.status_code == 422
    error = expired.json()["error"]
    assert error["code"] == "no_previous_creative"
    assert "remembered for 30 minutes" in error["message"]


async def test_a_described_creative_is_redrawn_for_the_new_frames(
    client: httpx.AsyncClient, two_locations: Crew, clock: Clock
) -> None:
    sales = two_locations.sales
    first = await client.post(
        "/api/mockups",
        json={"location": "landmark", "prompt": "Summer sale on navy, white type"},
        headers=sales.headers,
    )
    assert first.status_code == 201, first.text
    landscape_poster = first.json()["creative_file_ids"][0]

    clock.now += timedelta(minutes=5)
    # No creative and no flag: the remembered one is the only thing there is to use.
    follow = await client.post("/api/mockups", json={"location": "jawhara"}, headers=sales.headers)
    assert follow.status_code == 201, follow.text
    made = follow.json()
    assert made["prompt"] == "Summer sale on navy, white type"
    assert made["creative_source"] == "poster"
    assert made["creative_file_ids"] != [landscape_poster]
    poster = await client.get(
        f"/api/files/{made['creative_file_ids'][0]}/content", headers=sales.headers
    )
    height, width = decode(poster.content).shape[:2]
    assert height > width  # redrawn in the portrait shape of Jawhara's frames

    # A new upload replaces what is remembered.
    blue = await creative(client, sales, (0, 0, 255))
    await client.post(
        "/api/mockups", json={"location": "landmark", "file_ids": [blue]}, headers=sales.headers
    )
    last = await client.post(
        "/api/mockups", json={"location": "jawhara", "reuse_previous": True}, headers=sales.headers
    )
    assert last.json()["creative_file_ids"] == [blue]


async def test_memory_expiry_and_bad_entries(app: FastAPI, clock: Clock) -> None:
    import uuid

    memory: CreativeMemory = app.state.mockup_memory
    user, mockup = uuid.uuid4(), uuid.uuid4()
    files = (uuid.uuid4(), uuid.uuid4())
    await memory.remember(user, mockup, files, "a red car")
    item = await memory.recall(user)
    assert item is not None
    assert item.mockup_id == mockup and item.file_ids == files and item.prompt == "a red car"
    clock.now += timedelta(minutes=29, seconds=59)
    assert await memory.recall(user) is not None
    clock.now += timedelta(seconds=1)
    assert await memory.recall(user) is None
    await memory.remember(user, mockup)
    await memory.forget(user)
    assert await memory.recall(user) is None
