"""Two worker processes make the same queued mockup at once (a redelivered `mockups.generate`
message): one composes it, the other waits on the deployment-wide lock and returns the first's
image. The overlap is certain (tests/support/render_race.py); compositions are counted by the
generated file rows they store.
"""

from __future__ import annotations

import pytest

from salesbot.mockups import service
from tests.api.locations.support import seed_catalogue
from tests.api.mockups.conftest import AppFactory
from tests.api.mockups.support import LANDSCAPE, creative, make_crew, photo_with_frames, wait_done
from tests.conftest import Stack
from tests.support.render_race import generated_files, race, worker_env

pytestmark = pytest.mark.jobs


@pytest.mark.parametrize(
    ("stack", "with_redis"),
    [("postgres", True), ("postgres", False)],
    indirect=["stack"],
    ids=["redis-lock", "advisory-lock"],
)
async def test_two_processes_make_a_queued_mockup_once(
    app_with: AppFactory, stack: Stack, with_redis: bool
) -> None:
    async with app_with(mockup_concurrency=1) as (app, client):
        crew = await make_crew(app)
        await seed_catalogue(client, crew.admin)
        await photo_with_frames(client, crew.coordinator, "landmark", [LANDSCAPE])
        red = await creative(client, crew.sales, (255, 0, 0))
        slots = service.slots_of(app.state)
        # The app's own worker waits for the slot the test holds: only the two racers run.
        assert slots.try_acquire()
        try:
            asked = await client.post(
                "/api/mockups",
                json={"location": "landmark", "file_ids": [red]},
                headers=crew.sales.headers,
            )
            assert asked.status_code == 202, asked.text
            made = asked.json()
            before = await generated_files(app)
            exits = await race(
                "salesbot.mockups.tasks:generate_mockup",
                (made["id"],),
                "salesbot.mockups.generation:_make",
                worker_env(app, stack, with_redis),
            )
            assert exits == [0, 0]
            assert await generated_files(app) - before == 1  # one image, not two
        finally:
            slots.release()
        ended = await wait_done(client, crew.sales, made)
        assert ended["status"] == "done"
        assert await generated_files(app) - before == 1  # the app's own job found it made
