"""Proposal pricing: read user inputs, compute fees/VAT/totals, build the investment table.

Pure: standard library, `kit.money` and `kit.parse` only; `today` is always a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from salesbot.kit import parse
from salesbot.kit.money import cents, group_thousands, percent_of, round_half_up
from salesbot.kit.parse import Duration
from salesbot.kit.wording import format_date, format_date_range, plain_number
from salesbot.proposals.currency import AmountReader as AmountReader
from salesbot.proposals.currency import ReadAmount as ReadAmount
from salesbot.proposals.currency import currency_note as currency_note
from salesbot.proposals.currency import money as money
from salesbot.proposals.currency import resolve_currency as resolve_currency
from salesbot.proposals.inputs import BASE_CURRENCY as BASE_CURRENCY
from salesbot.proposals.inputs import DEFAULT_PAYMENT_TERMS as DEFAULT_PAYMENT_TERMS
from salesbot.proposals.inputs import MAX_AMOUNT as MAX_AMOUNT
from salesbot.proposals.inputs import MAX_CLIENT_NAME as MAX_CLIENT_NAME
from salesbot.proposals.inputs import MAX_PAYMENT_TERMS as MAX_PAYMENT_TERMS
from salesbot.proposals.inputs import AmountInput as AmountInput
from salesbot.proposals.inputs import CombinedItem as CombinedItem
from salesbot.proposals.inputs import CombinedRequest as CombinedRequest
from salesbot.proposals.inputs import DateInput as DateInput
from salesbot.proposals.inputs import LocationFacts as LocationFacts
from salesbot.proposals.inputs import MissingInformation as MissingInformation
from salesbot.proposals.inputs import PricingSettings as PricingSettings
from salesbot.proposals.inputs import ProposalError as ProposalError
from salesbot.proposals.inputs import SeparateItem as SeparateItem
from salesbot.proposals.inputs import SeparateRequest as SeparateRequest
from salesbot.proposals.inputs import unknown_location_error as unknown_location_error
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
    facts: LocationFacts,
    production_fee: AmountInput | None,
    missing: list[tuple[str, str]],
    reader: AmountReader,
) -> tuple[str, Decimal]:
    """(label, AED fee): a static location's production fee, otherwise the upload fee."""
    if facts.display_type == "static":
        fee = reader.optional(production_fee, "production fee")
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
    reader: AmountReader
    note: str | None = None

    def with_note(self, settings: PricingSettings) -> _Common:
        """The terms with the line on how amounts were read, once they all have been."""
        note = currency_note(self.reader.read, self.currency, settings)
        if note is None:
            return self
        return replace(self, terms=(*self.terms, note), note=note)


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
    reader = AmountReader(resolve_currency(request.rates_currency, settings), settings)
    return _Common(client, terms_text, currency, tuple(terms), validity, reader)


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

# What every location is priced with: terms, display currency, today, the amount reader.
_Pricing = tuple[PricingSettings, Currency, date, AmountReader]


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
    pricing: _Pricing,
    missing: list[tuple[str, str]],
) -> PricedLocation:
    """Dates, spots and fee of one location; with `rates`, one priced option per duration."""
    settings, currency, today, reader = pricing
    start, end = _dates(item.start_date, item.end_date, facts.key, today)
    # Without an end date, one duration still gives the last day: the slide shows both dates.
    shown_end = end if end is not None or len(durations) != 1 else durations[0].end_date(start)
    spots = _check_spots(item.spots, facts)
    label, fee = _fee(facts, item.production_fee, missing, reader)
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
        date_text=format_date_range(start, shown_end),
        spots=spots,
        fee_label=label,
        fee=money(fee, currency),
        durations=durations,
        options=options,
    )


def _separate_location(
    item: SeparateItem,
    facts: LocationFacts,
    pricing: _Pricing,
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
    rates = [pricing[3].aed(r, "net rate") for r in item.net_rates]
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
    pricing = (settings, common.currency, today, common.reader)
    missing: list[tuple[str, str]] = []
    locations = tuple(
        _separate_location(
            item, _facts_for(item.location, position, facts_by_key), pricing, missing
        )
        for position, item in enumerate(request.items, start=1)
    )
    if missing:
        raise MissingInformation(missing)
    common = common.with_note(settings)
    tables = tuple(_separate_table(loc, common, settings, today) for loc in locations)
    return _proposal("separate", common, locations, None, tables, today)


def _combined_locations(
    request: CombinedRequest,
    facts_by_key: Mapping[str, LocationFacts],
    pricing: _Pricing,
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
    net = common.reader.aed(raw_rate, "combined net rate")
    locations = _combined_locations(
        request, facts_by_key, (settings, currency, today, common.reader)
    )
    common = common.with_note(settings)
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
        currency_note=common.note,
        validity_date=common.validity_date,
        validity_text=format_date(common.validity_date),
        proposal_date=today,
        proposal_date_text=format_proposal_date(today),
        tables=tables,
    )


def _option_dates(loc: PricedLocation) -> tuple[str, ...]:
    """Start and end of each option: one value when the end was given or all options agree."""
    if loc.end_date is not None or len(loc.options) < 2:
        return (loc.date_text,)
    start = loc.start_date
    return tuple(format_date_range(start, o.duration.end_date(start)) for o in loc.options)


def _separate_table(
    loc: PricedLocation, common: _Common, settings: PricingSettings, today: date
) -> InvestmentTable:
    options = loc.options
    rows = (
        TableRow("Location:", (loc.location_line,)),
        TableRow("Start/End Date:", _option_dates(loc)),
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
