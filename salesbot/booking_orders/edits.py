"""Changing a booking order the way a salesperson asks: a field, a location, the locations list
(pure: stdlib and kit.money only; every change is validated, recalculate afterwards)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from salesbot.booking_orders.calculations import (
    BASE_CURRENCY,
    FIELD_LABELS,
    LOCATION_LABELS,
    PERCENT_FIELDS,
    BookingOrder,
    BookingOrderError,
    Location,
    convert_currency,
    parse_date,
    parse_money,
    parse_percent,
    quoted,
    validate,
)
from salesbot.kit import currencies

_T = TypeVar("_T", BookingOrder, Location)

_TEXT_FIELDS = frozenset(
    {
        "company",
        "bo_number",
        "client",
        "agency",
        "brand_campaign",
        "category",
        "payment_terms",
        "sales_person",
        "notes",
    }
)
_FEE_FIELDS = frozenset({"municipality_fee", "production_upload_fee"})
# Plain-language names a salesperson uses for the fields.
_FIELD_ALIASES: dict[str, str] = {
    "dm_fee": "municipality_fee",
    "dm": "municipality_fee",
    "municipality": "municipality_fee",
    "upload_fee": "production_upload_fee",
    "production_fee": "production_upload_fee",
    "production": "production_upload_fee",
    "prod_upload_fee": "production_upload_fee",
    "production/upload_fee": "production_upload_fee",
    "net": "net_pre_vat",
    "net_amount": "net_pre_vat",
    "net_total": "net_pre_vat",
    "sla": "sla_pct",
    "sla_percentage": "sla_pct",
    "commission": "commission_pct",
    "bo_no": "bo_number",
    "booking_order_number": "bo_number",
    "brand": "brand_campaign",
    "campaign": "brand_campaign",
    "brand/campaign": "brand_campaign",
    "salesperson": "sales_person",
    "terms": "payment_terms",
    "start": "start_date",
    "end": "end_date",
    "duration": "campaign_duration",
    "location": "name",
    "location_name": "name",
    "amount": "net_amount",
}


def _normalise_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _normalise_name(text: str) -> str:
    text = " ".join(text.lower().split())
    return text[4:] if text.startswith("the ") else text


def find_location(bo: BookingOrder, location: str | int) -> int:
    """Index of a location given by name, asset or 0-based index."""
    if isinstance(location, int):
        if 0 <= location < len(bo.locations):
            return location
        raise BookingOrderError(f"This booking order has {len(bo.locations)} location(s)")
    wanted = _normalise_name(location)
    for index, loc in enumerate(bo.locations):
        if wanted and wanted in (_normalise_name(loc.name), _normalise_name(loc.asset)):
            return index
    names = ", ".join(loc.name for loc in bo.locations if loc.name) or "none"
    raise BookingOrderError(
        f"No location named '{quoted(location)}' on this booking order. Locations: {names}"
    )


@dataclass
class TypedAmounts:
    """Amounts as a salesperson typed them for one booking order, by the proposals' rule
    (`kit.currencies`): unmarked ones are in the booking order's currency (AED unless the
    document says otherwise); "$1,000", "USD 1000", "1000 dollars", "€100k" are converted to it
    at the stored `rates` (to cents, half up). `read` keeps each, for the line saying how."""

    rates: Mapping[str, Decimal] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)

    def amount(self, value: object, currency: str) -> Decimal:
        number = _amount_value(value)
        code = currencies.marked_currency(value) if isinstance(value, str) else None
        if code is None:
            if currency != BASE_CURRENCY:
                text = currencies.amount_text(currency, number)
                self.read.append(f"{text} (the booking order's currency)")
            return number
        if code == currency:
            return number
        try:
            converted = currencies.convert(number, code, currency, self.rates, BASE_CURRENCY)
            self.read.append(
                currencies.conversion_text(
                    code, number, currency, converted, self.rates, BASE_CURRENCY
                )
            )
        except currencies.UnsupportedCurrency as exc:
            raise BookingOrderError(str(exc)) from None
        return converted

    def note(self) -> str | None:
        """ "Amounts read as USD 1,000 (AED 3,672.50 at 3.6725 AED per USD)." or None."""
        if not self.read:
            return None
        parts = self.read[:4] + ([f"{len(self.read) - 4} more"] if len(self.read) > 4 else [])
        listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        return f"Amounts read as {listed}."


def _location_value(name: str, value: object, typed: TypedAmounts, currency: str) -> object:
    if name in ("start_date", "end_date"):
        if value is None or value == "":
            return None
        if not isinstance(value, date | str):
            raise BookingOrderError("A date must look like 1st March 2025 or 01/03/2025")
        return parse_date(value)
    if name == "net_amount":
        if value is None or value == "":
            return None
        return typed.amount(value, currency)
    return _text_value(value)


def _amount_value(value: object) -> Decimal:
    if not isinstance(value, Decimal | int | str) or isinstance(value, bool):
        raise BookingOrderError("An amount must be a number such as 160,000.00")
    return parse_money(value)


def _text_value(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | Decimal) or isinstance(value, bool):
        raise BookingOrderError("Please give this value as text")
    return " ".join(str(value).split())


def _with(item: _T, name: str, value: Any) -> _T:
    """`dataclasses.replace` for a field chosen at run time (values are checked by the caller)."""
    changes: dict[str, Any] = {name: value}
    return replace(item, **changes)


def _edit_location(
    bo: BookingOrder, name: str, value: object, location: str | int, typed: TypedAmounts
) -> BookingOrder:
    index = find_location(bo, location)
    old = bo.locations[index]
    new = _with(old, name, _location_value(name, value, typed, bo.currency))
    if name in ("start_date", "end_date"):
        # The stored text described the old dates.
        new = replace(new, campaign_duration="")
    locations = (*bo.locations[:index], new, *bo.locations[index + 1 :])
    updated = replace(bo, locations=locations)
    if name == "net_amount":
        updated = _drop_document_totals(updated)
    return updated


def _drop_document_totals(bo: BookingOrder) -> BookingOrder:
    """An edited input makes the document's net, VAT and gross stale: recalculate them."""
    return replace(bo, net_pre_vat=None, vat=None, gross=None)


def resolve_field(name: str, location: str | int | None = None) -> str:
    """Canonical field name for a salesperson's wording ('DM fee' → 'municipality_fee')."""
    key = _normalise_key(name)
    if location is not None and key in ("net", "net_amount", "amount", "rate"):
        return "net_amount"
    key = _FIELD_ALIASES.get(key, key)
    if location is not None and key in ("net_pre_vat",):
        return "net_amount"
    return key


def apply_edit(
    bo: BookingOrder,
    field: str,
    value: object,
    location: str | int | None = None,
    typed: TypedAmounts | None = None,
) -> BookingOrder:
    """A new booking order with one field changed (validated); recalculate afterwards.

    Amounts are read by `typed` (its rates convert a marked currency; it notes each)."""
    typed = typed if typed is not None else TypedAmounts()
    name = resolve_field(field, location)
    location_only = {"start_date", "end_date", "campaign_duration", "name"}
    if name in LOCATION_LABELS and (location is not None or name in location_only):
        if location is None:
            if len(bo.locations) != 1:
                names = ", ".join(loc.name for loc in bo.locations if loc.name) or "none"
                raise BookingOrderError(f"Which location? Locations: {names}")
            location = 0
        updated = _edit_location(bo, name, value, location, typed)
    elif name in _TEXT_FIELDS:
        text = _text_value(value)
        own = bo.company if name == "client" else ""
        if own and _normalise_name(text) == _normalise_name(own):
            raise BookingOrderError(f"The client is the buyer, not {own}")
        updated = _with(bo, name, text)
    elif name in _FEE_FIELDS:
        updated = _drop_document_totals(_with(bo, name, typed.amount(value, bo.currency)))
    elif name in PERCENT_FIELDS:
        pct = None if value is None or value == "" else _pct_value(value)
        updated = _with(bo, name, pct)
    elif name == "net_pre_vat":
        net = None if value is None or value == "" else typed.amount(value, bo.currency)
        updated = replace(bo, net_pre_vat=net, vat=None, gross=None)
    elif name == "vat":
        vat = None if value is None or value == "" else typed.amount(value, bo.currency)
        updated = replace(bo, vat=vat, gross=None)
    elif name == "bo_date":
        if value is None or value == "":
            updated = replace(bo, bo_date=None)
        elif isinstance(value, date | str):
            updated = replace(bo, bo_date=parse_date(value))
        else:
            raise BookingOrderError("A date must look like 1st March 2025 or 01/03/2025")
    elif name == "asset":
        updated = replace(bo, asset=_assets_value(value))
    elif name == "gross":
        raise BookingOrderError("Gross is calculated from net and VAT; edit those instead")
    elif name == "currency":
        raise BookingOrderError(
            "Changing the currency converts every amount; ask for a currency conversion instead"
        )
    else:
        editable = ", ".join(sorted(FIELD_LABELS.values()))
        raise BookingOrderError(f"'{quoted(field)}' is not a field you can edit ({editable})")
    validate(updated)
    return updated


def _pct_value(value: object) -> Decimal:
    if not isinstance(value, Decimal | int | str) or isinstance(value, bool):
        raise BookingOrderError("A percentage must be a number such as 10 or 10%")
    return parse_percent(value)


def _assets_value(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = re.split(r"\s*(?:,|;|&|\band\b)\s*", value)
    elif isinstance(value, list | tuple):
        parts = [_text_value(item) for item in value]
    else:
        raise BookingOrderError("Please give the assets as text, separated by commas")
    return tuple(part.strip() for part in parts if part.strip())


def add_location(bo: BookingOrder, location: Location) -> BookingOrder:
    """A new booking order with one more location (document totals recalculated)."""
    updated = _drop_document_totals(replace(bo, locations=(*bo.locations, location)))
    validate(updated)
    return updated


def remove_location(bo: BookingOrder, location: str | int) -> BookingOrder:
    """A new booking order without the given location (document totals recalculated)."""
    index = find_location(bo, location)
    locations = bo.locations[:index] + bo.locations[index + 1 :]
    return _drop_document_totals(replace(bo, locations=locations))


# ---------------------------------------------------------------- several changes at once


@dataclass(frozen=True)
class LocationChange:
    location: str | int
    changes: dict[str, object]


@dataclass(frozen=True)
class Edits:
    fields: dict[str, object] = field(default_factory=dict)
    locations: list[LocationChange] = field(default_factory=list)
    add_locations: list[Location] = field(default_factory=list)
    remove_locations: list[str | int] = field(default_factory=list)
    currency: str | None = None


def apply_edits(
    bo: BookingOrder, edits: Edits, rates: Mapping[str, Decimal], typed: TypedAmounts | None = None
) -> BookingOrder:
    """Every requested change in order; raises BookingOrderError with a message to show.

    Typed amounts are read by `typed` (else by one with `rates`), which notes the conversions."""
    typed = typed if typed is not None else TypedAmounts(rates)
    for name, value in edits.fields.items():
        if name.strip().lower() == "company":
            raise BookingOrderError(
                "The company of a booking order can't be changed; cancel it and upload it again "
                "for the other company"
            )
        bo = apply_edit(bo, name, value, typed=typed)
    for change in edits.locations:
        for name, value in change.changes.items():
            bo = apply_edit(bo, name, value, location=change.location, typed=typed)
    for new in edits.add_locations:
        bo = add_location(bo, new)
    for gone in edits.remove_locations:
        bo = remove_location(bo, gone)
    if edits.currency:
        bo = convert_currency(bo, edits.currency.upper(), rates)
    return bo
