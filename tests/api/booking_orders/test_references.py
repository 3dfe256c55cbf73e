"""BO references: sequential per year and unique under concurrent approvals."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy import select

from salesbot.auth.service import principal_for
from salesbot.booking_orders import references, service, stored
from salesbot.booking_orders.calculations import BookingOrder, Location
from salesbot.booking_orders.models import BookingOrderRow, ReferenceCounter
from salesbot.kit.db import Database, make_engine, utcnow
from salesbot.users.models import User
from tests.api.booking_orders.conftest import World
from tests.conftest import Stack

COUNT = 50


def test_reference_format_and_parsing() -> None:
    assert references.format_reference(2025, 7) == "BO-2025-0007"
    assert references.format_reference(2025, 12345) == "BO-2025-12345"
    assert references.normalise_reference("see bo-2025-0042 please") == "BO-2025-0042"
    assert references.normalise_reference("DPD-112652") is None


async def _hos_review_orders(app: FastAPI, world: World, count: int) -> list[uuid.UUID]:
    bo = BookingOrder(
        company="Viola",
        client="Nike",
        locations=(Location("UAE21", "UAE21", None, None, None),),
    )
    async with app.state.db.sessions() as session:
        rows = [
            BookingOrderRow(
                company_id=world.viola_id,
                owner_id=world.sales.id,
                state="hos_review",
                revision=1,
                data=stored.encode(bo),
                intake_warnings=[],
                updated_at=utcnow(),
            )
            for _ in range(count)
        ]
        session.add_all(rows)
        await session.commit()
        return [row.id for row in rows]


async def test_fifty_concurrent_approvals_get_fifty_consecutive_references(
    app: FastAPI, world: World, stack: Stack
) -> None:
    ids = await _hos_review_orders(app, world, COUNT)
    # Fifty sessions on fifty connections, as if fifty app instances approved at once.
    database = Database(make_engine(stack.database_url, pool_size=COUNT, max_overflow=5))
    env = service.Env(settings=app.state.settings, storage=app.state.storage)
    try:
        async with database.sessions() as session:
            hos = principal_for(await session.get_one(User, world.hos.id), "bearer")

        async def approve(bo_id: uuid.UUID) -> str | None:
            async with database.sessions() as session:
                view = await service.act(
                    session, env, hos, bo_id, "approve", render_documents=False
                )
                return view.row.reference

        got = await asyncio.gather(*(approve(bo_id) for bo_id in ids))
    finally:
        await database.dispose()

    year = datetime.now(ZoneInfo(app.state.settings.timezone)).year
    assert sorted(r for r in got if r) == [f"BO-{year}-{n:04d}" for n in range(1, COUNT + 1)]
    async with app.state.db.sessions() as session:
        stored = (await session.execute(select(BookingOrderRow.reference))).scalars().all()
        counter = await session.get_one(ReferenceCounter, year)
    assert len(set(stored)) == COUNT
    assert counter.last_number == COUNT


async def test_a_failed_approval_gives_its_number_back(app: FastAPI, world: World) -> None:
    """The counter moves in the approving transaction, so a rollback leaves no gap."""
    year = 2031
    async with app.state.db.sessions() as session:
        assert await references.allocate(session, year) == "BO-2031-0001"
        await session.rollback()
    async with app.state.db.sessions() as session:
        assert await references.allocate(session, year) == "BO-2031-0001"
        assert await references.allocate(session, year) == "BO-2031-0002"
        await session.commit()
    async with app.state.db.sessions() as session:
        assert await references.allocate(session, year + 1) == "BO-2032-0001"
