"""Resource limits: at most N compositions at once per process; the rest queue as jobs."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from salesbot.mockups import compositor, service
from tests.api.locations.support import seed_catalogue
from tests.api.mockups.conftest import AppFactory
from tests.api.mockups.support import (
    LANDSCAPE,
    centre,
    creative,
    make_crew,
    output_image,
    photo_with_frames,
    wait_done,
)

pytestmark = [pytest.mark.services, pytest.mark.jobs]


class Gate:
    """Wraps the compositor: counts compositions running at once and holds them until opened."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.calls = 0
        self.entered = threading.Event()
        self.open = threading.Event()

    def wrap(self, real: Any) -> Any:
        def gated(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                self.active += 1
                self.calls += 1
                self.peak = max(self.peak, self.active)
            self.entered.set()
            try:
                assert self.open.wait(60), "the test never opened the gate"
                return real(*args, **kwargs)
            finally:
                with self.lock:
                    self.active -= 1

        return gated


async def test_requests_beyond_the_limit_queue_as_jobs(
    app_with: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate()
    monkeypatch.setattr(compositor, "composite", gate.wrap(compositor.composite))
    async with app_with(mockup_concurrency=1) as (app, client):
        crew = await make_crew(app)
        await seed_catalogue(client, crew.admin)
        await photo_with_frames(client, crew.coordinator, "landmark", [LANDSCAPE])
        sales = crew.sales
        red = await creative(client, sales, (255, 0, 0))
        body = {"location": "landmark", "file_ids": [red]}

        first = asyncio.create_task(client.post("/api/mockups", json=body, headers=sales.headers))
        assert await asyncio.to_thread(gate.entered.wait, 30), "the first mockup never started"
        # The only slot is busy: the next two answer at once, queued, with a status URL.
        queued = [
            await client.post("/api/mockups", json=body, headers=sales.headers) for _ in range(2)
        ]
        for response in queued:
            assert response.status_code == 202, response.text
            assert response.json()["status"] == "queued"
            assert response.json()["file"] is None
            assert response.headers["Location"] == response.json()["status_url"]
        status = await client.get(queued[0].json()["status_url"], headers=sales.headers)
        assert status.json()["status"] == "queued" and status.json()["progress"] == 0

        gate.open.set()
        done = await first
        assert done.status_code == 201, done.text
        for response in queued:
            finished = await wait_done(client, sales, response.json())
            assert finished["status"] == "done", finished
            assert finished["progress"] == 100 and finished["message"] == "Done"
            image = await output_image(client, sales, finished)
            b, g, r = (int(v) for v in image[centre(LANDSCAPE)[1], centre(LANDSCAPE)[0]])
            assert r > 200 and g < 60 and b < 60

        assert gate.calls == 3
        assert gate.peak == 1  # never two compositions at once in this process
        slots = service.slots_of(app.state)
        assert slots.limit == 1 and slots.in_use == 0
