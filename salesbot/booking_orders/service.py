"""Booking-order rules: reading a document into a draft, finding booking orders, editing them.

The approval workflow's steps are in `flows`, who may see or act in `access`, the API shape in
`presenters`, the forms in `rendering`, company templates and stamps in `company_documents`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from salesbot.assistant.providers import usable_model as llm_model
from salesbot.auth.service import Principal
from salesbot.booking_orders import (
    access,
    directory,
    events,
    messaging,
    references,
    repository,
    workflow,
)
from salesbot.booking_orders.calculations import (
    BookingOrder,
    BookingOrderError,
    Calculated,
    calculate,
)
from salesbot.booking_orders.directory import Company
from salesbot.booking_orders.edits import Edits as Edits
from salesbot.booking_orders.edits import LocationChange as LocationChange
from salesbot.booking_orders.edits import TypedAmounts, apply_edits
from salesbot.booking_orders.flows import act as act
from salesbot.booking_orders.flows import check_may as check_may
from salesbot.booking_orders.models import BookingOrderEvent, BookingOrderRow
from salesbot.booking_orders.presenters import present as present
from salesbot.booking_orders.reading.extract import extract
from salesbot.booking_orders.reading.notes import apply_overrides, parse_notes
from salesbot.booking_orders.reading.results import Extracted, ExtractionRefused
from salesbot.booking_orders.stored import decode, encode, store
from salesbot.booking_orders.views import Env as Env
from salesbot.booking_orders.views import View as View
from salesbot.booking_orders.views import build_view, load, read_upload
from salesbot.booking_orders.workflow import Action, State
from salesbot.commercial import service as commercial
from salesbot.files import service as files
from salesbot.kit import locks
from salesbot.kit.db import engine_of, utcnow
from salesbot.kit.errors import NotFound, ValidationFailed
from salesbot.kit.pagination import cursor_id, encode_cursor
from salesbot.kit.storage import Storage
from salesbot.settings import Settings
from salesbot.users import audit

# Re-exported (`x as x` above) because the assistant's tools reach the workflow step (`act`), the
# API shape (`present`), `Env`, `View`, `Edits` and `LocationChange` here.

# How long one intake may hold its file's lock (reading may ask the LLM, which may retry).
INTAKE_TTL_S = 300.0


def env_for(settings: Settings, storage: Storage) -> Env:
    """What booking-order work needs; the LLM comes from the assistant's one provider factory."""
    return Env(settings=settings, storage=storage, llm=llm_model(settings))


# ---------------------------------------------------------------- reads


async def get_view(session: AsyncSession, env: Env, principal: Principal, bo_id: uuid.UUID) -> View:
    row, companies = await load(session, principal, bo_id)
    return await build_view(session, env, principal, row, companies)


async def list_page(
    session: AsyncSession,
    principal: Principal,
    *,
    stages: Sequence[str] = (),
    company: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
) -> tuple[list[BookingOrderRow], dict[uuid.UUID, Company], str | None]:
    """One page of the booking orders the user may see, newest first."""
    companies = await directory.company_map(session)
    company_id = None
    if company:
        company_id = directory.resolve_company(companies.values(), company).id
    rows = await repository.page(
        session,
        access.scope_of(principal),
        limit=limit + 1,
        before_id=cursor_id(cursor),
        states=stages,
        company_id=company_id,
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor({"before": str(rows[-1].id)}) if has_more and rows else None
    return rows, companies, next_cursor


# The steps that move a booking order forward: what "waiting for you" means (finance's too).
_FORWARD = frozenset({Action.SUBMIT, Action.APPROVE, Action.REJECT, Action.BOOK, Action.INVOICE})
_OPEN = (State.DRAFT.value, State.COORDINATOR_REVIEW.value, State.HOS_REVIEW.value)
_UNFINISHED = (*_OPEN, State.APPROVED.value, State.BOOKED.value)


async def actionable(
    session: AsyncSession,
    principal: Principal,
    actions: Iterable[Action],
    *,
    scan: int = 200,
    stages: Sequence[str] = _OPEN,
) -> tuple[list[BookingOrderRow], dict[uuid.UUID, Company]]:
    """Booking orders at `stages` (the open ones unless told) the caller may take one of
    `actions` on now, newest first (among the newest `scan` they can see)."""
    wanted = set(actions)
    rows, companies, _ = await list_page(session, principal, stages=stages, limit=scan)
    actor = access.actor_of(principal, companies)
    found = [
        row
        for row in rows
        if wanted & set(access.allowed_actions(principal, actor, row, companies[row.company_id]))
    ]
    return found, companies


async def waiting_for(
    session: AsyncSession, principal: Principal, *, limit: int = 5
) -> tuple[list[BookingOrderRow], dict[uuid.UUID, Company], int]:
    """Booking orders the caller can move forward now (submit a draft, approve or reject in
    review, book or invoice for finance), newest first, and how many there are."""
    waiting, companies = await actionable(session, principal, _FORWARD, stages=_UNFINISHED)
    return waiting[:limit], companies, len(waiting)


async def timeline(
    session: AsyncSession, principal: Principal, bo_id: uuid.UUID
) -> list[BookingOrderEvent]:
    row, _ = await load(session, principal, bo_id)
    return await repository.events(session, row.id)


async def find(session: AsyncSession, principal: Principal, query: str) -> list[BookingOrderRow]:
    """By id, internal reference (BO-2025-0001) or the client's BO number."""
    text = " ".join(query.split())[:100]
    if not text:
        return []
    scope = access.scope_of(principal)
    try:
        row = await repository.get(session, uuid.UUID(text))
    except ValueError:
        row = None
    if row is not None:
        return [row] if access.can_see(scope, row) else []
    reference = references.normalise_reference(text)
    if reference is not None:
        return await repository.find(session, scope, reference=reference)
    return await repository.find(session, scope, bo_number=text)


async def resolve(
    session: AsyncSession, principal: Principal, query: str | None, *, states: Iterable[str]
) -> BookingOrderRow:
    """The booking order a chat request means: the one named, else the user's latest one."""
    if query and query.strip():
        rows = await find(session, principal, query)
        if not rows:
            raise NotFound(f"No booking order matches '{' '.join(query.split())[:40]}'.")
        return rows[0]
    row = await repository.latest_owned(session, access.scope_of(principal), states)
    if row is None:
        raise NotFound("You have no booking order at that stage; say which one you mean.")
    return row


# ---------------------------------------------------------------- intake


def _intake_company(
    companies: list[Company], requested: str | None, notes: str, principal: Principal
) -> Company:
    mentioned = parse_notes(notes, [c.name for c in companies]).get("company")
    if requested and requested.strip():
        try:
            return directory.resolve_company(companies, requested)
        except ValidationFailed:
            # "the BO from Emirates NBD for Backlite": the name asked for may be the client's,
            # while the message names one of ours.
            if not isinstance(mentioned, str):
                raise
    if isinstance(mentioned, str):
        return directory.resolve_company(companies, mentioned)
    own = [c for c in companies if c.id in principal.companies_for("coordinator")]
    own += [c for c in companies if c.id in principal.companies_for("hos")]
    if len({c.id for c in own}) == 1:
        return own[0]
    names = " or ".join(c.name for c in companies) or "a company"
    raise ValidationFailed(
        f"Which company is this booking order for? Say {names}.", code="company_required"
    )


async def _extract(
    env: Env, data: bytes, kind: str, content_type: str, company: str, names: list[str]
) -> Extracted:
    try:
        return await extract(
            data, kind, content_type, company=company, own_companies=names, model=env.llm
        )
    except ExtractionRefused as exc:
        details = {"classification": exc.classification} if exc.classification else None
        raise ValidationFailed(str(exc), code=exc.code, details=details) from exc


def _with_notes(
    extracted: Extracted,
    company: str,
    notes: str,
    names: list[str],
    settings: Settings,
    typed: TypedAmounts,
) -> tuple[BookingOrder, Calculated]:
    """What was read, with the values the user's message states instead (company excepted)."""
    overrides = parse_notes(notes, names)
    overrides.pop("company", None)
    try:
        bo = apply_overrides(replace(extracted.bo, company=company), overrides, typed)
        return bo, calculate(bo, commercial.vat_pct(settings))
    except BookingOrderError as exc:
        raise ValidationFailed(str(exc), code="invalid_booking_order") from exc


async def intake(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    *,
    file_id: uuid.UUID,
    company: str | None,
    notes: str,
) -> View:
    """Read an uploaded document into a new draft owned by the caller.

    One reading of a file at a time across every instance: a second intake of the same file
    that overlaps the first (a double submit, on another instance) waits for it and returns the
    caller's draft it made instead of reading the document again.
    """
    record = await files.get_for(session, principal, file_id)
    before = await repository.made_from(session, record.id)
    async with (
        locks.deployment_lock(env.settings.redis_dsn, engine_of(session)) as lock,
        locks.exclusive(lock, f"bo-intake:{record.id}", ttl_s=INTAKE_TTL_S, wait_s=INTAKE_TTL_S),
    ):
        for bo_id in await repository.made_from(session, record.id) - before:
            row = await repository.get(session, bo_id)
            if row is not None and row.owner_id == principal.user_id:
                companies = await directory.companies(session)
                return await build_view(session, env, principal, row, {c.id: c for c in companies})
        return await _read_into_draft(session, env, principal, record, company, notes)


async def _read_into_draft(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    record: files.StoredFile,
    company: str | None,
    notes: str,
) -> View:
    companies = await directory.companies(session)
    chosen = _intake_company(companies, company, notes, principal)
    names = [c.name for c in companies]
    data = await read_upload(files.read_bytes(env.storage, record))
    extracted = await _extract(env, data, record.kind, record.content_type, chosen.name, names)
    typed = TypedAmounts(await commercial.get_currency_rates(session))
    bo, calc = _with_notes(extracted, chosen.name, notes, names, env.settings, typed)
    bo = with_sales_person(bo, principal)
    seen = await _same_number(session, principal, bo.bo_number, chosen.id)
    row = BookingOrderRow(
        company_id=chosen.id,
        owner_id=principal.user_id,
        state=State.DRAFT.value,
        revision=1,
        intake_warnings=[*extracted.warnings, *seen],
        extraction=extracted.source,
        source_file_id=record.id,
        updated_at=utcnow(),
    )
    store(row, bo, calc)
    session.add(row)
    await session.flush()
    events.record(
        session, row, principal, "create", None, State.DRAFT.value, details={"file": str(record.id)}
    )
    await files.share_with_company(session, record.id, chosen.id)
    audit.record(
        session,
        principal,
        "bo_created",
        audit.Target("booking_order", row.id),
        {"company": chosen.code, "extraction": extracted.source},
    )
    await session.commit()
    view = await build_view(session, env, principal, row, {c.id: c for c in companies})
    return replace(view, currency_note=typed.note())


def with_sales_person(bo: BookingOrder, principal: Principal) -> BookingOrder:
    """The sales person the document names, else the one who uploaded it."""
    if bo.sales_person.strip():
        return bo
    return replace(bo, sales_person=principal.name)


async def _same_number(
    session: AsyncSession, principal: Principal, bo_number: str, company_id: uuid.UUID
) -> list[str]:
    """A warning, with a link, for each booking order of the company the caller may see that
    already has this client BO number (a re-upload is a separate draft, not an update)."""
    if not bo_number.strip():
        return []
    found = await repository.find(session, access.scope_of(principal), bo_number=bo_number)
    return [
        f"Booking order number {bo_number} already exists: {messaging.label(row)} "
        f"({workflow.STAGE_WORDS[State(row.state)]}), [open it](/booking-orders/{row.id}). "
        "This upload is a separate draft; cancel it if it is the same order."
        for row in found
        if row.company_id == company_id
    ]


async def start_draft(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    *,
    company_id: uuid.UUID,
    bo: BookingOrder,
    source: str,
    source_file_id: uuid.UUID | None = None,
    bo_id: uuid.UUID | None = None,
) -> View:
    """A new draft owned by the caller from figures the product already has (an accepted
    proposal, whose signed copy is the original document): calculated like an intake, then
    reviewed and submitted as usual."""
    chosen = await directory.company(session, company_id)
    if chosen is None:
        raise ValidationFailed("The proposal's company no longer exists.", code="unknown_company")
    try:
        bo = with_sales_person(replace(bo, company=chosen.name), principal)
        calc = calculate(bo, commercial.vat_pct(env.settings))
    except BookingOrderError as exc:
        raise ValidationFailed(str(exc), code="invalid_booking_order") from exc
    row = BookingOrderRow(
        company_id=chosen.id,
        owner_id=principal.user_id,
        state=State.DRAFT.value,
        revision=1,
        intake_warnings=[],
        extraction=source,
        source_file_id=source_file_id,
        updated_at=utcnow(),
    )
    if bo_id is not None:
        row.id = bo_id
    store(row, bo, calc)
    session.add(row)
    await session.flush()
    details = {"file": str(source_file_id)} if source_file_id else {}
    events.record(session, row, principal, "create", None, State.DRAFT.value, details=details)
    if source_file_id is not None:
        await files.share_with_company(session, source_file_id, chosen.id)
    audit.record(
        session,
        principal,
        "bo_created",
        audit.Target("booking_order", row.id),
        {"company": chosen.code, "extraction": source},
    )
    await session.commit()
    return await build_view(session, env, principal, row, {chosen.id: chosen})


# ---------------------------------------------------------------- edits


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in after if before.get(key) != after.get(key))


async def _edited(
    session: AsyncSession, env: Env, row: BookingOrderRow, edits: Edits, typed: TypedAmounts
) -> tuple[BookingOrder, Calculated]:
    try:
        bo = apply_edits(decode(row.data), edits, typed.rates, typed)
        return bo, calculate(bo, commercial.vat_pct(env.settings))
    except BookingOrderError as exc:
        raise ValidationFailed(str(exc), code="invalid_booking_order") from exc


async def edit(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    bo_id: uuid.UUID,
    edits: Edits,
    *,
    version: int | None,
) -> View:
    """Change fields (the owner in draft, coordinators in review) and recalculate."""
    row, companies = await load(session, principal, bo_id)
    company = companies[row.company_id]
    if version is not None and version != row.version:
        raise await events.conflict(session, env.settings, row.id)
    actor = access.actor_of(principal, companies)
    is_owner = row.owner_id == principal.user_id
    access.check_editable(row, company, workflow.editable(row.state, actor, company.name, is_owner))
    before = dict(row.data)
    typed = TypedAmounts(await commercial.get_currency_rates(session))
    bo, calc = await _edited(session, env, row, edits, typed)
    changed = _changed_fields(before, encode(bo))
    if not changed:
        view = await build_view(session, env, principal, row, companies)
        return replace(view, currency_note=typed.note())
    bo_id_value = row.id
    store(row, bo, calc)
    row.updated_at = utcnow()
    events.record(
        session, row, principal, "edit", row.state, row.state, details={"changed": changed}
    )
    try:
        await session.flush()
    except StaleDataError:
        await session.rollback()
        raise await events.conflict(session, env.settings, bo_id_value) from None
    await session.commit()
    view = await build_view(session, env, principal, row, companies)
    return replace(view, currency_note=typed.note())
