"""FastAPI dependencies for the application's shared infrastructure (set on `app.state`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from salesbot.kit.db import Database, utcnow
from salesbot.kit.ratelimit import RateLimiter
from salesbot.kit.storage.base import Storage
from salesbot.settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


async def get_storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


async def get_ratelimiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.ratelimiter
    return limiter


AppSettings = Annotated[Settings, Depends(get_settings)]
# For work that outlives the request's session (e.g. a streamed export).
AppDatabase = Annotated[Database, Depends(get_database)]
AppStorage = Annotated[Storage, Depends(get_storage)]
AppRateLimiter = Annotated[RateLimiter, Depends(get_ratelimiter)]


Clock = Callable[[], datetime]


def get_clock(request: Request) -> Clock:
    """The app's clock: `app.state.clock` when set (tests move time), else the real UTC time."""
    clock: Clock = getattr(request.app.state, "clock", None) or utcnow
    return clock


AppClock = Annotated[Clock, Depends(get_clock)]
