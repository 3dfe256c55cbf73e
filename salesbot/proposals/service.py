"""Proposal rules: validate, match locations, price, render, store the files, record history.

Every number comes from `pricing` (pure); rendering runs in worker threads so the event loop
keeps serving while a deck is drawn. A produced proposal is never changed: duplicating or
re-generating makes a new version linked to the previous one.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from anyio import to_thread
from openpyxl import Workbook
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.files import service as files
from salesbot.kit.db import utcnow
from salesbot.kit.errors import Conflict, NotFound, ValidationFailed
from salesbot.kit.ids import new_id
from salesbot.kit.logging import get_logger
from salesbot.kit.pagination import decode_cursor, encode_cursor
from salesbot.kit.storage import Storage
from salesbot.kit.tools import FileCard
from salesbot.locations import service as locations
from salesbot.locations.matching import AmbiguousLocation, match_location
from salesbot.locations.models import Location
from salesbot.ops import app_settings
from salesbot.proposals import pricing, repository
from salesbot.proposals.models import Proposal, ProposalFile, ProposalLocation
from salesbot.proposals.naming import client_file_name, location_pptx_name
from salesbot.proposals.render_pdf import combined_package_pdf, combined_separate_pdf, pptx_to_pdf
from salesbot.proposals.render_pptx import (
    DeckStyle,
    TemplateError,
    render_combined_pptx,
    render_separate_pptx,
)
from salesbot.proposals.repository import Filters, Visibility
from salesbot.proposals.schemas import (
    CombinedArgs,
    CombinedProposalIn,
    CurrencyRates,
    DuplicateRequest,
    PackageOut,
    ProposalLocationBrief,
    ProposalLocationOut,
    ProposalOut,
    ProposalPreview,
    ProposalSummary,
    SeparateArgs,
    SeparateProposalIn,
)
from salesbot.settings import Settings
from salesbot.users import audit
from salesbot.users import service as users

log = get_logger(__name__)

Progress = Callable[[int, str], Awaitable[None]]
ProposalInput = SeparateArgs | CombinedArgs

PROPOSAL_NOT_FOUND = "Proposal not found."
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 10_000
MAX_RATE = Decimal(100_000)
_HEX = re.compile(r"^#?[0-9A-Fa-f]{6}$")
_MANAGER_ROLES = frozenset({"hos", "finance"})
# ISO 4217 codes an admin may give a rate for (a typo such as "USS" is refused).
KNOWN_CURRENCIES = frozenset(
    (  # noqa: SIM905 - a compact list of codes
        "AED AUD BHD CAD CHF CNY DKK EGP EUR GBP HKD INR JOD JPY KRW KWD "
        "LBP MAD NOK NZD OMR PHP PKR QAR RUB SAR SEK SGD THB TRY USD ZAR"
    ).split()
)


class ProposalRejected(ValidationFailed):
    """The request cannot become a proposal; the message is the spec's, for the salesperson."""

    code = "proposal_invalid"


async def _quiet(percent: int, message: str) -> None:
    return None


# --- settings and time ---------------------------------------------------------------------


def zone(settings: Settings) -> ZoneInfo:
    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_now(settings: Settings, now: datetime | None = None) -> datetime:
    return (now or utcnow()).astimezone(zone(settings))


async def pricing_settings(session: AsyncSession, settings: Settings) -> pricing.PricingSettings:
    rates = await app_settings.get_currency_rates(session)
    return pricing.PricingSettings(
        vat_pct=settings.vat_pct,
        dm_fee=settings.dm_fee,
        rates={code: rate for code, rate in rates.items() if code != pricing.BASE_CURRENCY},
        validity_days=settings.proposal_validity_days,
    )


def location_facts(location: Location, default_upload_fee: Decimal) -> pricing.LocationFacts:
    """What pricing needs, with the spec's defaults for unset digital fields."""
    return pricing.LocationFacts(
        key=location.key,
        display_name=location.display_name,
        display_type="static" if location.display_type == "static" else "digital",
        series=location.series or "",
        width_m=location.width_m,
        height_m=location.height_m,
        number_of_faces=location.number_of_faces,
        spot_duration_s=location.spot_duration_s or locations.DEFAULT_SPOT_S,
        loop_duration_s=location.loop_duration_s or locations.DEFAULT_LOOP_S,
        sov_pct=location.sov_pct if location.sov_pct is not None else locations.DEFAULT_SOV_PCT,
        upload_fee=location.upload_fee if location.upload_fee is not None else default_upload_fee,
    )


# --- who sees what -------------------------------------------------------------------------


def visibility(principal: Principal) -> Visibility:
    """Admins see everything; HoS/finance also their companies' proposals; others their own."""
    if any(grant.role == "admin" for grant in principal.roles):
        return Visibility(principal.user_id, all=True)
    companies: frozenset[uuid.UUID] = frozenset()
    if principal.has("proposals:read_all"):
        companies = frozenset(
            g.company_id for g in principal.roles if g.role in _MANAGER_ROLES and g.company_id
        )
    return Visibility(principal.user_id, company_ids=companies)


# --- matching and pricing ------------------------------------------------------------------


def _names(data: ProposalInput) -> list[str]:
    if isinstance(data, CombinedArgs):
        return [item.location for item in data.locations]
    return [item.location for item in data.proposals]


async def _resolve(session: AsyncSession, names: Sequence[str]) -> list[Location]:
    """Each name's active location, or the spec's error naming the proposal's position."""
    pool = await locations.active_locations(session)
    refs = locations.refs(pool)
    by_key = {loc.key: loc for loc in pool}
    found: list[Location] = []
    for position, name in enumerate(names, start=1):
        result = match_location(name, refs)
        if result.winner is not None:
            found.append(by_key[result.winner.key])
            continue
        candidates = [r.display_name for r in result.candidates]
        keys = [r.key for r in result.candidates]
        if result.outcome == "ambiguous":
            raise ProposalRejected(
                f"{AmbiguousLocation(name, candidates)} (proposal {position})",
                code="ambiguous_location",
                details={"position": position, "candidates": keys},
            )
        message = str(pricing.unknown_location_error(name, position))
        if candidates:
            message += f". Did you mean: {', '.join(candidates)}?"
        raise ProposalRejected(
            message,
            code="unknown_location",
            details={"position": position, "suggestions": keys},
        )
    return found


def _company_name(companies: Sequence[locations.CompanyInfo]) -> str:
    names = list(dict.fromkeys(c.name for c in companies))
    return " and ".join(names)


def _price(
    data: ProposalInput,
    keys: Sequence[str],
    facts: Mapping[str, pricing.LocationFacts],
    company_name: str,
    rules: pricing.PricingSettings,
    today: date,
) -> pricing.PricedProposal:
    terms = data.payment_terms or pricing.DEFAULT_PAYMENT_TERMS
    currency = data.currency or pricing.BASE_CURRENCY
    try:
        if isinstance(data, CombinedArgs):
            combined = pricing.CombinedRequest(
                items=[
                    pricing.CombinedItem(
                        location=key,
                        start_date=item.start_date,
                        duration=item.duration,
                        end_date=item.end_date,
                        spots=item.spots,
                        production_fee=item.production_fee,
                    )
                    for key, item in zip(keys, data.locations, strict=True)
                ],
                combined_net_rate=data.combined_net_rate,
                client_name=data.client_name,
                payment_terms=terms,
                currency=currency,
                company_name=company_name,
            )
            return pricing.price_combined(combined, facts, rules, today)
        separate = pricing.SeparateRequest(
            items=[
                pricing.SeparateItem(
                    location=key,
                    start_date=item.start_date,
                    durations=item.durations,
                    net_rates=item.net_rates,
                    end_date=item.end_date,
                    spots=item.spots,
                    production_fee=item.production_fee,
                )
                for key, item in zip(keys, data.proposals, strict=True)
            ],
            client_name=data.client_name,
            payment_terms=terms,
            currency=currency,
            company_name=company_name,
        )
        return pricing.price_separate(separate, facts, rules, today)
    except pricing.MissingInformation as exc:
        raise ProposalRejected(
            str(exc),
            code="missing_information",
            details={"missing": [{"location": k, "field": f} for k, f in exc.missing]},
        ) from None
    except pricing.ProposalError as exc:
        raise ProposalRejected(str(exc)) from None


# --- figures as stored and returned --------------------------------------------------------


def _money(m: pricing.Money) -> dict[str, str]:
    return {"aed": str(m.aed), "amount": str(m.amount), "currency": m.currency, "text": m.text}


def figures(priced: pricing.PricedProposal) -> dict[str, Any]:
    """The priced proposal as JSON-safe data (amounts as strings)."""
    locs = [
        {
            "key": loc.key,
            "display_name": loc.display_name,
            "display_type": loc.display_type,
            "location_line": loc.location_line,
            "start_date": loc.start_date.isoformat(),
            "end_date": loc.end_date.isoformat() if loc.end_date else None,
            "date_text": loc.date_text,
            "spots": loc.spots,
            "fee_label": loc.fee_label,
            "fee": _money(loc.fee),
            "durations": [d.display for d in loc.durations],
            "options": [
                {
                    "duration": o.duration.display,
                    "net_rate": _money(o.net_rate),
                    "fee": _money(o.fee),
                    "dm_fee": _money(o.dm_fee),
                    "subtotal": _money(o.subtotal),
                    "vat": _money(o.vat),
                    "total": _money(o.total),
                }
                for o in loc.options
            ],
        }
        for loc in priced.locations
    ]
    package = None
    if priced.package is not None:
        p = priced.package
        package = {
            "fee_label": pricing.combined_fee_label([loc.display_type for loc in priced.locations]),
            "net_rate": _money(p.net_rate),
            "fees": [_money(f) for f in p.fees],
            "fee_total": _money(p.fee_total),
            "dm_fee": _money(p.dm_fee),
            "subtotal": _money(p.subtotal),
            "vat": _money(p.vat),
            "total": _money(p.total),
        }
    return {"locations": locs, "package": package, "terms": list(priced.terms)}


def to_out(proposal: Proposal) -> ProposalOut:
    data = proposal.figures
    package = data.get("package")
    return ProposalOut(
        id=proposal.id,
        version=proposal.version,
        root_id=proposal.root_id,
        previous_id=proposal.previous_id,
        kind="combined" if proposal.kind == "combined" else "separate",
        owner_id=proposal.owner_id,
        client_name=proposal.client_name,
        payment_terms=proposal.payment_terms,
        currency=proposal.currency,
        created_at=proposal.created_at,
        proposal_date=proposal.proposal_date,
        valid_until=proposal.valid_until,
        terms=list(data.get("terms", [])),
        locations=[ProposalLocationOut.model_validate(loc) for loc in data.get("locations", [])],
        package=PackageOut.model_validate(package) if package else None,
        files=[FileCard.model_validate(card) for card in proposal.files],
        input=proposal.input,
    )


def display_totals(proposal: Proposal) -> list[str]:
    data = proposal.figures
    if data.get("package"):
        return [str(data["package"]["total"]["text"])]
    return [
        str(option["total"]["text"])
        for loc in data.get("locations", [])
        for option in loc.get("options", [])
    ]


def _summary(proposal: Proposal, places: Sequence[ProposalLocation]) -> ProposalSummary:
    return ProposalSummary(
        id=proposal.id,
        version=proposal.version,
        root_id=proposal.root_id,
        previous_id=proposal.previous_id,
        kind="combined" if proposal.kind == "combined" else "separate",
        owner_id=proposal.owner_id,
        client_name=proposal.client_name,
        currency=proposal.currency,
        created_at=proposal.created_at,
        proposal_date=proposal.proposal_date,
        locations=[
            ProposalLocationBrief(key=p.location_key, display_name=p.display_name) for p in places
        ],
        totals=display_totals(proposal),
        files=[FileCard.model_validate(card) for card in proposal.files],
    )


# --- rendering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    name: str
    data: bytes
    content_type: str
    role: str  # pptx | pdf


def _style(company: locations.CompanyInfo | None) -> DeckStyle:
    if company is None:
        return DeckStyle()
    accent = company.accent_color if _HEX.match(company.accent_color or "") else "1F4E79"
    return DeckStyle(accent=accent, company_name=company.name)


async def _render_separate(
    priced: pricing.PricedProposal,
    facts: Sequence[pricing.LocationFacts],
    templates: Sequence[bytes | None],
    styles: Sequence[DeckStyle],
    when: datetime,
    progress: Progress,
) -> list[Output]:
    outputs: list[Output] = []
    steps = len(priced.locations) + 1
    for index, loc in enumerate(priced.locations):
        table, fact, template, style = (
            priced.tables[index],
            facts[index],
            templates[index],
            styles[index],
        )
        try:
            deck = await to_thread.run_sync(
                partial(render_separate_pptx, table, fact, template=template, style=style)
            )
        except TemplateError:
            log.warning("proposal_template_unusable", location=loc.key)
            deck = await to_thread.run_sync(
                partial(render_separate_pptx, table, fact, template=None, style=style)
            )
        outputs.append(Output(location_pptx_name(loc.display_name), deck, PPTX, "pptx"))
        await progress(20 + 65 * (index + 1) // steps, f"Made the deck for {loc.display_name}")
    title = f"{priced.client_name} Proposal".strip()
    decks = [o.data for o in outputs]
    if len(decks) == 1:
        pdf = await to_thread.run_sync(pptx_to_pdf, decks[0], None, title)
    else:
        subtitle = "  ·  ".join(loc.display_name for loc in priced.locations)
        pdf = await to_thread.run_sync(
            partial(combined_separate_pdf, decks, title=title, subtitle=subtitle, style=styles[0])
        )
    outputs.append(Output(client_file_name(priced.client_name, when, "pdf"), pdf, PDF, "pdf"))
    await progress(85, "Made the PDF")
    return outputs


async def _render_combined(
    priced: pricing.PricedProposal,
    facts: Sequence[pricing.LocationFacts],
    templates: Mapping[str, bytes],
    style: DeckStyle,
    when: datetime,
    progress: Progress,
) -> list[Output]:
    table = priced.tables[0]
    client = priced.client_name

    def deck_with(chosen: Mapping[str, bytes]) -> bytes:
        return render_combined_pptx(table, facts, templates=chosen, client_name=client, style=style)

    try:
        deck = await to_thread.run_sync(deck_with, templates)
    except TemplateError:
        log.warning("proposal_template_unusable", locations=sorted(templates))
        deck = await to_thread.run_sync(deck_with, {})
    await progress(50, "Made the package deck")
    title = f"{client} Combined Package".strip()
    pdf = await to_thread.run_sync(combined_package_pdf, deck, title)
    await progress(85, "Made the PDF")
    return [
        Output(client_file_name(client, when, "pptx"), deck, PPTX, "pptx"),
        Output(client_file_name(client, when, "pdf"), pdf, PDF, "pdf"),
    ]


# --- producing a proposal ------------------------------------------------------------------


def _input_of(data: ProposalInput) -> dict[str, Any]:
    kind = "combined" if isinstance(data, CombinedArgs) else "separate"
    # As the user sent it (no filled-in defaults), so the record shows what was asked for.
    return {"kind": kind, **data.model_dump(mode="json", exclude_unset=True, exclude={"kind"})}


@dataclass(frozen=True)
class _Quote:
    chosen: list[Location]
    keys: list[str]
    facts: dict[str, pricing.LocationFacts]
    companies: dict[uuid.UUID, locations.CompanyInfo]
    priced: pricing.PricedProposal


async def _quote(
    session: AsyncSession, data: ProposalInput, settings: Settings, today: date
) -> _Quote:
    """Match the locations and price the request (no files, nothing stored)."""
    chosen = await _resolve(session, _names(data))
    keys = [loc.key for loc in chosen]
    facts = {loc.key: location_facts(loc, settings.default_upload_fee) for loc in chosen}
    companies = await locations.companies_of(session, chosen)
    used = [companies[loc.company_id] for loc in chosen if loc.company_id in companies]
    rules = await pricing_settings(session, settings)
    priced = _price(data, keys, facts, _company_name(used), rules, today)
    return _Quote(chosen, keys, facts, companies, priced)


async def preview_proposal(
    session: AsyncSession, data: ProposalInput, *, settings: Settings, now: datetime | None = None
) -> ProposalPreview:
    """The figures a proposal would have, without producing or recording anything."""
    today = local_now(settings, now).date()
    priced = (await _quote(session, data, settings, today)).priced
    shown = figures(priced)
    return ProposalPreview(
        kind=priced.kind,
        client_name=priced.client_name,
        payment_terms=priced.payment_terms,
        currency=priced.currency,
        proposal_date=today,
        valid_until=priced.validity_date,
        terms=shown["terms"],
        locations=[ProposalLocationOut.model_validate(loc) for loc in shown["locations"]],
        package=PackageOut.model_validate(shown["package"]) if shown["package"] else None,
    )


async def create_proposal(
    session: AsyncSession,
    storage: Storage,
    principal: Principal,
    data: ProposalInput,
    *,
    settings: Settings,
    progress: Progress = _quiet,
    now: datetime | None = None,
    previous: Proposal | None = None,
) -> Proposal:
    """Produce and record a proposal; `previous` makes it the next version of that one.

    Raises ProposalRejected (422) with the spec's messages; nothing is stored then.
    """
    when = local_now(settings, now)
    today = when.date()
    await progress(5, "Checking the request")
    quote = await _quote(session, data, settings, today)
    chosen, keys, companies, priced = quote.chosen, quote.keys, quote.companies, quote.priced
    facts_by_key = quote.facts
    await progress(15, f"Priced {len(chosen)} location{'s' if len(chosen) != 1 else ''}")

    templates: dict[str, bytes] = {}
    for loc in chosen:
        if loc.key not in templates:
            deck = await locations.template_of(session, storage, loc)
            if deck is not None:
                templates[loc.key] = deck
    # Rendering takes a while: give the pooled connection back until the results are stored.
    await session.commit()

    styles = [_style(companies.get(loc.company_id)) for loc in chosen]
    facts = [facts_by_key[key] for key in keys]
    if priced.kind == "combined":
        outputs = await _render_combined(priced, facts, templates, styles[0], when, progress)
    else:
        outputs = await _render_separate(
            priced, facts, [templates.get(k) for k in keys], styles, when, progress
        )

    await progress(90, "Saving the files")
    company_id = chosen[0].company_id if chosen else None
    cards: list[FileCard] = []
    links: list[ProposalFile] = []
    proposal_id = new_id()
    for position, output in enumerate(outputs):
        record = await files.store_generated(
            session,
            storage,
            owner_id=principal.user_id,
            name=output.name,
            data=output.data,
            content_type=output.content_type,
            company_id=company_id,
        )
        cards.append(files.file_card(record))
        links.append(
            ProposalFile(
                proposal_id=proposal_id, position=position, file_id=record.id, role=output.role
            )
        )
    root_id = previous.root_id if previous is not None else proposal_id
    version = await repository.last_version(session, root_id) + 1 if previous else 1
    proposal = Proposal(
        id=proposal_id,
        owner_id=principal.user_id,
        root_id=root_id,
        previous_id=previous.id if previous else None,
        version=version,
        kind=priced.kind,
        client_name=priced.client_name,
        currency=priced.currency,
        payment_terms=priced.payment_terms,
        proposal_date=today,
        valid_until=priced.validity_date,
        input=_input_of(data),
        figures=figures(priced),
        option_totals=[str(total) for total in priced.option_totals],
        files=[card.model_dump(mode="json") for card in cards],
        created_at=utcnow(),
    )
    places = [
        ProposalLocation(
            proposal_id=proposal_id,
            position=position,
            location_id=loc.id,
            location_key=loc.key,
            display_name=loc.display_name,
            company_id=loc.company_id,
        )
        for position, loc in enumerate(chosen)
    ]
    try:
        await repository.add(session, proposal, places, links)
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            "Someone made a new version of this proposal at the same moment; please try again.",
            code="version_conflict",
        ) from None
    await progress(100, "Proposal ready")
    log.info(
        "proposal_created",
        proposal_id=str(proposal.id),
        kind=proposal.kind,
        locations=len(chosen),
        version=proposal.version,
    )
    return proposal


# --- history -------------------------------------------------------------------------------


async def get_proposal(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID
) -> Proposal:
    """The proposal if the caller may see it; NotFound otherwise (no existence leak)."""
    proposal = await repository.get_visible(session, proposal_id, visibility(principal))
    if proposal is None:
        raise NotFound(PROPOSAL_NOT_FOUND)
    return proposal


def parse_input(raw: dict[str, Any]) -> ProposalInput:
    model = CombinedProposalIn if raw.get("kind") == "combined" else SeparateProposalIn
    try:
        return model.model_validate(raw)
    except ValidationError:
        raise ProposalRejected(
            "This proposal's input can no longer be read; please create it again.",
            code="input_unreadable",
        ) from None


async def duplicate_proposal(
    session: AsyncSession,
    storage: Storage,
    principal: Principal,
    proposal_id: uuid.UUID,
    changes: DuplicateRequest | None = None,
    *,
    settings: Settings,
    progress: Progress = _quiet,
    now: datetime | None = None,
) -> Proposal:
    """Produce the proposal again (today's date and rates), with optional changes."""
    source = await get_proposal(session, principal, proposal_id)
    raw = dict(source.input)
    if changes is not None:
        raw.update(changes.model_dump(exclude_unset=True, exclude_none=True))
    data = parse_input(raw)
    return await create_proposal(
        session,
        storage,
        principal,
        data,
        settings=settings,
        progress=progress,
        now=now,
        previous=source,
    )


async def _location_key(session: AsyncSession, text: str | None) -> str | None:
    """A location filter as typed: a key, name or alias (deleted locations by their key)."""
    if text is None or not text.strip():
        return None
    found = await locations.match(session, text, include_inactive=True)
    if found.location is not None:
        return found.location.key
    return text.strip().lower()


def _before(cursor: str | None) -> uuid.UUID | None:
    values = decode_cursor(cursor)
    if values is None:
        return None
    try:
        return uuid.UUID(str(values["before"]))
    except (KeyError, ValueError):
        raise ValidationFailed("The page cursor is not valid; start from the first page.") from None


async def list_proposals(
    session: AsyncSession,
    principal: Principal,
    *,
    client: str | None = None,
    location: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[list[ProposalSummary], str | None]:
    """One page of the history the caller may see, newest first, and the next cursor."""
    filters = Filters(
        client=client.strip() if client and client.strip() else None,
        location_key=await _location_key(session, location),
        date_from=date_from,
        date_to=date_to,
    )
    rows = await repository.page(
        session, visibility(principal), filters, before_id=_before(cursor), limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    places = await repository.locations_of(session, [p.id for p in rows])
    summaries = [_summary(p, places.get(p.id, [])) for p in rows]
    next_cursor = encode_cursor({"before": str(rows[-1].id)}) if more and rows else None
    return summaries, next_cursor


# --- export --------------------------------------------------------------------------------

_EXPORT_COLUMNS = (
    "Proposal ID",
    "Version",
    "Created",
    "Proposal date",
    "Owner",
    "Kind",
    "Client",
    "Locations",
    "Currency",
    "Payment terms",
    "Option",
    "Net rate",
    "Fee",
    "VAT",
    "Total",
    "Total (AED)",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _export_rows(
    proposal: Proposal, places: Sequence[ProposalLocation], owner: str, settings: Settings
) -> list[list[object]]:
    created = proposal.created_at.astimezone(zone(settings)).strftime("%Y-%m-%d %H:%M")
    base: list[object] = [
        str(proposal.id),
        proposal.version,
        created,
        proposal.proposal_date.isoformat(),
        _cell(owner),
        proposal.kind,
        _cell(proposal.client_name),
        _cell(", ".join(p.display_name for p in places)),
        proposal.currency,
        _cell(proposal.payment_terms),
    ]
    data = proposal.figures
    package = data.get("package")
    if package:
        durations = ", ".join(
            f"{loc['display_name']} {loc['durations'][0]}" for loc in data["locations"]
        )
        fee = " | ".join(f["text"] for f in package["fees"])
        return [
            [
                *base,
                _cell(durations),
                package["net_rate"]["text"],
                fee,
                package["vat"]["text"],
                package["total"]["text"],
                Decimal(package["total"]["aed"]),
            ]
        ]
    rows: list[list[object]] = []
    for loc in data.get("locations", []):
        for option in loc.get("options", []):
            rows.append(
                [
                    *base,
                    _cell(f"{loc['display_name']} {option['duration']}"),
                    option["net_rate"]["text"],
                    option["fee"]["text"],
                    option["vat"]["text"],
                    option["total"]["text"],
                    Decimal(option["total"]["aed"]),
                ]
            )
    return rows


def _workbook(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Proposals"
    sheet.append(list(_EXPORT_COLUMNS))
    for row in rows:
        sheet.append(list(row))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def export_proposals(
    session: AsyncSession,
    principal: Principal,
    *,
    settings: Settings,
    client: str | None = None,
    location: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    ip: str | None = None,
) -> bytes:
    """An Excel sheet of the proposals the caller may see (admins: all), one row per option."""
    filters = Filters(
        client=client.strip() if client and client.strip() else None,
        location_key=await _location_key(session, location),
        date_from=date_from,
        date_to=date_to,
    )
    proposals = await repository.page(
        session, visibility(principal), filters, before_id=None, limit=EXPORT_LIMIT
    )
    places = await repository.locations_of(session, [p.id for p in proposals])
    emails = {user.id: user.email for user in await users.list_users(session)}
    rows: list[list[object]] = []
    for proposal in proposals:
        owner = emails.get(proposal.owner_id, "") if proposal.owner_id else ""
        rows += _export_rows(proposal, places.get(proposal.id, []), owner, settings)
    audit.record(
        session,
        "proposals.export",
        actor_id=principal.user_id,
        actor_email=principal.email,
        target_type="proposals",
        ip=ip,
        details={"count": len(proposals)},
    )
    await session.commit()
    return await to_thread.run_sync(_workbook, rows)


# --- currency rates ------------------------------------------------------------------------


def _rates_out(rates: Mapping[str, Decimal]) -> CurrencyRates:
    return CurrencyRates(
        rates={
            code: format(rate.normalize(), "f")
            for code, rate in sorted(rates.items())
            if code != pricing.BASE_CURRENCY
        }
    )


async def currency_rates(session: AsyncSession) -> CurrencyRates:
    return _rates_out(await app_settings.get_currency_rates(session))


async def set_currency_rates(
    session: AsyncSession,
    rates: Mapping[str, Decimal],
    *,
    actor: Principal,
    ip: str | None = None,
) -> CurrencyRates:
    """Replace the rate table (AED per unit); unknown codes and non-positive rates are refused."""
    clean: dict[str, Decimal] = {}
    for raw_code, rate in rates.items():
        code = raw_code.strip().upper()
        if code not in KNOWN_CURRENCIES:
            raise ValidationFailed(
                f"Unknown currency '{pricing.quote(raw_code, 10)}'. "
                "Use ISO codes such as USD, EUR or GBP.",
                code="unknown_currency",
            )
        if not rate.is_finite() or rate <= 0:
            raise ValidationFailed(
                f"The rate for {code} must be more than zero.", code="invalid_rate"
            )
        if rate > MAX_RATE:
            raise ValidationFailed(f"The rate for {code} is too large.", code="invalid_rate")
        if code == pricing.BASE_CURRENCY:
            if rate != 1:
                raise ValidationFailed(
                    "AED is the base currency; its rate is always 1.", code="invalid_rate"
                )
            continue
        clean[code] = rate
    if not clean:
        raise ValidationFailed("Give at least one currency rate besides AED.", code="no_rates")
    stored = await app_settings.set_currency_rates(session, clean)
    audit.record(
        session,
        "settings.currency_rates",
        actor_id=actor.user_id,
        actor_email=actor.email,
        target_type="settings",
        target_id=app_settings.CURRENCY_RATES_KEY,
        ip=ip,
        details={"rates": {code: str(rate) for code, rate in clean.items()}},
    )
    await session.commit()
    return _rates_out(stored)
