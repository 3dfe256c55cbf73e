"""Proposal rules: validate, match locations, price, render, store the files, record history.

Every number comes from `pricing` (pure); rendering runs in worker threads so the event loop
keeps serving while a deck is drawn. A produced proposal is never changed: duplicating or
re-generating makes a new version linked to the previous one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.commercial import service as commercial
from salesbot.files import service as files
from salesbot.kit.db import utcnow
from salesbot.kit.errors import Conflict, NotFound, ValidationFailed
from salesbot.kit.ids import new_id
from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import counter
from salesbot.kit.pagination import cursor_id, encode_cursor
from salesbot.kit.storage import Storage
from salesbot.kit.tools import FileCard
from salesbot.locations import service as locations
from salesbot.locations.service import LocationInfo
from salesbot.proposals import checks, materials, pricing, render, repository
from salesbot.proposals.models import Proposal, ProposalFile, ProposalLocation
from salesbot.proposals.presenters import figures, record_fields, summary
from salesbot.proposals.priced import PricedProposal
from salesbot.proposals.repository import Filters, Visibility
from salesbot.proposals.schemas import (
    CombinedArgs,
    CombinedItem,
    CombinedProposalIn,
    DuplicateRequest,
    PackageOut,
    ProposalLocationOut,
    ProposalOut,
    ProposalPreview,
    ProposalSummary,
    SeparateArgs,
    SeparateItem,
    SeparateProposalIn,
    WarningOut,
)
from salesbot.settings import Settings
from salesbot.users import service as users

log = get_logger(__name__)

PROPOSALS_PRODUCED = counter("salesbot_proposals_produced_total", "Proposals produced", ["kind"])

Progress = render.Progress
ProposalInput = SeparateArgs | CombinedArgs

PROPOSAL_NOT_FOUND = "Proposal not found."
_MANAGER_ROLES = frozenset({"hos", "finance"})


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


def pricing_settings(terms: commercial.Terms) -> pricing.PricingSettings:
    """The numbers pricing works with, from the commercial terms in effect."""
    return pricing.PricingSettings(
        vat_pct=terms.vat_pct,
        dm_fee=terms.dm_fee,
        rates={code: rate for code, rate in terms.rates.items() if code != pricing.BASE_CURRENCY},
        validity_days=terms.proposal_validity_days,
    )


def location_facts(location: LocationInfo, default_upload_fee: Decimal) -> pricing.LocationFacts:
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
    """Everyone sees their own; with `proposals:read_all`, HoS/finance also see the proposals
    of the companies their role is for, and only an admin sees every company's.

    The permission is checked for admins too: an admin's API key without `proposals:read_all`
    reads like anyone else's, never the whole history.
    """
    if not principal.has("proposals:read_all"):
        return Visibility(principal.user_id)
    if any(grant.role == "admin" for grant in principal.roles):
        return Visibility(principal.user_id, all=True)
    companies = frozenset(
        g.company_id for g in principal.roles if g.role in _MANAGER_ROLES and g.company_id
    )
    return Visibility(principal.user_id, company_ids=companies)


# --- matching and pricing ------------------------------------------------------------------


def _names(data: ProposalInput) -> list[str]:
    if isinstance(data, CombinedArgs):
        return [item.location for item in data.locations]
    return [item.location for item in data.proposals]


async def _resolve(session: AsyncSession, names: Sequence[str]) -> list[LocationInfo]:
    """Each name's active location, or the spec's error naming the proposal's position."""
    found: list[LocationInfo] = []
    matches = await locations.match_active(session, names)
    for position, (name, match) in enumerate(zip(names, matches, strict=True), start=1):
        if match.location is not None:
            found.append(match.location)
            continue
        candidates = [r.display_name for r in match.candidates]
        keys = [r.key for r in match.candidates]
        if match.outcome == "ambiguous":
            raise ProposalRejected(
                f"{match.message} (proposal {position})",
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


def _company_name(companies: Sequence[users.CompanyInfo]) -> str:
    names = list(dict.fromkeys(c.name for c in companies))
    return " and ".join(names)


def _placement(item: SeparateItem | CombinedItem) -> dict[str, Any]:
    """What every pricing item takes from a location's input besides its rates."""
    return {
        "start_date": item.start_date,
        "end_date": item.end_date,
        "spots": item.spots,
        "production_fee": item.production_fee,
    }


def _pricing_request(
    data: ProposalInput, keys: Sequence[str], company_name: str
) -> pricing.SeparateRequest | pricing.CombinedRequest:
    """The request in pricing's terms, each location named by its matched key."""
    common: dict[str, Any] = {
        "client_name": data.client_name,
        "payment_terms": data.payment_terms or pricing.DEFAULT_PAYMENT_TERMS,
        "currency": data.currency or pricing.BASE_CURRENCY,
        "company_name": company_name,
        "rates_currency": data.rates_currency or pricing.BASE_CURRENCY,
    }
    if isinstance(data, CombinedArgs):
        package = [
            pricing.CombinedItem(location=key, duration=item.duration, **_placement(item))
            for key, item in zip(keys, data.locations, strict=True)
        ]
        return pricing.CombinedRequest(
            items=package, combined_net_rate=data.combined_net_rate, **common
        )
    separate = [
        pricing.SeparateItem(
            location=key, durations=item.durations, net_rates=item.net_rates, **_placement(item)
        )
        for key, item in zip(keys, data.proposals, strict=True)
    ]
    return pricing.SeparateRequest(items=separate, **common)


def _price(
    data: ProposalInput,
    keys: Sequence[str],
    facts: Mapping[str, pricing.LocationFacts],
    company_name: str,
    rules: pricing.PricingSettings,
    today: date,
) -> PricedProposal:
    request = _pricing_request(data, keys, company_name)
    try:
        if isinstance(request, pricing.CombinedRequest):
            return pricing.price_combined(request, facts, rules, today)
        return pricing.price_separate(request, facts, rules, today)
    except pricing.MissingInformation as exc:
        raise ProposalRejected(
            str(exc),
            code="missing_information",
            details={"missing": [{"location": k, "field": f} for k, f in exc.missing]},
        ) from None
    except pricing.ProposalError as exc:
        raise ProposalRejected(
            str(exc), details={"allowed": list(exc.allowed)} if exc.allowed else None
        ) from None


# --- as returned --------------------------------------------------------------------------


def to_out(proposal: Proposal) -> ProposalOut:
    data = proposal.figures
    package = data.get("package")
    return ProposalOut(
        **record_fields(proposal),
        payment_terms=proposal.payment_terms,
        valid_until=proposal.valid_until,
        terms=list(data.get("terms", [])),
        locations=[ProposalLocationOut.model_validate(loc) for loc in data.get("locations", [])],
        package=PackageOut.model_validate(package) if package else None,
        input=proposal.input,
        warnings=_recorded_warnings(proposal),
        currency_note=data.get("currency_note"),
    )


def _recorded_warnings(proposal: Proposal) -> list[WarningOut]:
    """The warnings the request had on the day the proposal was made."""
    try:
        data = parse_input(proposal.input)
    except ProposalRejected:
        return []
    keys = [str(loc.get("key", "")) for loc in proposal.figures.get("locations", [])]
    return start_warnings(data, proposal.proposal_date, keys)


def start_warnings(data: ProposalInput, today: date, keys: Sequence[str]) -> list[WarningOut]:
    """A warning per location whose start date is before `today`, named by its matched key."""
    items = data.locations if isinstance(data, CombinedArgs) else data.proposals
    starts = checks.starts_of(items)
    if len(keys) == len(starts):
        starts = [(key, text) for key, (_, text) in zip(keys, starts, strict=True)]
    return [
        WarningOut(code=checks.PAST_START, field="start_date", location=s.location, message=text)
        for s in checks.past_starts(starts, today)
        for text in [checks.warning_text(s)]
    ]


# --- producing a proposal ------------------------------------------------------------------


def input_of(data: ProposalInput) -> dict[str, Any]:
    kind = "combined" if isinstance(data, CombinedArgs) else "separate"
    # As the user sent it (no filled-in defaults), so the record shows what was asked for.
    return {"kind": kind, **data.model_dump(mode="json", exclude_unset=True, exclude={"kind"})}


@dataclass(frozen=True)
class _Quote:
    data: ProposalInput  # as asked, the client's name in its first-written case
    chosen: list[LocationInfo]
    keys: list[str]
    facts: dict[str, pricing.LocationFacts]
    companies: dict[uuid.UUID, users.CompanyInfo]
    priced: PricedProposal


async def _quote(
    session: AsyncSession, data: ProposalInput, settings: Settings, today: date
) -> _Quote:
    """Match the locations and price the request (no files, nothing stored)."""
    client = await materials.client_name(session, data.client_name)
    data = data.model_copy(update={"client_name": client})
    chosen = await _resolve(session, _names(data))
    keys = [loc.key for loc in chosen]
    terms = await commercial.terms(session, settings)
    facts = {loc.key: location_facts(loc, terms.default_upload_fee) for loc in chosen}
    companies = await locations.companies_of(session, chosen)
    used = [companies[loc.company_id] for loc in chosen if loc.company_id in companies]
    priced = _price(data, keys, facts, _company_name(used), pricing_settings(terms), today)
    return _Quote(data, chosen, keys, facts, companies, priced)


async def preview_proposal(
    session: AsyncSession, data: ProposalInput, *, settings: Settings, now: datetime | None = None
) -> ProposalPreview:
    """The figures a proposal would have, without producing or recording anything."""
    today = local_now(settings, now).date()
    quote = await _quote(session, data, settings, today)
    priced = quote.priced
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
        warnings=start_warnings(data, today, [loc.key for loc in quote.chosen]),
        currency_note=shown["currency_note"],
    )


async def _render(
    quote: _Quote,
    templates: dict[str, bytes],
    photos: dict[str, bytes],
    when: datetime,
    progress: Progress,
) -> list[render.Output]:
    styles = [render.deck_style(quote.companies.get(loc.company_id)) for loc in quote.chosen]
    facts = [quote.facts[key] for key in quote.keys]
    priced = quote.priced
    if priced.kind == "combined":
        return await render.render_combined(
            priced, facts, templates, styles, when, progress, photos
        )
    decks = [templates.get(k) for k in quote.keys]
    return await render.render_separate(priced, facts, decks, styles, when, progress, photos)


async def _store_files(
    session: AsyncSession,
    storage: Storage,
    principal: Principal,
    proposal_id: uuid.UUID,
    outputs: Sequence[render.Output],
    company_id: uuid.UUID | None,
) -> tuple[list[FileCard], list[ProposalFile]]:
    """Store the produced files; their cards and their links to the proposal, in order."""
    cards: list[FileCard] = []
    links: list[ProposalFile] = []
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
    return cards, links


def _places(proposal_id: uuid.UUID, chosen: Sequence[LocationInfo]) -> list[ProposalLocation]:
    """The proposal's own copy of its locations (they may be renamed or deleted later)."""
    return [
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


async def _record(
    session: AsyncSession,
    proposal: Proposal,
    places: Sequence[ProposalLocation],
    links: Sequence[ProposalFile],
) -> None:
    try:
        await repository.add(session, proposal, places, links)
        await session.commit()
        PROPOSALS_PRODUCED.labels(proposal.kind).inc()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            "Someone made a new version of this proposal at the same moment; please try again.",
            code="version_conflict",
        ) from None


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
    conversation_id: uuid.UUID | None = None,
) -> Proposal:
    """Produce and record a proposal (the next version of `previous`, made in the chat
    `conversation_id`); ProposalRejected (422) with the spec's messages stores nothing."""
    when = local_now(settings, now)
    today = when.date()
    await progress(5, "Checking the request")
    quote = await _quote(session, data, settings, today)
    chosen, priced = quote.chosen, quote.priced
    await progress(15, f"Priced {len(chosen)} location{'s' if len(chosen) != 1 else ''}")
    templates, photos = await materials.gather(session, storage, chosen, principal.user_id)
    # Rendering takes a while: give the pooled connection back until the results are stored.
    await session.commit()
    outputs = await _render(quote, templates, photos, when, progress)

    await progress(90, "Saving the files")
    proposal_id = new_id()
    company_id = chosen[0].company_id if chosen else None
    cards, links = await _store_files(session, storage, principal, proposal_id, outputs, company_id)
    root_id = previous.root_id if previous is not None else proposal_id
    version = await repository.last_version(session, root_id) + 1 if previous else 1
    proposal = Proposal(
        id=proposal_id,
        owner_id=principal.user_id,
        root_id=root_id,
        previous_id=previous.id if previous else None,
        conversation_id=conversation_id,
        version=version,
        kind=priced.kind,
        client_name=priced.client_name,
        currency=priced.currency,
        payment_terms=priced.payment_terms,
        proposal_date=today,
        valid_until=priced.validity_date,
        input=input_of(quote.data),
        figures=figures(priced),
        option_totals=[str(total) for total in priced.option_totals],
        files=[card.model_dump(mode="json") for card in cards],
        created_at=utcnow(),
    )
    await _record(session, proposal, _places(proposal_id, chosen), links)
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


async def location_key(session: AsyncSession, text: str | None) -> str | None:
    """A location filter as typed: a key, name or alias (deleted locations by their key)."""
    if text is None or not text.strip():
        return None
    found = await locations.match(session, text, include_inactive=True)
    if found.location is not None:
        return found.location.key
    return text.strip().lower()


async def history_filters(
    session: AsyncSession,
    client: str | None,
    location: str | None,
    date_from: date | None,
    date_to: date | None,
) -> Filters:
    """The history filters as typed: blank ones dropped, a location by key, name or alias."""
    return Filters(
        client=client.strip() if client and client.strip() else None,
        location_key=await location_key(session, location),
        date_from=date_from,
        date_to=date_to,
    )


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
    filters = await history_filters(session, client, location, date_from, date_to)
    rows = await repository.page(
        session, visibility(principal), filters, before_id=cursor_id(cursor), limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    places = await repository.locations_of(session, [p.id for p in rows])
    summaries = [summary(p, places.get(p.id, [])) for p in rows]
    next_cursor = encode_cursor({"before": str(rows[-1].id)}) if more and rows else None
    return summaries, next_cursor
