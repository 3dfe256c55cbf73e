"""Assistant tools for inventory: "is the landmark free in March?".

Argument shapes are the offline grammar's (`salesbot.inventory.offline`): dates ISO.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from salesbot.auth.service import Principal
from salesbot.inventory import service
from salesbot.kit.tools import Tool, ToolContext, ToolResult
from salesbot.locations import service as locations


class AvailabilityArgs(BaseModel):
    location: str = Field(min_length=1, max_length=200, description="Key, name or alias")
    from_date: date | None = Field(default=None, description="First day; default today")
    to_date: date | None = Field(default=None, description="Last day; default 30 days on")


async def check_availability(ctx: ToolContext[Principal], args: AvailabilityArgs) -> ToolResult:
    settings = ctx.app.settings
    loc = await locations.resolve(ctx.session, args.location)
    start = args.from_date or ctx.today or service.today(settings)
    found = await service.availability(ctx.session, settings, loc.key, start, args.to_date)
    end = found.to_date
    return ToolResult(
        summary=found.answer,
        data={
            "location": found.key,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "status": found.status,
            "free_units": found.free_units,
            "capacity": found.capacity,
            "unit": found.unit,
            "link": f"/locations/{found.key}/availability?from={start.isoformat()}",
            "commitment_ids": [str(c.id) for c in found.commitments],
        },
    )


TOOLS: list[Tool[Any]] = [
    Tool(
        name="check_availability",
        description="Whether a location is free on some dates: booked (approved booking "
        "orders), held (proposal holds) and free faces (static) or spots (digital) per day. "
        "Dates ISO; without dates, the next 30 days.",
        permission="locations:read",
        args=AvailabilityArgs,
        handler=check_availability,
    ),
]
