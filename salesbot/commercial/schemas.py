"""Request and response models for the currency-rate settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class CurrencyRates(BaseModel):
    """AED per one unit of each currency; AED itself is always 1."""

    base: Literal["AED"] = "AED"
    rates: dict[str, str] = Field(examples=[{"USD": "3.6725", "EUR": "3.97", "GBP": "4.62"}])


class CurrencyRatesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rates: dict[
        Annotated[str, Field(min_length=3, max_length=3)],
        Annotated[Decimal, Field(max_digits=18, decimal_places=8)],
    ] = Field(min_length=1, max_length=40, description="Replaces the table (AED is implied)")
