"""Admin-editable settings kept in the database (`app_settings`), with product defaults."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.db import utcnow
from salesbot.ops.models import AppSetting

CURRENCY_RATES_KEY = "currency_rates"
# AED per one unit of each currency (domain.md §2); admins can change them.
DEFAULT_CURRENCY_RATES: dict[str, Decimal] = {
    "AED": Decimal("1"),
    "USD": Decimal("3.6725"),
    "EUR": Decimal("3.97"),
    "GBP": Decimal("4.62"),
}


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


async def get_currency_rates(session: AsyncSession) -> dict[str, Decimal]:
    """AED per unit for every supported currency (stored as strings to stay exact)."""
    stored = await get_value(session, CURRENCY_RATES_KEY)
    if not stored:
        return dict(DEFAULT_CURRENCY_RATES)
    rates = {code: Decimal(str(rate)) for code, rate in stored.items()}
    rates["AED"] = Decimal("1")
    return rates


async def set_currency_rates(
    session: AsyncSession, rates: dict[str, Decimal]
) -> dict[str, Decimal]:
    clean = {code.upper(): rate for code, rate in rates.items() if code.upper() != "AED"}
    await set_value(session, CURRENCY_RATES_KEY, {code: str(rate) for code, rate in clean.items()})
    return await get_currency_rates(session)
