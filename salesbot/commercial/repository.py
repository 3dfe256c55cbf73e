"""The admin-editable settings store (`app_settings`): one JSON value per key."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.commercial.models import AppSetting
from salesbot.kit.db import utcnow


async def get_value(session: AsyncSession, key: str) -> Any | None:
    row = await session.get(AppSetting, key)
    return None if row is None else row.value


async def set_value(session: AsyncSession, key: str, value: Any) -> None:
    """Insert or replace a setting (the caller commits)."""
    row = await session.get(AppSetting, key)
    if row is None:
        session.add(AppSetting(key=key, value=value, updated_at=utcnow()))
    else:
        row.value = value
        row.updated_at = utcnow()
    await session.flush()
