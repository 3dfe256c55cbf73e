"""Booking-order data and its one calculation rule set (pure: stdlib, kit.money and kit.parse)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from salesbot.kit.money import ZERO, cents, group_thousands, percent_of, to_decimal
from salesbot.kit.parse import ParseError, add_months, find_amount
from salesbot.kit.parse import parse_date as kit_parse_date

BASE_CURRENCY = "AED"
# No OOH booking order comes near a billion; larger figures are extraction or typing mistakes.
MAX_AMOUNT = Decimal("1000000000")
# A campaign longer than ten years is a typo in a date, not a booking.
MAX_CAMPAIGN_DAYS = 3660
# A document VAT within one currency unit of ours is rounding on the client's side, not an error.
VAT_TOLERANCE = Decimal(1)
_HUNDRED = Decimal(100)
PERCENT_FIELDS = frozenset({"commission_pct", "sla_pct"})


class BookingOrderError(ValueError):
    """A booking order value a salesperson must correct (message is safe to show)."""


@dataclass(frozen=True)
class Location:
    """One booked location; `campaign_duration` is the document's text, used without dates."""

    name: str = ""
    asset: str = ""
    start_date: date | None = None
    end_date: date | None = None
    net_amount: Decimal | None = None
    campaign_duration: str = ""


@dataclass(frozen=True)
class BookingOrder:
    """A booking order as extracted or edited.

    Percentages are in percent (10 means 10 %). `net_pre_vat`, `vat` and `gross` hold the values
    printed on the document (None when absent); the calculated ones live in `Calculated`.
    """

    company: str = ""
    bo_number: str = ""
    bo_date: date | None = None
    client: str = ""
    agency: str = ""
    brand_campaign: str = ""
    category: str = ""
    asset: tuple[str, ...] = ()
    currency: str = BASE_CURRENCY
    payment_terms: str = ""
    sales_person: str = ""
    commission_pct: Decimal | None = None
    sla_pct: Decimal | None = None
    municipality_fee: Decimal = ZERO
    production_upload_fee: Decimal = ZERO
    net_pre_vat: Decimal | None = None
    vat: Decimal | None = None
    gross: Decimal | None = None
    notes: str = ""
    locations: tuple[Location, ...] = dataclasses.field(default_factory=tuple)


@dataclass(frozen=True)
class LocationTotals:
    name: str
    net_amount: Decimal
    post_sla: Decimal
    campaign_duration: str


@dataclass(frozen=True)
class Calculated:
    """Every figure of a booking order after applying the rule set."""

    currency: str
    rentals: Decimal
    municipality_fee: Decimal
    production_upload_fee: Decimal
    computed_net: Decimal
    net_pre_vat: Decimal
    computed_vat: Decimal
    vat: Decimal
    gross: Decimal
    sla_pct: Decimal
    sla_deduction: Decimal
    net_excl_sla: Decimal
    locations: tuple[LocationTotals, ...]
    net_mismatch: bool
    vat_flagged: bool
    warnings: tuple[str, ...]
    missing: tuple[str, ...]


FIELD_LABELS: dict[str, str] = {
    "company": "Company",
    "bo_number": "BO number",
    "bo_date": "BO date",
    "client": "Client",
    "agency": "Agency",
    "brand_campaign": "Brand/campaign",
    "category": "Category",
    "asset": "Asset",
    "currency": "Currency",
    "payment_terms": "Payment terms",
    "sales_person": "Sales person",
    "commission_pct": "Commission",
    "sla_pct": "SLA",
    "municipality_fee": "Municipality fee",
    "production_upload_fee": "Production/upload fee",
    "net_pre_vat": "Net amount",
    "vat": "VAT",
    "gross": "Gross amount",
    "notes": "Notes",
}
LOCATION_LABELS: dict[str, str] = {
    "name": "name",
    "asset": "asset",
    "start_date": "start date",
    "end_date": "end date",
    "net_amount": "net amount",
    "campaign_duration": "campaign duration",
}
# ---------------------------------------------------------------- value parsing (stdlib only)

# Thousands and millions; billions are not read (they never were): "B" in a document is as
# likely a block or a board as a billion.
AMOUNT_SCALES = ("k", "m")


def quoted(text: str, limit: int = 40) -> str:
    """User input quoted back in a message, cut so a pasted document is never echoed."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_money(value: Decimal | int | str) -> Decimal:
    """'AED 160,000.00', '1.5M', '(2,000)', 520 → Decimal; raises BookingOrderError otherwise.

    The first number in the text counts, whatever words surround it (documents add them).
    """
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return to_decimal(value)
    if not isinstance(value, str):
        raise BookingOrderError("An amount must be a number such as 160,000.00")
    found = find_amount(value, scales=AMOUNT_SCALES)
    if found is None:
        raise BookingOrderError(f"'{quoted(value.strip())}' is not an amount")
    return found.value


def parse_percent(value: Decimal | int | str) -> Decimal:
    """'10%', '10', 10 → Decimal('10'); a bare fraction such as '0.1' is read as 10 %."""
    if isinstance(value, str) and "%" in value:
        return parse_money(value.replace("%", ""))
    number = parse_money(value)
    # Spreadsheets store 10 % as 0.1; nobody books a 0.1 % SLA or commission.
    if ZERO < number < 1:
        number *= _HUNDRED
    return number.to_integral_value() if number == number.to_integral_value() else number


def parse_date(value: date | str) -> date:
    """Day-first dates: '1st March 2025', '01/03/2025', '2025-03-01', 'March 1, 2025'.

    Documents also write two-digit years ('1-Mar-25') and ISO timestamps; a year is required.
    """
    try:
        return kit_parse_date(value, short_years=True, with_time=True)
    except ParseError:
        raise BookingOrderError(
            f"'{quoted(str(value))}' is not a date (try 1st March 2025 or 01/03/2025)"
        ) from None


def format_amount(amount: Decimal) -> str:
    """`462520` → `462,520.00` (half-up)."""
    return group_thousands(amount, 2)


def format_percent(pct: Decimal) -> str:
    """`Decimal('10')` → `10 %`, `Decimal('2.5')` → `2.5 %`."""
    text = format(pct.normalize(), "f")
    return f"{text} %"


# ---------------------------------------------------------------- durations


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def campaign_duration(start: date, end: date) -> str:
    """Inclusive length in words: a calendar month or 29–31 days → '1 month', exactly 28 days
    → '4 weeks' (even February: 28 days are four weeks, as proposals sell them), 14–15 →
    '2 weeks', else weeks/days."""
    days = (end - start).days + 1
    if days < 1:
        raise BookingOrderError("The end date is before the start date")
    if days == 28:
        return "4 weeks"
    # Exact calendar months (1 Mar–30 Apr) read as months whatever their day count.
    months = round(days / Decimal("30.44"))
    if months >= 1 and add_months(start, months) - timedelta(days=1) == end:
        return _plural(months, "month")
    if 29 <= days <= 31:
        return "1 month"
    if 14 <= days <= 15:
        return "2 weeks"
    if months >= 2 and abs(Decimal(days) - Decimal("30.44") * months) <= 2:
        return _plural(months, "month")
    if days % 7 == 0:
        return _plural(days // 7, "week")
    # Counting both end days makes a 3-week booking 22 days long.
    if days % 7 == 1 and days > 8:
        return _plural(days // 7, "week")
    return _plural(days, "day")


def location_duration(location: Location) -> str:
    """The duration from the dates when both are known, else the document's text."""
    start, end = location.start_date, location.end_date
    if start is not None and end is not None and end >= start:
        return campaign_duration(start, end)
    return location.campaign_duration


# ---------------------------------------------------------------- validation


def _amount_problems(label: str, amount: Decimal | None) -> list[str]:
    if amount is None:
        return []
    if not amount.is_finite():
        return [f"{label} is not a number"]
    if amount < 0:
        return [f"{label} can't be negative"]
    if amount > MAX_AMOUNT:
        return [f"{label} looks wrong (more than {group_thousands(MAX_AMOUNT)})"]
    return []


def _location_label(index: int, location: Location) -> str:
    return location.name.strip() or f"Location {index + 1}"


def problems(bo: BookingOrder) -> list[str]:
    """Every invalid value of the booking order, as messages for the salesperson."""
    found: list[str] = []
    for name in ("municipality_fee", "production_upload_fee", "net_pre_vat", "vat", "gross"):
        found += _amount_problems(FIELD_LABELS[name], getattr(bo, name))
    for name in PERCENT_FIELDS:
        pct: Decimal | None = getattr(bo, name)
        if pct is not None and (not pct.is_finite() or pct < 0 or pct > _HUNDRED):
            found.append(f"{FIELD_LABELS[name]} must be between 0 and 100 %")
    if not re.fullmatch(r"[A-Z]{3}", bo.currency):
        found.append("Currency must be a three-letter code such as AED or USD")
    for index, location in enumerate(bo.locations):
        label = _location_label(index, location)
        found += _amount_problems(f"{label} net amount", location.net_amount)
        start, end = location.start_date, location.end_date
        if start is not None and end is not None:
            if end < start:
                found.append(f"{label} ends before it starts")
            elif (end - start).days > MAX_CAMPAIGN_DAYS:
                found.append(f"{label} runs for more than ten years; please check the dates")
    return found


def validate(bo: BookingOrder) -> None:
    """Raise BookingOrderError listing every invalid value."""
    found = problems(bo)
    if found:
        raise BookingOrderError("; ".join(found))


def missing_fields(bo: BookingOrder) -> list[str]:
    """Required data that is absent (zero counts as missing), as field paths.

    Paths are `client`, `net_pre_vat`, `locations` (none at all) and `locations[i].<field>`.
    """
    missing: list[str] = []
    if not bo.client.strip():
        missing.append("client")
    if not bo.locations:
        missing.append("locations")
    net = bo.net_pre_vat if bo.net_pre_vat is not None else _computed_net(bo)
    if not net:
        missing.append("net_pre_vat")
    for index, location in enumerate(bo.locations):
        if not location.name.strip():
            missing.append(f"locations[{index}].name")
        if location.start_date is None:
            missing.append(f"locations[{index}].start_date")
        if location.end_date is None:
            missing.append(f"locations[{index}].end_date")
        if not location.net_amount:
            missing.append(f"locations[{index}].net_amount")
    return missing


def describe_missing(bo: BookingOrder) -> list[str]:
    """The missing data in words ('Client', 'UAE21 start date')."""
    described: list[str] = []
    for path in missing_fields(bo):
        match = re.fullmatch(r"locations\[(\d+)\]\.(\w+)", path)
        if match:
            index = int(match.group(1))
            label = _location_label(index, bo.locations[index])
            described.append(f"{label} {LOCATION_LABELS[match.group(2)]}")
        elif path == "locations":
            described.append("At least one location")
        else:
            described.append(FIELD_LABELS[path])
    return described


# ---------------------------------------------------------------- the rule set


def _rentals(bo: BookingOrder) -> Decimal:
    return sum((loc.net_amount or ZERO for loc in bo.locations), ZERO)


def _computed_net(bo: BookingOrder) -> Decimal:
    return _rentals(bo) + bo.municipality_fee + bo.production_upload_fee


def _document_net(
    bo: BookingOrder, rentals: Decimal, dm_fee: Decimal, prod_fee: Decimal, warnings: list[str]
) -> tuple[Decimal, bool]:
    """The net to use (the document's, when printed) and whether it differs from ours."""
    computed_net = rentals + dm_fee + prod_fee
    if bo.net_pre_vat is None:
        return computed_net, False
    net_pre_vat = cents(bo.net_pre_vat)
    if net_pre_vat == computed_net:
        return net_pre_vat, False
    warnings.append(
        f"Location totals ({format_amount(rentals)}) + fees "
        f"(municipality: {format_amount(dm_fee)}, "
        f"prod/upload: {format_amount(prod_fee)}) = {format_amount(computed_net)} "
        f"doesn't match net ({format_amount(net_pre_vat)})"
    )
    return net_pre_vat, True


def _document_vat(
    bo: BookingOrder, computed_vat: Decimal, vat_rate: Decimal, warnings: list[str]
) -> tuple[Decimal, bool]:
    """The VAT to use (the document's, when printed) and whether it is off by more than
    rounding."""
    if bo.vat is None:
        return computed_vat, False
    vat = cents(bo.vat)
    if abs(vat - computed_vat) <= VAT_TOLERANCE:
        return vat, False
    warnings.append(
        f"VAT on the document ({format_amount(vat)}) differs from "
        f"{format_percent(vat_rate)} of net ({format_amount(computed_vat)})"
    )
    return vat, True


def _check_gross(bo: BookingOrder, gross: Decimal, warnings: list[str]) -> None:
    if bo.gross is not None and abs(cents(bo.gross) - gross) > VAT_TOLERANCE:
        warnings.append(
            f"Gross on the document ({format_amount(cents(bo.gross))}) differs from "
            f"net + VAT ({format_amount(gross)})"
        )


def _location_totals(bo: BookingOrder, sla_pct: Decimal) -> tuple[LocationTotals, ...]:
    keep = (_HUNDRED - sla_pct) / _HUNDRED
    return tuple(
        LocationTotals(
            name=loc.name,
            net_amount=cents(loc.net_amount or ZERO),
            post_sla=cents((loc.net_amount or ZERO) * keep),
            campaign_duration=location_duration(loc),
        )
        for loc in bo.locations
    )


def calculate(bo: BookingOrder, vat_pct: Decimal | int) -> Calculated:
    """Apply the rule set; totals printed on the document are kept and warned about.

    `vat_pct` is the rate in effect (`commercial.service.vat_pct`); this module holds none.
    """
    validate(bo)
    vat_rate = to_decimal(vat_pct)
    sla_pct = bo.sla_pct if bo.sla_pct is not None else ZERO
    rentals = cents(_rentals(bo))
    dm_fee, prod_fee = cents(bo.municipality_fee), cents(bo.production_upload_fee)
    warnings: list[str] = []
    net_pre_vat, net_mismatch = _document_net(bo, rentals, dm_fee, prod_fee, warnings)
    computed_vat = percent_of(net_pre_vat, vat_rate)
    vat, vat_flagged = _document_vat(bo, computed_vat, vat_rate, warnings)
    gross = net_pre_vat + vat
    _check_gross(bo, gross, warnings)
    sla_deduction = percent_of(rentals, sla_pct)
    return Calculated(
        currency=bo.currency,
        rentals=rentals,
        municipality_fee=dm_fee,
        production_upload_fee=prod_fee,
        computed_net=rentals + dm_fee + prod_fee,
        net_pre_vat=net_pre_vat,
        computed_vat=computed_vat,
        vat=vat,
        gross=gross,
        sla_pct=sla_pct,
        sla_deduction=sla_deduction,
        net_excl_sla=net_pre_vat - sla_deduction,
        locations=_location_totals(bo, sla_pct),
        net_mismatch=net_mismatch,
        vat_flagged=vat_flagged,
        warnings=tuple(warnings),
        missing=tuple(describe_missing(bo)),
    )


# ---------------------------------------------------------------- currency


def convert_currency(bo: BookingOrder, to: str, rates: Mapping[str, Decimal]) -> BookingOrder:
    """Every amount converted through AED; `rates` are AED per one unit of each currency."""
    target = to.strip().upper()

    def rate(code: str) -> Decimal:
        if code == BASE_CURRENCY:
            return Decimal(1)
        value = rates.get(code)
        if value is None:
            raise BookingOrderError(f"No exchange rate is configured for {quoted(code, 8)}")
        value = to_decimal(value)
        if value <= 0:
            raise BookingOrderError(f"The exchange rate for {code} must be positive")
        return value

    if not re.fullmatch(r"[A-Z]{3}", target):
        raise BookingOrderError("Currency must be a three-letter code such as AED or USD")
    if target == bo.currency:
        return bo
    factor = rate(bo.currency) / rate(target)

    def conv(amount: Decimal | None) -> Decimal | None:
        return None if amount is None else cents(amount * factor)

    return replace(
        bo,
        currency=target,
        municipality_fee=cents(bo.municipality_fee * factor),
        production_upload_fee=cents(bo.production_upload_fee * factor),
        net_pre_vat=conv(bo.net_pre_vat),
        vat=conv(bo.vat),
        gross=conv(bo.gross),
        locations=tuple(replace(loc, net_amount=conv(loc.net_amount)) for loc in bo.locations),
    )
