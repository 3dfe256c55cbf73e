"""A made mockup is counted once."""

from __future__ import annotations

import httpx

from tests.api.mockups.support import LANDSCAPE, Crew, creative, photo_with_frames
from tests.support.metrics import sample


async def test_each_made_mockup_is_counted(client: httpx.AsyncClient, catalogue: Crew) -> None:
    await photo_with_frames(client, catalogue.coordinator, "landmark", [LANDSCAPE])
    red = await creative(client, catalogue.sales, (255, 0, 0))
    before = sample("salesbot_mockups_produced_total")
    response = await client.post(
        "/api/mockups",
        json={"location": "landmark", "file_ids": [red]},
        headers=catalogue.sales.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "done"
    assert sample("salesbot_mockups_produced_total") == before + 1
