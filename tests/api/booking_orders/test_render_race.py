"""Two worker processes render the same booking order's documents at once: one renders, the
other waits on the deployment-wide lock and takes the first's documents (Redis lock, and the
PostgreSQL advisory lock without Redis). The overlap is certain (tests/support/render_race.py);
the renders are counted by the generated file rows they store.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.api.booking_orders.conftest import World, act, to_hos_review
from tests.conftest import Stack
from tests.support.render_race import generated_files, race, worker_env


@pytest.mark.parametrize(
    ("stack", "with_redis"),
    [("postgres", True), ("postgres", False)],
    indirect=["stack"],
    ids=["redis-lock", "advisory-lock"],
)
async def test_two_processes_render_a_booking_order_once(
    client: httpx.AsyncClient, app: FastAPI, world: World, stack: Stack, with_redis: bool
) -> None:
    bo = await to_hos_review(client, world)
    approved = await act(client, world.hos, bo["id"], "approve")
    assert approved.status_code == 200, approved.text
    first_pdf = approved.json()["final_pdf_file"]["file_id"]
    before = await generated_files(app)
    exits = await race(
        "salesbot.booking_orders.tasks:render_documents",
        (bo["id"],),
        "salesbot.booking_orders.rendering:_produce",
        worker_env(app, stack, with_redis),
    )
    assert exits == [0, 0]
    # One render's three documents (signed Excel, stamped original, final PDF), not two.
    assert await generated_files(app) - before == 3
    after = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.hos.headers)
    assert after.json()["final_pdf_file"]["file_id"] != first_pdf  # rendered again, once
