"""Operational checks shared by the health endpoints and the CLI."""

from __future__ import annotations

from salesbot.kit.db import Database
from salesbot.kit.redis import RedisFacade


async def check_components(db: Database, redis: RedisFacade) -> dict[str, bool]:
    """Which components answer right now (Redis only when configured)."""
    report = {"database": await db.ping()}
    if redis.configured:
        report["redis"] = await redis.ping()
    return report
