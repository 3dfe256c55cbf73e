"""The raw values a reader found in a document, and the booking order built from them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from salesbot.booking_orders.calculations import (
    BASE_CURRENCY,
    BookingOrder,
    BookingOrderError,
    Location,
    parse_percent,
)
from salesbot.booking_orders.reading.labels import (
    cell_text,
    currency_in,
    parse_amount,
    parse_any_date,
)


@dataclass
class Collected:
    """Raw values found in a document before conversion."""

    fields: dict[str, object] = field(default_factory=dict)
    locations: list[dict[str, object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def put(self, key: str, value: object) -> None:
        if key not in self.fields and cell_text(value):
            self.fields[key] = value


_AMOUNT_FIELDS = ("municipality_fee", "production_upload_fee", "net_pre_vat", "vat", "gross")
_LABEL_WORDS = {
    "municipality_fee": "municipality fee",
    "production_upload_fee": "production/upload fee",
    "net_pre_vat": "net amount",
    "vat": "VAT",
    "gross": "gross amount",
    "commission_pct": "commission",
    "sla_pct": "SLA",
    "bo_date": "BO date",
}


def _text_of(raw: object) -> str:
    return cell_text(raw)[:500]


def _client(
    values: dict[str, object], company: str, own_companies: Sequence[str], warnings: list[str]
) -> str:
    """The buyer; never one of our own companies."""
    client = _text_of(values.get("client"))
    own = [name for name in (company, *own_companies) if name.strip()]
    if client and any(client.casefold() == name.strip().casefold() for name in own):
        warnings.append(f"The client can't be our own company ({client}); please give the buyer")
        return ""
    return client


def _currency(collected: Collected) -> str:
    """The stated currency, else one written next to an amount, else AED."""
    values = collected.fields
    currency = currency_in(_text_of(values.get("currency")))
    if currency is None:
        scanned = " ".join(_text_of(values.get(key)) for key in _AMOUNT_FIELDS)
        scanned += " ".join(_text_of(loc.get("net_amount")) for loc in collected.locations)
        currency = currency_in(scanned) or BASE_CURRENCY
    return currency


def _figures(values: dict[str, object], found: dict[str, Any], warnings: list[str]) -> None:
    """The BO date, amounts and percentages that could be read (a warning for each that not)."""
    if "bo_date" in values:
        found["bo_date"] = parse_any_date(values["bo_date"])
        if found["bo_date"] is None:
            warnings.append("Couldn't read the BO date")
    for key in _AMOUNT_FIELDS:
        if key in values:
            amount = parse_amount(values[key])
            if amount is None:
                warnings.append(f"Couldn't read the {_LABEL_WORDS[key]}")
            else:
                found[key] = amount
    for key in ("commission_pct", "sla_pct"):
        if key in values:
            raw = values[key]
            try:
                found[key] = parse_percent(
                    raw if isinstance(raw, str | int | Decimal) else cell_text(raw)
                )
            except BookingOrderError:
                warnings.append(f"Couldn't read the {_LABEL_WORDS[key]}")


def _locations(collected: Collected, warnings: list[str]) -> tuple[Location, ...]:
    locations: list[Location] = []
    for index, raw_loc in enumerate(collected.locations):
        name = _text_of(raw_loc.get("name"))
        label = name or f"Location {index + 1}"
        start = parse_any_date(raw_loc.get("start_date"))
        end = parse_any_date(raw_loc.get("end_date"))
        net = parse_amount(raw_loc.get("net_amount"))
        for key, parsed in (("start_date", start), ("end_date", end), ("net_amount", net)):
            if cell_text(raw_loc.get(key)) and parsed is None:
                warnings.append(f"Couldn't read the {key.replace('_', ' ')} of {label}")
        locations.append(
            Location(
                name=name,
                asset=_text_of(raw_loc.get("asset")),
                start_date=start,
                end_date=end,
                net_amount=net,
                campaign_duration=_text_of(raw_loc.get("campaign_duration")),
            )
        )
    return tuple(locations)


def build(
    collected: Collected, company: str, own_companies: Sequence[str]
) -> tuple[BookingOrder, list[str]]:
    """The booking order from what was found, with a warning for each value that was not read."""
    warnings = list(collected.warnings)
    values = collected.fields
    found: dict[str, Any] = {"company": company}
    texts = ("bo_number", "agency", "brand_campaign", "category", "payment_terms")
    for key in (*texts, "sales_person", "notes"):
        if key in values:
            found[key] = _text_of(values[key])
    found["client"] = _client(values, company, own_companies, warnings)
    if "asset" in values:
        parts = re.split(r"\s*(?:,|;|/|&|\band\b)\s*", _text_of(values["asset"]))
        found["asset"] = tuple(part for part in parts if part)
    found["currency"] = _currency(collected)
    _figures(values, found, warnings)
    found["locations"] = _locations(collected, warnings)
    return BookingOrder(**found), warnings
