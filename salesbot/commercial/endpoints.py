"""Currency-rate settings: everyone who reads proposals sees them, admins replace them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.commercial import service
from salesbot.commercial.schemas import CurrencyRates, CurrencyRatesIn
from salesbot.kit.db import DbSession
from salesbot.kit.errors import ErrorBody

router = APIRouter(prefix="/api/settings", tags=["settings"], responses=AUTH_RESPONSES)
# Rates are read by whoever prices proposals; the permission stays the proposals one.
Reader = Annotated[Principal, Depends(require("proposals:read"))]
SettingsAdmin = Annotated[Principal, Depends(require("settings:manage"))]


@router.get("/currency-rates", response_model=CurrencyRates)
async def get_currency_rates(session: DbSession, principal: Reader) -> CurrencyRates:
    """AED per one unit of each supported display currency."""
    return await service.currency_rates(session)


@router.put(
    "/currency-rates",
    response_model=CurrencyRates,
    responses={
        422: {"model": ErrorBody, "description": "Unknown currency or a rate not above zero"}
    },
)
async def put_currency_rates(
    body: CurrencyRatesIn, session: DbSession, principal: SettingsAdmin
) -> CurrencyRates:
    """Replace the rate table (admins); currencies left out are no longer offered."""
    return await service.replace_currency_rates(session, body.rates, actor=principal)
