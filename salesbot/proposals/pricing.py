"""Proposal pricing: read user inputs, compute fees/VAT/totals, build the investment table.

Pure: standard library, `kit.money` and `kit.parse` only; `today` is always a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from salesbot.kit import parse
from salesbot.kit.money import cents, group_thousands, percent_of, round_half_up, whole
from salesbot.kit.parse import Duration, quote
from salesbot.kit.wording import format_date, format_date_range, plain_number
from salesbot.proposals.priced import (
    Currency,
    DisplayType,
    InvestmentTable,
    Money,
    PackageTotals,
    PricedLocation,
    PricedOption,
    PricedProposal,
    ProposalKind,
    TableRow,
)

AmountInput = Decimal | int | str
DateInput = date | str

BASE_CURRENCY = "AED"
DEFAULT_PAYMENT_TERMS = "100% upfront"
MAX_AMOUNT = Decimal("1e12")
MAX_CLIENT_NAME = 120
MAX_PAYMENT_TERMS = 300


# --------------------------------------------------------------------------- errors


class ProposalError(ValueError):
    """A proposal cannot be produced; the message is meant for the salesperson.

    `allowed` lists the accepted values when the refused one comes from a fixed set.
    """

    def __init__(self, message: str, *, allowed: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.allowed = tuple(allowed)


class MissingInformation(ProposalError):
    """Required data is missing; `missing` lists (location key, field) pairs to ask for."""

    def __init__(self, missing: Sequence[tuple[str, str]]) -> None:
        self.missing = tuple(missing)
        keys = [key for key, _ in self.missing]
        noun = "location" if len(keys) == 1 else "locations"
        super().__init__(f"Missing production fee for static {noun}: {', '.join(keys)}")


def unknown_location_error(name: str, position: int) -> ProposalError:
    """`Unknown location 'x' in proposal 2` (position is 1-based)."""
    return ProposalError(f"Unknown location '{quote(name)}' in proposal {position}")


# --------------------------------------------------------------------------- parsing
# `kit.parse` reads the values; a proposal accepts AED amounts and calendar durations, and
# reports what it cannot read as a ProposalError.


def parse_amount(value: AmountInput, what: str = "amount") -> Decimal:
    """AED amount from "1.5M", "2,800,000", "AED 4,000,000", "750k", an int or a Decimal.

    The result is rounded to cents and must be more than zero.
    """
    try:
        return parse.parse_amount(value, what, currencies=(BASE_CURRENCY,))
    except parse.ParseError as exc:
        raise ProposalError(str(exc)) from None


def _optional_amount(value: AmountInput | None, what: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_amount(value, what)


def parse_date(value: DateInput, today: date | None = None) -> date:
    """A date from ISO, day-first ("05/11/2025") or natural text ("Jan 1st 2026").

    Without a year the next such date on or after `today` is used (an error without `today`).
    """
    try:
        return parse.parse_date(value, today)
    except parse.ParseError as exc:
        raise ProposalError(str(exc)) from None


def parse_duration(text: str) -> Duration:
    """ "2 weeks", "1 month", "3 months", "10 days" (also "2wks", "two weeks") → Duration."""
    try:
        return parse.parse_duration(text)
    except parse.ParseError as exc:
        raise ProposalError(str(exc), allowed=exc.allowed) from None


# --------------------------------------------------------------------------- display


def format_proposal_date(today: date) -> str:
    return today.strftime("%d/%m/%Y")


def location_line(facts: LocationFacts, spots: int = 1) -> str:
    """The spec's location line, e.g. "The Landmark Series: The Dubai Gateway - Size (...)"."""
    parts = [f"{facts.series}: {facts.display_name}" if facts.series else facts.display_name]
    if facts.width_m is not None and facts.height_m is not None:
        parts.append(f"Size ({plain_number(facts.width_m)}m x {plain_number(facts.height_m)}m)")
    faces = facts.number_of_faces
    parts.append(f"{faces} face" if faces == 1 else f"{faces} faces")
    if facts.display_type == "digital":
        sov = round_half_up(facts.sov_pct * spots, 1)
        parts += [
            f"{spots} spot" if spots == 1 else f"{spots} spots",
            f"{facts.spot_duration_s * spots} Seconds",
            f"{sov}% SOV",
            f"{facts.loop_duration_s} seconds loop",
        ]
    return " - ".join(parts)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class LocationFacts:
    """The facts of a location that pricing and the location line need."""

    key: str
    display_name: str
    display_type: DisplayType
    upload_fee: Decimal  # the location's own, else `commercial.service.default_upload_fee`
    series: str = ""
    width_m: Decimal | None = None
    height_m: Decimal | None = None
    number_of_faces: int = 1
    spot_duration_s: int = 16
    loop_duration_s: int = 96
    sov_pct: Decimal = Decimal("16.6")


def _default_symbols() -> dict[str, str]:
    return {"AED": "AED ", "USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True)
class PricingSettings:
    """The commercial terms in effect (from `commercial.service`; this module holds none).

    `rates` are AED per unit of each foreign currency.
    """

    vat_pct: Decimal
    dm_fee: Decimal
    rates: Mapping[str, Decimal]
    validity_days: int
    symbols: Mapping[str, str] = field(default_factory=_default_symbols)


@dataclass(frozen=True)
class SeparateItem:
    """One location of a separate proposal: one net rate per duration option."""

    location: str
    start_date: DateInput
    durations: Sequence[str]
    net_rates: Sequence[AmountInput]
    end_date: DateInput | None = None
    spots: int = 1
    production_fee: AmountInput | None = None


@dataclass(frozen=True)
class SeparateRequest:
    items: Sequence[SeparateItem]
    client_name: str = ""
    payment_terms: str = DEFAULT_PAYMENT_TERMS
    currency: str = BASE_CURRENCY
    company_name: str = ""


@dataclass(frozen=True)
class CombinedItem:
    """One location of a combined package: one duration; the rate is the package's."""

    location: str
    start_date: DateInput
    duration: str | None
    end_date: DateInput | None = None
    spots: int = 1
    production_fee: AmountInput | None = None


@dataclass(frozen=True)
class CombinedRequest:
    items: Sequence[CombinedItem]
    combined_net_rate: AmountInput | None
    client_name: str = ""
    payment_terms: str = DEFAULT_PAYMENT_TERMS
    currency: str = BASE_CURRENCY
    company_name: str = ""


# --------------------------------------------------------------------------- money display


def resolve_currency(code: str, settings: PricingSettings) -> Currency:
    """The display currency; an unknown code is an error listing the supported ones."""
    wanted = code.strip().upper() or BASE_CURRENCY
    symbols = settings.symbols
    if wanted == BASE_CURRENCY:
        return Currency(BASE_CURRENCY, Decimal(1), symbols.get(BASE_CURRENCY, "AED "))
    rate = settings.rates.get(wanted)
    if rate is None or rate <= 0:
        supported = sorted({BASE_CURRENCY, *(c for c, r in settings.rates.items() if r > 0)})
        raise ProposalError(
            f"Currency '{quote(code, 10)}' is not supported. "
            f"Supported currencies: {', '.join(supported)}",
            allowed=supported,
        )
    return Currency(wanted, rate, symbols.get(wanted, f"{wanted} "))


def money(aed: Decimal, currency: Currency) -> Money:
    """AED shows whole units ("AED 1,578,696"); others aed/rate to cents ("$429,869.57")."""
    if currency.code == BASE_CURRENCY:
        shown = whole(aed)
        return Money(aed, shown, BASE_CURRENCY, f"{currency.symbol}{group_thousands(shown)}")
    converted = cents(aed / currency.rate)
    text = f"{currency.symbol}{group_thousands(converted, 2)}"
    return Money(aed, converted, currency.code, text)


# --------------------------------------------------------------------------- validation helpers


def _clean_text(value: str, limit: int, what: str) -> str:
    cleaned = " ".join(value.split())
    if len(cleaned) > limit:
        raise ProposalError(f"The {what} is too long (at most {limit} characters)")
    return cleaned


def _facts_for(key: str, position: int, facts_by_key: Mapping[str, LocationFacts]) -> LocationFacts:
    facts = facts_by_key.get(key)
    if facts is None:
        raise unknown_location_error(key, position)
    return facts


def _check_spots(spots: int, facts: LocationFacts) -> int:
    if facts.display_type == "static":
        return 1
    if isinstance(spots, bool) or not isinstance(spots, int) or spots < 1:
        raise ProposalError(f"Spots for {facts.key} must be a whole number of at least 1")
    if facts.spot_duration_s * spots > facts.loop_duration_s:
        most = max(facts.loop_duration_s // max(facts.spot_duration_s, 1), 1)
        raise ProposalError(
            f"{spots} spots of {facts.spot_duration_s} seconds do not fit in the "
            f"{facts.loop_duration_s} seconds loop of {facts.key} (at most {most})"
        )
    return spots


def _dates(
    start: DateInput, end: DateInput | None, key: str, today: date
) -> tuple[date, date | None]:
    start_date = parse_date(start, today)
    if end is None or (isinstance(end, str) and not end.strip()):
        return start_date, None
    end_date = parse_date(end, start_date)
    if end_date < start_date:
        raise ProposalError(
            f"The end date {format_date(end_date)} is before the start date "
            f"{format_date(start_date)} for {key}"
        )
    return start_date, end_date


def _fee(
    facts: LocationFacts, production_fee: AmountInput | None, missing: list[tuple[str, str]]
) -> tuple[str, Decimal]:
    """(label, AED fee): a static location's production fee, otherwise the upload fee."""
    if facts.display_type == "static":
        fee = _optional_amount(production_fee, "production fee")
        if fee is None:
            missing.append((facts.key, "production_fee"))
            return "Production Fee:", Decimal(0)
        return "Production Fee:", fee
    return "Upload Fee:", cents(facts.upload_fee)


@dataclass(frozen=True)
class _Common:
    client_name: str
    payment_terms: str
    currency: Currency
    terms: tuple[str, ...]
    validity_date: date


def _common(
    request: SeparateRequest | CombinedRequest, settings: PricingSettings, today: date
) -> _Common:
    currency = resolve_currency(request.currency, settings)
    client = _clean_text(request.client_name, MAX_CLIENT_NAME, "client name")
    terms_text = _clean_text(request.payment_terms, MAX_PAYMENT_TERMS, "payment terms")
    terms_text = terms_text or DEFAULT_PAYMENT_TERMS
    company = " ".join(request.company_name.split()) or "the media owner"
    validity = today + timedelta(days=settings.validity_days)
    dm = f"{BASE_CURRENCY} {group_thousands(settings.dm_fee)}"
    terms = [
        f"Payment Terms: {terms_text}",
        f"A DM fee of {dm} per image/message applies. "
        "The final fee will be confirmed after the final artwork is received.",
        "An official booking order is required to secure the location/spot.",
        "Once a booking is confirmed, cancellations are not allowed, even if an artwork is "
        "rejected by the authorities; the client will then submit a revised artwork.",
        f"All artworks are subject to approval by {company} and DM.",
        "Location availability is subject to change.",
        "The artwork must comply with DM's guidelines.",
        f"This proposal is valid until the {format_date(validity)}.",
    ]
    if currency.code != BASE_CURRENCY:
        terms.append(
            f"All amounts shown in {currency.code} (converted from AED at current exchange rates)."
        )
    return _Common(client, terms_text, currency, tuple(terms), validity)


def _header(client: str) -> str:
    return f"{client} Investment Sheet" if client else "Investment Sheet"


def _dm_text(dm: Money) -> str:
    return f"{dm.text} Per Image/Message"


def _vat_label(settings: PricingSettings) -> str:
    return f"VAT {plain_number(settings.vat_pct)}% :"


def _amounts(
    net: Decimal, fee: Decimal, settings: PricingSettings, currency: Currency
) -> tuple[Money, Money, Money, Money]:
    """(dm, subtotal, vat, total) for a net rate and fee, all in AED before display."""
    dm = cents(settings.dm_fee)
    subtotal = net + fee + dm
    vat = percent_of(subtotal, settings.vat_pct)
    total = subtotal + vat
    return (
        money(dm, currency),
        money(subtotal, currency),
        money(vat, currency),
        money(total, currency),
    )


# --------------------------------------------------------------------------- pricing


def _option(
    duration: Duration, rate: Decimal, fee: Decimal, settings: PricingSettings, currency: Currency
) -> PricedOption:
    dm, subtotal, vat, total = _amounts(rate, fee, settings, currency)
    return PricedOption(
        duration, money(rate, currency), money(fee, currency), dm, subtotal, vat, total
    )


def _priced_location(
    facts: LocationFacts,
    item: SeparateItem | CombinedItem,
    durations: tuple[Duration, ...],
    rates: Sequence[Decimal],
    pricing: tuple[PricingSettings, Currency, date],
    missing: list[tuple[str, str]],
) -> PricedLocation:
    """Dates, spots and fee of one location; with `rates`, one priced option per duration."""
    settings, currency, today = pricing
    start, end = _dates(item.start_date, item.end_date, facts.key, today)
    spots = _check_spots(item.spots, facts)
    label, fee = _fee(facts, item.production_fee, missing)
    options = tuple(
        _option(duration, rate, fee, settings, currency)
        for duration, rate in zip(durations, rates, strict=False)
    )
    return PricedLocation(
        key=facts.key,
        display_name=facts.display_name,
        display_type=facts.display_type,
        location_line=location_line(facts, spots),
        start_date=start,
        end_date=end,
        date_text=format_date_range(start, end),
        spots=spots,
        fee_label=label,
        fee=money(fee, currency),
        durations=durations,
        options=options,
    )


def _separate_location(
    item: SeparateItem,
    facts: LocationFacts,
    pricing: tuple[PricingSettings, Currency, date],
    missing: list[tuple[str, str]],
) -> PricedLocation:
    key = facts.key
    if not item.durations:
        raise ProposalError(f"No duration specified for {key}")
    if len(item.durations) != len(item.net_rates):
        raise ProposalError(
            f"Mismatched durations and rates for {key} - {len(item.durations)} durations "
            f"but {len(item.net_rates)} rates"
        )
    durations = tuple(parse_duration(d) for d in item.durations)
    rates = [parse_amount(r, "net rate") for r in item.net_rates]
    return _priced_location(facts, item, durations, rates, pricing, missing)


def price_separate(
    request: SeparateRequest,
    facts_by_key: Mapping[str, LocationFacts],
    settings: PricingSettings,
    today: date,
) -> PricedProposal:
    """Price a separate proposal: every location gets its own options and investment table."""
    if not request.items:
        raise ProposalError("No proposals provided")
    common = _common(request, settings, today)
    pricing = (settings, common.currency, today)
    missing: list[tuple[str, str]] = []
    locations = tuple(
        _separate_location(
            item, _facts_for(item.location, position, facts_by_key), pricing, missing
        )
        for position, item in enumerate(request.items, start=1)
    )
    if missing:
        raise MissingInformation(missing)
    tables = tuple(_separate_table(loc, common, settings, today) for loc in locations)
    return _proposal("separate", common, locations, None, tables, today)


def _combined_locations(
    request: CombinedRequest,
    facts_by_key: Mapping[str, LocationFacts],
    pricing: tuple[PricingSettings, Currency, date],
) -> tuple[PricedLocation, ...]:
    """The package's locations (each once, each with one duration) with their fees."""
    missing: list[tuple[str, str]] = []
    locations: list[PricedLocation] = []
    seen: set[str] = set()
    for position, item in enumerate(request.items, start=1):
        facts = _facts_for(item.location, position, facts_by_key)
        key = facts.key
        if key in seen:
            raise ProposalError(f"{key} appears more than once in the package")
        seen.add(key)
        if item.duration is None or not item.duration.strip():
            raise ProposalError(f"No duration specified for {key}")
        duration = parse_duration(item.duration)
        locations.append(_priced_location(facts, item, (duration,), (), pricing, missing))
    if missing:
        raise MissingInformation(missing)
    return tuple(locations)


def price_combined(
    request: CombinedRequest,
    facts_by_key: Mapping[str, LocationFacts],
    settings: PricingSettings,
    today: date,
) -> PricedProposal:
    """Price a combined package: one net rate, each location's fee, DM fee once."""
    if not request.items:
        raise ProposalError("No proposals provided")
    if len(request.items) < 2:
        raise ProposalError("Combined package requires at least 2 locations")
    raw_rate = request.combined_net_rate
    if raw_rate is None or (isinstance(raw_rate, str) and not raw_rate.strip()):
        raise ProposalError("Combined package requires a combined net rate")
    common = _common(request, settings, today)
    currency = common.currency
    net = parse_amount(raw_rate, "combined net rate")
    locations = _combined_locations(request, facts_by_key, (settings, currency, today))
    fee_total = sum((loc.fee.aed for loc in locations), Decimal(0))
    dm, subtotal, vat, total = _amounts(net, fee_total, settings, currency)
    package = PackageTotals(
        net_rate=money(net, currency),
        fees=tuple(loc.fee for loc in locations),
        fee_total=money(fee_total, currency),
        dm_fee=dm,
        subtotal=subtotal,
        vat=vat,
        total=total,
    )
    table = _combined_table(locations, package, common, settings, today)
    return _proposal("combined", common, locations, package, (table,), today)


def combined_fee_label(display_types: Sequence[DisplayType]) -> str:
    """ "Production Fee:" all static, "Upload Fee:" all digital, else "Upload/Production Fee:"."""
    kinds = set(display_types)
    if kinds == {"static"}:
        return "Production Fee:"
    if kinds == {"digital"}:
        return "Upload Fee:"
    return "Upload/Production Fee:"


def _proposal(
    kind: ProposalKind,
    common: _Common,
    locations: tuple[PricedLocation, ...],
    package: PackageTotals | None,
    tables: tuple[InvestmentTable, ...],
    today: date,
) -> PricedProposal:
    return PricedProposal(
        kind=kind,
        client_name=common.client_name,
        payment_terms=common.payment_terms,
        currency=common.currency.code,
        locations=locations,
        package=package,
        terms=common.terms,
        validity_date=common.validity_date,
        validity_text=format_date(common.validity_date),
        proposal_date=today,
        proposal_date_text=format_proposal_date(today),
        tables=tables,
    )


def _separate_table(
    loc: PricedLocation, common: _Common, settings: PricingSettings, today: date
) -> InvestmentTable:
    options = loc.options
    rows = (
        TableRow("Location:", (loc.location_line,)),
        TableRow("Start/End Date:", (loc.date_text,)),
        TableRow("Duration:", tuple(o.duration.display for o in options)),
        TableRow("Net Rate:", tuple(o.net_rate.text for o in options), bold=True),
        TableRow(loc.fee_label, (loc.fee.text,)),
        TableRow("Municipality Fee:", (_dm_text(options[0].dm_fee),)),
        TableRow(_vat_label(settings), tuple(o.vat.text for o in options)),
        TableRow("Total:", tuple(o.total.text for o in options), bold=True, emphasised=True),
    )
    return InvestmentTable(
        header=_header(common.client_name),
        columns=len(options),
        rows=rows,
        terms=common.terms,
        proposal_date_text=f"Proposal Date: {format_proposal_date(today)}",
    )


def _combined_table(
    locations: tuple[PricedLocation, ...],
    package: PackageTotals,
    common: _Common,
    settings: PricingSettings,
    today: date,
) -> InvestmentTable:
    label = combined_fee_label([loc.display_type for loc in locations])
    mixed = label == "Upload/Production Fee:"
    fees = tuple(f.text for f in package.fees) if mixed else (package.fee_total.text,)
    rows = (
        TableRow("Location:", tuple(loc.location_line for loc in locations)),
        TableRow("Start/End Date:", tuple(loc.date_text for loc in locations)),
        TableRow("Duration:", tuple(loc.durations[0].display for loc in locations)),
        TableRow("Net Rate:", (package.net_rate.text,), bold=True),
        TableRow(label, fees),
        TableRow("Municipality Fee:", (_dm_text(package.dm_fee),)),
        TableRow(_vat_label(settings), (package.vat.text,)),
        TableRow("Total:", (package.total.text,), bold=True, emphasised=True),
    )
    return InvestmentTable(
        header=_header(common.client_name),
        columns=len(locations),
        rows=rows,
        terms=common.terms,
        proposal_date_text=f"Proposal Date: {format_proposal_date(today)}",
    )
