"""Two processes read the same uploaded booking order at once (a double submit reaching two
instances): one reads it into a draft, the other waits on the file's deployment-wide lock and
returns that draft instead of reading the document again. The overlap is certain
(tests/support/render_race.py); readings are counted by the drafts recorded from the file.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from salesbot.auth.service import principal_for
from salesbot.booking_orders import service
from salesbot.booking_orders.models import BookingOrderRow
from salesbot.files.service import storage_from_settings
from salesbot.kit.db import Database, make_engine
from salesbot.settings import Settings
from salesbot.users import service as users
from tests.api.booking_orders.conftest import World, upload, worked_csv
from tests.conftest import Stack
from tests.support.render_race import race, worker_env


async def intake_as(user_id: str, file_id: str) -> None:
    """What an instance does for `POST /api/booking-orders`, configured from the environment."""
    settings = Settings()
    database = Database(make_engine(settings.effective_database_url))
    try:
        async with database.sessions() as session:
            user = await users.get_user(session, uuid.UUID(user_id))
            env = service.Env(settings=settings, storage=storage_from_settings(settings))
            await service.intake(
                session,
                env,
                principal_for(user, "job"),
                file_id=uuid.UUID(file_id),
                company="viola",
                notes="",
            )
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    ("stack", "with_redis"),
    [("postgres", True), ("postgres", False)],
    indirect=["stack"],
    ids=["redis-lock", "advisory-lock"],
)
async def test_two_intakes_of_one_file_read_it_once(
    client: httpx.AsyncClient, app: FastAPI, world: World, stack: Stack, with_redis: bool
) -> None:
    file_id = await upload(client, world.sales, "booking-order.csv", worked_csv(), "text/csv")
    exits = await race(
        "tests.api.booking_orders.test_intake_race:intake_as",
        (str(world.sales.id), str(file_id)),
        "salesbot.booking_orders.service:_extract",
        worker_env(app, stack, with_redis),
    )
    assert exits == [0, 0]
    async with app.state.db.sessions() as session:
        drafts = await session.scalar(
            select(func.count())
            .select_from(BookingOrderRow)
            .where(BookingOrderRow.source_file_id == file_id)
        )
    assert drafts == 1
    # Asked again later, deliberately: a separate draft, as the intake rules say.
    again = await client.post(
        "/api/booking-orders",
        json={"file_id": str(file_id), "notes": "", "company": "viola"},
        headers=world.sales.headers,
    )
    assert again.status_code == 201, again.text
