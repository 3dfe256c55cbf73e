"""Reading a booking order with an LLM: the model from settings, the strict output schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from salesbot.booking_orders.calculations import BASE_CURRENCY, BookingOrder, Location
from salesbot.booking_orders.reading.results import (
    IMAGE_KINDS,
    Extracted,
    refuse_classification,
)

INSTRUCTIONS = """\
You read documents sent to an out-of-home advertising media owner. Decide whether the document is
a booking order (a client's signed order for advertising locations), artwork (a creative, design
or print file), or something else. For a booking order, copy the fields exactly as written:
amounts as plain numbers without currency symbols, percentages in percent (10 for 10 %), dates as
YYYY-MM-DD. The client is the buyer, never the media owner ({companies}). Leave a field empty or
null when the document does not state it; never guess or calculate values."""


# ---------------------------------------------------------------- the LLM's output schema


class LlmLocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Location name or code, e.g. UAE21")
    asset: str = ""
    start_date: date | None = None
    end_date: date | None = None
    campaign_duration: str = Field(default="", description="As written, e.g. '4 weeks'")
    net_amount: Decimal | None = Field(default=None, description="Net rental for this location")


class LlmBookingOrder(BaseModel):
    """What the model must return (validated; anything else is a failed extraction)."""

    model_config = ConfigDict(extra="forbid")

    classification: Literal["booking_order", "artwork", "other"]
    bo_number: str = Field(default="", description="The client's own booking order number")
    bo_date: date | None = None
    client: str = ""
    agency: str = ""
    brand_campaign: str = ""
    category: str = ""
    asset: list[str] = Field(default_factory=list)
    currency: str = Field(default=BASE_CURRENCY, description="Three-letter code")
    payment_terms: str = ""
    sales_person: str = ""
    commission_pct: Decimal | None = None
    sla_pct: Decimal | None = None
    municipality_fee: Decimal | None = None
    production_upload_fee: Decimal | None = None
    net_pre_vat: Decimal | None = None
    vat: Decimal | None = None
    gross: Decimal | None = None
    notes: str = ""
    locations: list[LlmLocation] = Field(default_factory=list)


def _clean(text: str, limit: int = 200) -> str:
    return " ".join(text.split())[:limit]


def from_llm(output: LlmBookingOrder, company: str) -> BookingOrder:
    """The model's answer as a booking order (validated later by the calculation rules)."""
    currency = output.currency.strip().upper()
    return BookingOrder(
        company=company,
        bo_number=_clean(output.bo_number, 100),
        bo_date=output.bo_date,
        client=_clean(output.client),
        agency=_clean(output.agency),
        brand_campaign=_clean(output.brand_campaign),
        category=_clean(output.category),
        asset=tuple(_clean(a, 100) for a in output.asset if a.strip())[:50],
        currency=currency if len(currency) == 3 and currency.isalpha() else BASE_CURRENCY,
        payment_terms=_clean(output.payment_terms),
        sales_person=_clean(output.sales_person),
        commission_pct=output.commission_pct,
        sla_pct=output.sla_pct,
        municipality_fee=output.municipality_fee or Decimal(0),
        production_upload_fee=output.production_upload_fee or Decimal(0),
        net_pre_vat=output.net_pre_vat,
        vat=output.vat,
        gross=output.gross,
        notes=_clean(output.notes, 2000),
        locations=tuple(
            Location(
                name=_clean(loc.name),
                asset=_clean(loc.asset, 100),
                start_date=loc.start_date,
                end_date=loc.end_date,
                net_amount=loc.net_amount,
                campaign_duration=_clean(loc.campaign_duration, 40),
            )
            for loc in output.locations[:100]
        ),
    )


async def extract_with_llm(
    model: Any,
    data: bytes,
    kind: str,
    content_type: str,
    *,
    company: str,
    own_companies: Sequence[str],
    text: str,
) -> Extracted:
    """Ask the model for the strict output schema; images go as images, documents as text."""
    from pydantic_ai import Agent, BinaryContent

    agent = Agent(
        model,
        output_type=LlmBookingOrder,
        instructions=INSTRUCTIONS.format(companies=", ".join(own_companies) or company),
        retries=1,
    )
    prompt: list[Any] = [f"The booking order is for {company}. Extract it."]
    if kind in IMAGE_KINDS or (kind == "pdf" and len(text.strip()) < 20):
        prompt.append(BinaryContent(data=data, media_type=content_type))
    else:
        prompt.append(f"Document text:\n{text}")
    result = await agent.run(prompt)
    output = result.output
    if output.classification != "booking_order":
        classification = "artwork" if output.classification == "artwork" else "unknown"
        raise refuse_classification(classification)
    bo = from_llm(output, company)
    own = {c.strip().casefold() for c in own_companies}
    warnings: list[str] = []
    if bo.client.strip().casefold() in own:
        warnings.append(f"The client can't be our own company ({bo.client}); please give the buyer")
        bo = replace(bo, client="")
    return Extracted(
        bo=bo, warnings=tuple(warnings), source="llm", classification="booking_order", text=text
    )
