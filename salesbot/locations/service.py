"""Location catalogue rules."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.locations.models import Location


async def upsert_location(
    session: AsyncSession, *, company_id: uuid.UUID, **fields: Any
) -> Location:
    """Create or update a location by key (used by demo data and imports)."""
    key = str(fields["key"]).strip().lower()
    location = (
        await session.execute(select(Location).where(Location.key == key))
    ).scalar_one_or_none()
    if location is None:
        location = Location(key=key, company_id=company_id, aliases=[])
        session.add(location)
    location.company_id = company_id
    for name, value in fields.items():
        if name == "key":
            continue
        setattr(
            location,
            name,
            Decimal(value)
            if isinstance(value, str) and name.endswith(("_m", "_fee", "_pct"))
            else value,
        )
    await session.flush()
    return location
