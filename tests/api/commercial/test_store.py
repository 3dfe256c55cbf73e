"""Admin-editable settings round-trip exactly on both databases."""

from __future__ import annotations

from decimal import Decimal

from fastapi import FastAPI

from salesbot.commercial import service as app_settings


async def test_currency_rates_default_then_stored_exactly(app: FastAPI) -> None:
    async with app.state.db.sessions() as session:
        assert await app_settings.get_currency_rates(session) == app_settings.DEFAULT_CURRENCY_RATES
        await app_settings.set_currency_rates(
            session, {"usd": Decimal("3.6730"), "EUR": Decimal("4.0012345")}
        )
        await session.commit()
    async with app.state.db.sessions() as session:
        rates = await app_settings.get_currency_rates(session)
    assert rates == {"AED": Decimal(1), "USD": Decimal("3.6730"), "EUR": Decimal("4.0012345")}
    assert all(isinstance(rate, Decimal) for rate in rates.values())
