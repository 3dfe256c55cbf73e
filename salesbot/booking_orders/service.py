"""Booking-order rules: intake, edits, the approval workflow, references, documents, exports.

Who may see a booking order: its owner (the sales person), the coordinators, heads of sales and
finance users of its company, and admins. Who may act on it is decided by `workflow`; this module
records every step (an event row, the audit log, notifications) in the same transaction as the
change, with an optimistic version check so a transition applies exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from salesbot.auth.service import Principal
from salesbot.booking_orders import documents, references, repository, workflow
from salesbot.booking_orders.calculations import (
    BookingOrder,
    BookingOrderError,
    Calculated,
    Location,
    add_location,
    apply_edit,
    calculate,
    convert_currency,
    format_amount,
    problems,
    remove_location,
)
from salesbot.booking_orders.excel import TemplateError, amount_format
from salesbot.booking_orders.extraction import ExtractionRefused, document_text, extract
from salesbot.booking_orders.models import BookingOrderEvent, BookingOrderRow, CompanyDocuments
from salesbot.booking_orders.parsing import apply_overrides, parse_notes
from salesbot.booking_orders.pdf import PdfError
from salesbot.booking_orders.repository import Scope
from salesbot.booking_orders.schemas import (
    BookingOrderFields,
    BookingOrderOut,
    CompanyRef,
    LocationOut,
    Totals,
)
from salesbot.booking_orders.stamp import StampError
from salesbot.booking_orders.templates import SHEET_NAME, default_stamp, default_template
from salesbot.booking_orders.workflow import Action, Actor, State
from salesbot.commercial.service import get_currency_rates
from salesbot.files import service as files
from salesbot.files.models import FileRecord
from salesbot.files.service import FileTooLargeToProcess, GeneratedFileInvalid
from salesbot.jobs import enqueue
from salesbot.kit.db import utcnow
from salesbot.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesbot.kit.logging import get_logger
from salesbot.kit.pagination import decode_cursor, encode_cursor
from salesbot.kit.storage import Storage, StorageError
from salesbot.notifications import service as notifications
from salesbot.notifications.service import Batch, Recipient
from salesbot.settings import Settings
from salesbot.users import audit
from salesbot.users.models import Company, User

log = get_logger(__name__)

COMPANY_ROLES = ("coordinator", "hos", "finance")
NOT_FOUND = "Booking order not found."
_ACTION_PAST = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "cancel": "cancelled",
    "revise": "revised",
    "edit": "changed",
    "create": "created",
    "documents": "changed",
}
_IMAGE_TYPES = {"png": "image/png", "jpeg": "image/jpeg"}


@dataclass(frozen=True)
class Env:
    """What the service needs from the running app."""

    settings: Settings
    storage: Storage
    # A PydanticAI model (or model name) for extraction; None reads documents without an LLM.
    llm: Any = None


@dataclass
class View:
    """A booking order as one user sees it."""

    row: BookingOrderRow
    company: Company
    bo: BookingOrder
    calc: Calculated | None
    problems: list[str]
    allowed: list[Action]
    editable: bool
    files: dict[str, FileRecord | None] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        found = list(self.row.intake_warnings or [])
        if self.calc is not None:
            found += [w for w in self.calc.warnings if w not in found]
        return found


def llm_model(settings: Settings) -> Any:
    """The PydanticAI model for extraction from SALESBOT_LLM_*, or None (read without an LLM)."""
    name = (settings.llm_model or "").strip()
    if not name or name == "offline":
        return None
    provider, _, model_name = name.partition(":")
    if not model_name:
        provider, model_name = "openai", name
    api_key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if provider == "anthropic" and not settings.llm_base_url:
        from pydantic_ai.models.anthropic import AnthropicModel
        from pydantic_ai.providers.anthropic import AnthropicProvider

        return AnthropicModel(model_name, provider=AnthropicProvider(api_key=api_key))
    if provider == "openai" or settings.llm_base_url:
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        return OpenAIChatModel(
            model_name, provider=OpenAIProvider(base_url=settings.llm_base_url, api_key=api_key)
        )
    # Other providers (e.g. google-gla:...) are resolved by PydanticAI from their own env vars.
    return name


# ---------------------------------------------------------------- stored form of a booking order


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: object) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _date(value: object) -> date | None:
    return None if not value else date.fromisoformat(str(value))


def encode(bo: BookingOrder) -> dict[str, Any]:
    """JSON-safe: amounts and dates as strings, so nothing passes through a float."""
    return {
        "company": bo.company,
        "bo_number": bo.bo_number,
        "bo_date": bo.bo_date.isoformat() if bo.bo_date else None,
        "client": bo.client,
        "agency": bo.agency,
        "brand_campaign": bo.brand_campaign,
        "category": bo.category,
        "asset": list(bo.asset),
        "currency": bo.currency,
        "payment_terms": bo.payment_terms,
        "sales_person": bo.sales_person,
        "commission_pct": _text(bo.commission_pct),
        "sla_pct": _text(bo.sla_pct),
        "municipality_fee": str(bo.municipality_fee),
        "production_upload_fee": str(bo.production_upload_fee),
        "net_pre_vat": _text(bo.net_pre_vat),
        "vat": _text(bo.vat),
        "gross": _text(bo.gross),
        "notes": bo.notes,
        "locations": [
            {
                "name": loc.name,
                "asset": loc.asset,
                "start_date": loc.start_date.isoformat() if loc.start_date else None,
                "end_date": loc.end_date.isoformat() if loc.end_date else None,
                "net_amount": _text(loc.net_amount),
                "campaign_duration": loc.campaign_duration,
            }
            for loc in bo.locations
        ],
    }


def decode(data: dict[str, Any]) -> BookingOrder:
    return BookingOrder(
        company=str(data.get("company", "")),
        bo_number=str(data.get("bo_number", "")),
        bo_date=_date(data.get("bo_date")),
        client=str(data.get("client", "")),
        agency=str(data.get("agency", "")),
        brand_campaign=str(data.get("brand_campaign", "")),
        category=str(data.get("category", "")),
        asset=tuple(str(a) for a in data.get("asset", [])),
        currency=str(data.get("currency", "AED")),
        payment_terms=str(data.get("payment_terms", "")),
        sales_person=str(data.get("sales_person", "")),
        commission_pct=_decimal(data.get("commission_pct")),
        sla_pct=_decimal(data.get("sla_pct")),
        municipality_fee=_decimal(data.get("municipality_fee")) or Decimal(0),
        production_upload_fee=_decimal(data.get("production_upload_fee")) or Decimal(0),
        net_pre_vat=_decimal(data.get("net_pre_vat")),
        vat=_decimal(data.get("vat")),
        gross=_decimal(data.get("gross")),
        notes=str(data.get("notes", "")),
        locations=tuple(
            Location(
                name=str(loc.get("name", "")),
                asset=str(loc.get("asset", "")),
                start_date=_date(loc.get("start_date")),
                end_date=_date(loc.get("end_date")),
                net_amount=_decimal(loc.get("net_amount")),
                campaign_duration=str(loc.get("campaign_duration", "")),
            )
            for loc in data.get("locations", [])
        ),
    )


def _store(row: BookingOrderRow, bo: BookingOrder, calc: Calculated | None) -> None:
    row.data = encode(bo)
    row.bo_number = bo.bo_number[:100]
    row.client = bo.client[:200]
    row.currency = bo.currency
    row.gross = calc.gross if calc is not None else None


# ---------------------------------------------------------------- who is asking


def _is_admin(principal: Principal) -> bool:
    return any(grant.role == "admin" for grant in principal.roles)


def scope_of(principal: Principal) -> Scope:
    company_ids: set[uuid.UUID] = set()
    for role in COMPANY_ROLES:
        company_ids |= principal.companies_for(role)
    return Scope(
        all=_is_admin(principal), company_ids=frozenset(company_ids), owner_id=principal.user_id
    )


def _can_see(scope: Scope, row: BookingOrderRow) -> bool:
    return scope.all or row.owner_id == scope.owner_id or row.company_id in scope.company_ids


def _actor(principal: Principal, names: dict[uuid.UUID, str]) -> Actor:
    def named(role: str) -> list[str]:
        return [names[c] for c in principal.companies_for(role) if c in names]

    return Actor.of(
        str(principal.user_id),
        roles=[grant.role for grant in principal.roles],
        coordinator_of=named("coordinator"),
        hos_of=named("hos"),
    )


async def _company_map(session: AsyncSession) -> dict[uuid.UUID, Company]:
    return {c.id: c for c in await repository.companies(session)}


def _tz(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def _when(settings: Settings, moment: datetime) -> str:
    return moment.astimezone(_tz(settings)).strftime("%d-%m-%Y %H:%M")


def _label(row: BookingOrderRow) -> str:
    if row.reference:
        return row.reference if row.revision == 1 else f"{row.reference} (revision {row.revision})"
    if row.bo_number:
        return f"booking order {row.bo_number}"
    return f"the booking order for {row.client}" if row.client else "a booking order"


def _link(row: BookingOrderRow) -> str:
    return f"/booking-orders/{row.id}"


# ---------------------------------------------------------------- views


async def _file(session: AsyncSession, file_id: uuid.UUID | None) -> FileRecord | None:
    if file_id is None:
        return None
    record = await session.get(FileRecord, file_id)
    if record is None or record.deleted_at is not None:
        return None
    return record


async def _view(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    row: BookingOrderRow,
    companies: dict[uuid.UUID, Company],
) -> View:
    company = companies[row.company_id]
    bo = decode(row.data)
    calc: Calculated | None = None
    found = problems(bo)
    if not found:
        try:
            calc = calculate(bo, env.settings.vat_pct)
        except BookingOrderError as exc:
            found = [str(exc)]
    actor = _actor(principal, {c.id: c.name for c in companies.values()})
    is_owner = row.owner_id == principal.user_id
    allowed = workflow.allowed_actions(row.state, actor, company.name, is_owner)
    if not principal.has("booking_orders:edit"):
        allowed = [a for a in allowed if a not in (Action.APPROVE, Action.REJECT, Action.REVISE)]
    if not principal.has("booking_orders:create"):
        allowed = [a for a in allowed if a not in (Action.SUBMIT, Action.CANCEL)]
    editable = principal.has("booking_orders:create") and workflow.editable(
        row.state, actor, company.name, is_owner
    )
    view = View(
        row=row,
        company=company,
        bo=bo,
        calc=calc,
        problems=found,
        allowed=allowed,
        editable=editable,
    )
    for key, file_id in (
        ("source", row.source_file_id),
        ("excel", row.excel_file_id),
        ("stamped", row.stamped_file_id),
        ("final_pdf", row.final_pdf_file_id),
    ):
        view.files[key] = await _file(session, file_id)
    return view


async def _load(
    session: AsyncSession, principal: Principal, bo_id: uuid.UUID
) -> tuple[BookingOrderRow, dict[uuid.UUID, Company]]:
    row = await repository.get(session, bo_id)
    if row is None or not _can_see(scope_of(principal), row):
        raise NotFound(NOT_FOUND)
    return row, await _company_map(session)


async def _fresh_view(
    session: AsyncSession, env: Env, principal: Principal, bo_id: uuid.UUID
) -> View:
    """Reloaded from the database (after commits or a rollback expired what was loaded)."""
    row = await session.get_one(BookingOrderRow, bo_id, populate_existing=True)
    return await _view(session, env, principal, row, await _company_map(session))


async def get_view(session: AsyncSession, env: Env, principal: Principal, bo_id: uuid.UUID) -> View:
    row, companies = await _load(session, principal, bo_id)
    return await _view(session, env, principal, row, companies)


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
    companies = await _company_map(session)
    company_id = None
    if company:
        company_id = _resolve_company(companies.values(), company).id
    before: uuid.UUID | None = None
    decoded = decode_cursor(cursor)
    if decoded is not None:
        try:
            before = uuid.UUID(str(decoded.get("before")))
        except ValueError as exc:
            raise ValidationFailed(
                "The page cursor is not valid; start from the first page."
            ) from exc
    rows = await repository.page(
        session,
        scope_of(principal),
        limit=limit + 1,
        before_id=before,
        states=stages,
        company_id=company_id,
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor({"before": str(rows[-1].id)}) if has_more and rows else None
    return rows, companies, next_cursor


async def events(
    session: AsyncSession, principal: Principal, bo_id: uuid.UUID
) -> list[BookingOrderEvent]:
    row, _ = await _load(session, principal, bo_id)
    return await repository.events(session, row.id)


def _resolve_company(companies: Iterable[Company], wanted: str) -> Company:
    key = " ".join(wanted.split()).casefold()
    listed = list(companies)
    for company in listed:
        if key in (company.code.casefold(), company.name.casefold()):
            return company
    names = " or ".join(c.name for c in listed) or "none are set up yet"
    raise ValidationFailed(f"Unknown company; choose {names}.", code="unknown_company")


async def find(session: AsyncSession, principal: Principal, query: str) -> list[BookingOrderRow]:
    """By id, internal reference (BO-2025-0001) or the client's BO number."""
    text = " ".join(query.split())[:100]
    if not text:
        return []
    scope = scope_of(principal)
    try:
        row = await repository.get(session, uuid.UUID(text))
    except ValueError:
        row = None
    if row is not None:
        return [row] if _can_see(scope, row) else []
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
    row = await repository.latest_owned(session, scope_of(principal), states)
    if row is None:
        raise NotFound("You have no booking order at that stage; say which one you mean.")
    return row


# ---------------------------------------------------------------- intake


async def _read_upload(env: Env, record: FileRecord) -> bytes:
    try:
        return await files.read_bytes(env.storage, record)
    except FileTooLargeToProcess as exc:
        raise ValidationFailed(str(exc), code="file_too_large") from exc


def _intake_company(
    companies: list[Company], requested: str | None, notes: str, principal: Principal
) -> Company:
    if requested and requested.strip():
        return _resolve_company(companies, requested)
    mentioned = parse_notes(notes, [c.name for c in companies]).get("company")
    if isinstance(mentioned, str):
        return _resolve_company(companies, mentioned)
    own = [c for c in companies if c.id in principal.companies_for("coordinator")]
    own += [c for c in companies if c.id in principal.companies_for("hos")]
    if len({c.id for c in own}) == 1:
        return own[0]
    names = " or ".join(c.name for c in companies) or "a company"
    raise ValidationFailed(
        f"Which company is this booking order for? Say {names}.", code="company_required"
    )


async def intake(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    *,
    file_id: uuid.UUID,
    company: str | None,
    notes: str,
    ip: str | None = None,
) -> View:
    """Read an uploaded document into a new draft owned by the caller."""
    record = await files.get_for(session, principal, file_id)
    companies = await repository.companies(session)
    chosen = _intake_company(companies, company, notes, principal)
    names = [c.name for c in companies]
    data = await _read_upload(env, record)
    try:
        extracted = await extract(
            data,
            record.kind,
            record.content_type,
            company=chosen.name,
            own_companies=names,
            model=env.llm,
        )
    except ExtractionRefused as exc:
        details = {"classification": exc.classification} if exc.classification else None
        raise ValidationFailed(str(exc), code=exc.code, details=details) from exc
    overrides = parse_notes(notes, names)
    overrides.pop("company", None)
    try:
        bo = apply_overrides(replace(extracted.bo, company=chosen.name), overrides)
        calc = calculate(bo, env.settings.vat_pct)
    except BookingOrderError as exc:
        raise ValidationFailed(str(exc), code="invalid_booking_order") from exc
    row = BookingOrderRow(
        company_id=chosen.id,
        owner_id=principal.user_id,
        state=State.DRAFT.value,
        revision=1,
        intake_warnings=list(extracted.warnings),
        extraction=extracted.source,
        source_file_id=record.id,
        updated_at=utcnow(),
    )
    _store(row, bo, calc)
    session.add(row)
    await session.flush()
    _event(
        session, row, principal, "create", None, State.DRAFT.value, details={"file": str(record.id)}
    )
    await files.share_with_company(session, record.id, chosen.id)
    audit.record(
        session,
        "bo_created",
        actor_id=principal.user_id,
        actor_email=principal.email,
        target_type="booking_order",
        target_id=row.id,
        ip=ip,
        details={"company": chosen.code, "extraction": extracted.source},
    )
    await session.commit()
    return await _view(session, env, principal, row, {c.id: c for c in companies})


def _event(
    session: AsyncSession,
    row: BookingOrderRow,
    principal: Principal,
    action: str,
    from_state: str | None,
    to_state: str,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> BookingOrderEvent:
    event = BookingOrderEvent(
        booking_order_id=row.id,
        actor_id=principal.user_id,
        actor_name=principal.name,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    return event


# ---------------------------------------------------------------- concurrency


async def _conflict(session: AsyncSession, env: Env, bo_id: uuid.UUID) -> Conflict:
    """Who changed the booking order first, for the loser of a race (after a rollback)."""
    row = await session.get(BookingOrderRow, bo_id, populate_existing=True)
    last = await repository.latest_event(session, bo_id)
    details = {"version": row.version, "state": row.state} if row is not None else None
    if last is None:
        return Conflict(
            "This booking order was changed by someone else; reload it and try again.",
            code="stale_version",
            details=details,
        )
    past = _ACTION_PAST.get(last.action, "changed")
    return Conflict(
        f"This booking order was already {past} by {last.actor_name} at "
        f"{_when(env.settings, last.created_at)}",
        code="stale_version",
        details=details,
    )


async def _repeat_of(
    session: AsyncSession,
    env: Env,
    row: BookingOrderRow,
    action: Action,
    principal: Principal,
    actor: Actor,
    company: Company,
) -> Conflict | None:
    """A double-clicked action (or a colleague's simultaneous one) arriving after the first
    moved the booking order on: say who acted, rather than why the action no longer fits."""
    last = await repository.latest_event(session, row.id)
    if last is None or last.action != action.value or last.from_state is None:
        return None
    is_owner = row.owner_id == principal.user_id
    could_have = action in workflow.allowed_actions(last.from_state, actor, company.name, is_owner)
    if last.actor_id == principal.user_id or could_have:
        return await _conflict(session, env, row.id)
    return None


# ---------------------------------------------------------------- edits


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


def _edit_denied(row: BookingOrderRow, company: Company, editable: bool) -> None:
    state = State(row.state)
    if state is State.APPROVED:
        raise Conflict(
            "This booking order is approved, so it can't be edited; a coordinator or admin can "
            "revise it to make changes.",
            code="revise_required",
        )
    if state is State.CANCELLED:
        raise Conflict("This booking order is cancelled, so it can't be edited.", code="cancelled")
    if state is State.HOS_REVIEW:
        raise Conflict(
            "This booking order is with the head of sales, so it can't be edited; the head of "
            "sales can reject it back to the coordinators.",
            code="not_editable",
        )
    if editable:
        return
    if state is State.DRAFT:
        raise Forbidden(
            "Only the sales person who owns this draft can edit it.", code="not_editable"
        )
    raise Forbidden(
        f"Only a coordinator of {company.name} can edit it during coordinator review.",
        code="not_editable",
    )


def apply_edits(bo: BookingOrder, edits: Edits, rates: dict[str, Decimal]) -> BookingOrder:
    """Every requested change in order; raises BookingOrderError with a message to show."""
    for name, value in edits.fields.items():
        if name.strip().lower() == "company":
            raise BookingOrderError(
                "The company of a booking order can't be changed; cancel it and upload it again "
                "for the other company"
            )
        bo = apply_edit(bo, name, value)
    for change in edits.locations:
        for name, value in change.changes.items():
            bo = apply_edit(bo, name, value, location=change.location)
    for new in edits.add_locations:
        bo = add_location(bo, new)
    for gone in edits.remove_locations:
        bo = remove_location(bo, gone)
    if edits.currency:
        bo = convert_currency(bo, edits.currency.upper(), rates)
    return bo


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in after if before.get(key) != after.get(key))


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
    row, companies = await _load(session, principal, bo_id)
    company = companies[row.company_id]
    if version is not None and version != row.version:
        raise await _conflict(session, env, row.id)
    actor = _actor(principal, {c.id: c.name for c in companies.values()})
    is_owner = row.owner_id == principal.user_id
    _edit_denied(row, company, workflow.editable(row.state, actor, company.name, is_owner))
    before = dict(row.data)
    try:
        rates = await get_currency_rates(session) if edits.currency else {}
        bo = apply_edits(decode(row.data), edits, rates)
        calc = calculate(bo, env.settings.vat_pct)
    except BookingOrderError as exc:
        raise ValidationFailed(str(exc), code="invalid_booking_order") from exc
    after = encode(bo)
    changed = _changed_fields(before, after)
    if not changed:
        return await _view(session, env, principal, row, companies)
    bo_id_value = row.id
    _store(row, bo, calc)
    row.updated_at = utcnow()
    _event(session, row, principal, "edit", row.state, row.state, details={"changed": changed})
    try:
        await session.flush()
    except StaleDataError:
        await session.rollback()
        raise await _conflict(session, env, bo_id_value) from None
    await session.commit()
    return await _view(session, env, principal, row, companies)


# ---------------------------------------------------------------- transitions


def _recipients(users: Iterable[User | None], exclude: uuid.UUID) -> list[Recipient]:
    found: dict[uuid.UUID, Recipient] = {}
    for user in users:
        if user is None or user.id == exclude or not user.is_active:
            continue
        found[user.id] = Recipient(user_id=user.id, email=user.email, name=user.name)
    return list(found.values())


async def _people(session: AsyncSession, role: str, company_id: uuid.UUID) -> list[User]:
    return await repository.users_with_role(session, role, company_id)


async def _owner(session: AsyncSession, row: BookingOrderRow) -> User | None:
    return await repository.user(session, row.owner_id) if row.owner_id else None


async def _notify_transition(
    session: AsyncSession,
    settings: Settings,
    row: BookingOrderRow,
    company: Company,
    decided: workflow.Transition,
    principal: Principal,
) -> list[Batch]:
    """In-app notifications for whoever acts next (and for finance on approval)."""
    label = _label(row)
    client = f" for {row.client}" if row.client else ""
    who = principal.name
    reason = f" Reason: {decided.reason}" if decided.reason else ""
    coordinators = await _people(session, "coordinator", company.id)
    owner = await _owner(session, row)
    plan: list[tuple[list[User | None], str, str, str]] = []
    if decided.action is Action.SUBMIT:
        plan.append(
            (
                list(coordinators),
                "bo_review",
                f"Booking order to review: {label}",
                f"{who} submitted {label}{client} ({company.name}) for coordinator review.",
            )
        )
    elif decided.action is Action.APPROVE and decided.to_state is State.HOS_REVIEW:
        plan.append(
            (
                list(await _people(session, "hos", company.id)),
                "bo_approval",
                f"Booking order awaiting your approval: {label}",
                f"{who} approved {label}{client} ({company.name}); it now needs a head of "
                "sales approval.",
            )
        )
    elif decided.action is Action.APPROVE:
        gross = (
            f" Gross {format_amount(row.gross)} {row.currency}." if row.gross is not None else ""
        )
        plan.append(
            (
                [*await _people(session, "finance", company.id), owner, *coordinators],
                "bo_approved",
                f"Booking order approved: {label}",
                f"{who} approved {label}{client} ({company.name}).{gross} The signed Excel and "
                "the stamped PDF are attached to it.",
            )
        )
    elif decided.action is Action.REJECT and decided.to_state is State.DRAFT:
        plan.append(
            (
                [owner],
                "bo_rejected",
                f"Booking order returned to you: {label}",
                f"{who} rejected {label}{client}; it is back in draft for your changes.{reason}",
            )
        )
    elif decided.action is Action.REJECT:
        plan.append(
            (
                list(coordinators),
                "bo_rejected",
                f"Booking order returned by the head of sales: {label}",
                f"{who} rejected {label}{client}; it is back in coordinator review.{reason}",
            )
        )
    elif decided.action is Action.CANCEL:
        people: list[User | None] = [owner, *coordinators]
        if decided.from_state is State.HOS_REVIEW:
            people += await _people(session, "hos", company.id)
        plan.append(
            (
                people,
                "bo_cancelled",
                f"Booking order cancelled: {label}",
                f"{who} cancelled {label}{client}.{reason}",
            )
        )
    batches = []
    for users, kind, title, body in plan:
        batches.append(
            notifications.notify(
                session,
                _recipients(users, principal.user_id),
                kind=kind,
                title=title,
                body=body,
                link=_link(row),
                booking_order_id=row.id,
            )
        )
    return batches


async def act(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    bo_id: uuid.UUID,
    action: Action | str,
    *,
    version: int | None = None,
    reason: str | None = None,
    ip: str | None = None,
    render_documents: bool = True,
) -> View:
    """Submit, approve, reject, cancel or revise; exactly once, recorded and notified."""
    wanted = Action(action)
    row = await repository.get(session, bo_id)
    scope = scope_of(principal)
    acts_for_companies = bool(
        principal.companies_for("coordinator") | principal.companies_for("hos")
    )
    if row is None or not (_can_see(scope, row) or acts_for_companies):
        raise NotFound(NOT_FOUND)
    companies = await _company_map(session)
    company = companies[row.company_id]
    if version is not None and version != row.version:
        raise await _conflict(session, env, row.id)
    actor = _actor(principal, {c.id: c.name for c in companies.values()})
    try:
        decided = workflow.transition(
            row.state, wanted, actor, company.name, row.owner_id == principal.user_id, reason
        )
    except workflow.ReasonRequired as exc:
        raise ValidationFailed(str(exc), code="reason_required") from exc
    except workflow.InvalidTransition as exc:
        repeat = await _repeat_of(session, env, row, wanted, principal, actor, company)
        raise repeat or Conflict(str(exc), code="invalid_transition") from exc
    except workflow.TransitionDenied as exc:
        repeat = await _repeat_of(session, env, row, wanted, principal, actor, company)
        raise repeat or Forbidden(str(exc), code="transition_denied") from exc
    needs = "booking_orders:create"
    if decided.action in (Action.APPROVE, Action.REJECT, Action.REVISE):
        needs = "booking_orders:edit"
    if decided.to_state is State.APPROVED:
        needs = "booking_orders:approve"
    # An API key may carry fewer permissions than its owner's roles.
    if not principal.has(needs):
        raise Forbidden("You do not have permission to do this.", code="transition_denied")
    if decided.new_version:
        return await _revise(session, env, principal, row, company, companies, decided, ip)

    now = utcnow()
    row_id = row.id
    batches: list[Batch] = []
    try:
        if decided.to_state is State.APPROVED:
            year = now.astimezone(_tz(env.settings)).year
            # The number is taken before the row's version check and handed back on rollback.
            row.reference = row.reference or await references.allocate(session, year)
            row.approved_at = now
            row.hos_name = principal.name
        row.state = decided.to_state.value
        row.updated_at = now
        _event(
            session,
            row,
            principal,
            decided.action.value,
            decided.from_state.value,
            decided.to_state.value,
            reason=decided.reason,
        )
        await session.flush()
        batches = await _notify_transition(session, env.settings, row, company, decided, principal)
        audit.record(
            session,
            f"bo_{decided.action.value}",
            actor_id=principal.user_id,
            actor_email=principal.email,
            target_type="booking_order",
            target_id=row_id,
            ip=ip,
            details={
                "from": decided.from_state.value,
                "to": decided.to_state.value,
                "reason": decided.reason,
                "reference": row.reference,
            },
        )
        await session.commit()
    except StaleDataError:
        await session.rollback()
        raise await _conflict(session, env, row_id) from None
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            "The booking order reference could not be assigned; please try again.",
            code="reference_conflict",
        ) from exc
    rendering = decided.to_state is State.APPROVED and render_documents
    if rendering and await render_approved(session, env, row.id) == "retry":
        await _enqueue_render(row.id)
    await notifications.deliver(env.settings, batches)
    return await _fresh_view(session, env, principal, row.id)


async def _revise(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    row: BookingOrderRow,
    company: Company,
    companies: dict[uuid.UUID, Company],
    decided: workflow.Transition,
    ip: str | None,
) -> View:
    """A new version in coordinator review, linked to the approved one (which stays)."""
    existing = await repository.open_revision_of(session, row.id)
    if existing is not None:
        raise Conflict(
            f"{_label(row)} is already being revised (revision {existing.revision}); "
            "continue with that one.",
            code="revision_exists",
            details={"booking_order_id": str(existing.id)},
        )
    now = utcnow()
    row_id = row.id
    revision = BookingOrderRow(
        company_id=row.company_id,
        owner_id=row.owner_id,
        state=decided.to_state.value,
        revision=row.revision + 1,
        previous_id=row.id,
        reference=row.reference,
        data=dict(row.data),
        bo_number=row.bo_number,
        client=row.client,
        currency=row.currency,
        gross=row.gross,
        intake_warnings=[],
        extraction=row.extraction,
        source_file_id=row.source_file_id,
        updated_at=now,
    )
    session.add(revision)
    # Touching the approved row bumps its version, so a second revise loses the race.
    row.updated_at = now
    try:
        await session.flush()
        _event(
            session,
            row,
            principal,
            "revise",
            decided.from_state.value,
            decided.from_state.value,
            reason=decided.reason,
            details={"revision_id": str(revision.id)},
        )
        _event(
            session,
            revision,
            principal,
            "revise",
            None,
            decided.to_state.value,
            reason=decided.reason,
            details={"previous_id": str(row_id)},
        )
        label = _label(revision)
        coordinators = await _people(session, "coordinator", company.id)
        batch = notifications.notify(
            session,
            _recipients([*coordinators, await _owner(session, row)], principal.user_id),
            kind="bo_review",
            title=f"Revised booking order to review: {label}",
            body=f"{principal.name} opened revision {revision.revision} of {_label(row)}; "
            "it is in coordinator review.",
            link=_link(revision),
            booking_order_id=revision.id,
        )
        audit.record(
            session,
            "bo_revise",
            actor_id=principal.user_id,
            actor_email=principal.email,
            target_type="booking_order",
            target_id=row_id,
            ip=ip,
            details={"revision_id": str(revision.id), "reference": row.reference},
        )
        await session.commit()
    except StaleDataError:
        await session.rollback()
        raise await _conflict(session, env, row_id) from None
    await notifications.deliver(env.settings, [batch])
    return await _view(session, env, principal, revision, companies)


# ---------------------------------------------------------------- company documents


async def _company_file_bytes(
    session: AsyncSession, env: Env, file_id: uuid.UUID | None
) -> bytes | None:
    record = await _file(session, file_id)
    if record is None:
        return None
    return await files.read_bytes(env.storage, record)


async def template_bytes(session: AsyncSession, env: Env, company: Company) -> bytes:
    """The company's uploaded template, else the product's default one."""
    docs = await repository.documents(session, company.id)
    stored = await _company_file_bytes(session, env, docs.template_file_id if docs else None)
    return stored if stored is not None else default_template(company.name)


async def stamp_bytes(session: AsyncSession, env: Env, company: Company) -> bytes:
    docs = await repository.documents(session, company.id)
    stored = await _company_file_bytes(session, env, docs.stamp_file_id if docs else None)
    return stored if stored is not None else default_stamp(company.name)


async def company_documents(
    session: AsyncSession, principal: Principal, code: str
) -> tuple[Company, FileRecord | None, FileRecord | None]:
    company = _resolve_company(await repository.companies(session), code)
    docs = await repository.documents(session, company.id)
    if docs is None:
        return company, None, None
    return (
        company,
        await _file(session, docs.template_file_id),
        await _file(session, docs.stamp_file_id),
    )


def _check_template(data: bytes) -> None:
    from salesbot.booking_orders.excel import fill_template

    try:
        fill_template(data, BookingOrder(), calculate(BookingOrder()))
    except TemplateError as exc:
        raise ValidationFailed(str(exc), code="invalid_template") from exc


def _check_stamp(data: bytes) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(
            "The stamp must be a PNG or JPEG image.", code="invalid_stamp"
        ) from exc


async def set_company_document(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    code: str,
    which: Literal["template", "stamp"],
    file_id: uuid.UUID,
    *,
    ip: str | None = None,
) -> tuple[Company, FileRecord | None, FileRecord | None]:
    """Use an uploaded file as the company's BO template (XLSX with a 'BO Form' sheet) or stamp."""
    company = _resolve_company(await repository.companies(session), code)
    record = await files.get_for(session, principal, file_id)
    if which == "template":
        if record.kind != "xlsx":
            raise ValidationFailed(
                f"The template must be an Excel workbook (.xlsx) with a '{SHEET_NAME}' sheet.",
                code="invalid_template",
            )
    elif record.kind not in _IMAGE_TYPES:
        raise ValidationFailed("The stamp must be a PNG or JPEG image.", code="invalid_stamp")
    data = await _read_upload(env, record)
    await asyncio.to_thread(_check_template if which == "template" else _check_stamp, data)
    await _save_document(session, company, which, record.id, principal.user_id)
    await files.share_with_company(session, record.id, company.id)
    audit.record(
        session,
        f"company_{which}_set",
        actor_id=principal.user_id,
        actor_email=principal.email,
        target_type="company",
        target_id=company.id,
        ip=ip,
        details={"file": str(record.id)},
    )
    await session.commit()
    return await company_documents(session, principal, company.code)


async def _save_document(
    session: AsyncSession,
    company: Company,
    which: Literal["template", "stamp"],
    file_id: uuid.UUID,
    by: uuid.UUID | None,
) -> None:
    docs = await repository.documents(session, company.id)
    if docs is None:
        docs = CompanyDocuments(company_id=company.id)
        session.add(docs)
    if which == "template":
        docs.template_file_id = file_id
    else:
        docs.stamp_file_id = file_id
    docs.updated_by_id = by
    docs.updated_at = utcnow()
    await session.flush()


async def install_default_documents(
    session: AsyncSession, storage: Storage, company: Company, owner_id: uuid.UUID
) -> None:
    """Store the product-made template and stamp as the company's files (demo data; idempotent)."""
    docs = await repository.documents(session, company.id)
    if docs is None or docs.template_file_id is None:
        record = await files.store_generated(
            session,
            storage,
            owner_id=owner_id,
            name=f"{company.name} BO template.xlsx",
            data=default_template(company.name),
            content_type=documents.XLSX_TYPE,
            company_id=company.id,
        )
        await _save_document(session, company, "template", record.id, owner_id)
    docs = await repository.documents(session, company.id)
    if docs is None or docs.stamp_file_id is None:
        record = await files.store_generated(
            session,
            storage,
            owner_id=owner_id,
            name=f"{company.name} stamp.png",
            data=default_stamp(company.name),
            content_type="image/png",
            company_id=company.id,
        )
        await _save_document(session, company, "stamp", record.id, owner_id)


# ---------------------------------------------------------------- documents


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w .()&-]+", "", text).strip()[:80] or "Booking order"


async def preview(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    bo_id: uuid.UUID,
    kind: Literal["pdf", "xlsx"],
) -> tuple[bytes, str, str]:
    """The form as it stands now (re-rendered on every request): bytes, content type, name."""
    row, companies = await _load(session, principal, bo_id)
    company = companies[row.company_id]
    bo = decode(row.data)
    try:
        calc = calculate(bo, env.settings.vat_pct)
    except BookingOrderError as exc:
        raise ValidationFailed(str(exc), code="invalid_booking_order") from exc
    name = _safe_name(row.reference or row.bo_number or row.client or "Booking order")
    if kind == "xlsx":
        template = await template_bytes(session, env, company)
        try:
            data = await asyncio.to_thread(
                documents.render_excel, template, bo, calc, hos_name=row.hos_name
            )
        except TemplateError as exc:
            raise ValidationFailed(str(exc), code="invalid_template") from exc
        return data, documents.XLSX_TYPE, f"{name}.xlsx"
    data = await asyncio.to_thread(
        documents.render_preview_pdf, bo, calc, reference=row.reference, hos_name=row.hos_name
    )
    return data, documents.PDF_TYPE, f"{name}.pdf"


RenderOutcome = Literal["done", "failed", "retry", "skipped"]
# Failures a later attempt will not fix; storage outages are retried by the render job.
_RENDER_FAILURES = (
    BookingOrderError,
    TemplateError,
    StampError,
    PdfError,
    documents.DocumentError,
    FileTooLargeToProcess,
    GeneratedFileInvalid,
    NotFound,
)


async def _produce(
    session: AsyncSession, env: Env, row: BookingOrderRow, company: Company
) -> documents.FinalDocuments:
    approved_on = (row.approved_at or utcnow()).astimezone(_tz(env.settings)).date()
    bo = decode(row.data)
    calc = calculate(bo, env.settings.vat_pct)
    template = await template_bytes(session, env, company)
    stamp = await stamp_bytes(session, env, company)
    source = await _file(session, row.source_file_id)
    if source is None:
        raise documents.DocumentError("The original document is no longer available")
    original = await files.read_bytes(env.storage, source)
    text = ""
    if source.kind not in ("pdf", "xlsx", "csv", *documents.IMAGE_KINDS):
        text = await asyncio.to_thread(document_text, original, source.kind)
    prepared, prepared_kind = await asyncio.to_thread(
        documents.original_for_stamping,
        original,
        source.kind,
        title=f"{row.reference} original document",
        text=text,
    )
    hos_name, reference = row.hos_name or "", row.reference or ""
    return await asyncio.to_thread(
        lambda: documents.render_final(
            bo=bo,
            calc=calc,
            template=template,
            stamp_png=stamp,
            original=prepared,
            original_kind=prepared_kind,
            hos_name=hos_name,
            reference=reference,
            approved_on=approved_on,
        )
    )


async def render_approved(session: AsyncSession, env: Env, bo_id: uuid.UUID) -> RenderOutcome:
    """Produce and store the signed Excel, stamped original and final PDF of an approved BO.

    A failure is recorded on the booking order (`render_error`) instead of undoing the approval;
    the documents can be produced again later (`retry` means a storage outage: try again soon).
    """
    row = await session.get(BookingOrderRow, bo_id, populate_existing=True)
    if row is None or row.state != State.APPROVED.value or row.reference is None:
        return "skipped"
    company = await repository.company(session, row.company_id)
    owner = row.owner_id or await _approver(session, row.id)
    if company is None or owner is None:
        return "skipped"
    base = f"{row.reference} {row.client}"
    if row.revision > 1:
        base = f"{row.reference} rev {row.revision} {row.client}"
    base = _safe_name(base)
    stored: list[FileRecord] = []
    try:
        produced = await _produce(session, env, row, company)
        for name, data, content_type in (
            (f"{base}.xlsx", produced.excel, documents.XLSX_TYPE),
            (f"{base} original stamped.pdf", produced.stamped_original, documents.PDF_TYPE),
            (f"{base}.pdf", produced.final_pdf, documents.PDF_TYPE),
        ):
            stored.append(
                await files.store_generated(
                    session,
                    env.storage,
                    owner_id=owner,
                    name=name,
                    data=data,
                    content_type=content_type,
                    company_id=row.company_id,
                )
            )
    except (*_RENDER_FAILURES, StorageError) as exc:
        await session.rollback()
        for record in stored:  # their rows were rolled back; do not leave the objects behind
            with contextlib.suppress(StorageError):
                await env.storage.delete(record.storage_key)
        row = await session.get_one(BookingOrderRow, bo_id, populate_existing=True)
        transient = isinstance(exc, StorageError)
        message = exc.message if isinstance(exc, NotFound) else str(exc)
        row.render_error = (message or "The documents could not be produced")[:300]
        await session.commit()
        log.warning("bo_documents_failed", booking_order=str(bo_id), error_type=type(exc).__name__)
        return "retry" if transient else "failed"
    row.excel_file_id, row.stamped_file_id, row.final_pdf_file_id = (r.id for r in stored)
    row.render_error = None
    await session.commit()
    return "done"


async def _enqueue_render(bo_id: uuid.UUID) -> None:
    try:
        await enqueue("booking_orders.render", str(bo_id))
    except (RuntimeError, KeyError) as exc:  # jobs not started (CLI, some tests)
        log.warning("bo_render_not_queued", booking_order=str(bo_id), error_type=type(exc).__name__)


async def _approver(session: AsyncSession, bo_id: uuid.UUID) -> uuid.UUID | None:
    for event in reversed(await repository.events(session, bo_id)):
        if event.action == Action.APPROVE.value and event.actor_id is not None:
            return event.actor_id
    return None


async def rerender(session: AsyncSession, env: Env, principal: Principal, bo_id: uuid.UUID) -> View:
    """Produce the approval documents again (after a failure, or a new template or stamp)."""
    row, companies = await _load(session, principal, bo_id)
    company = companies[row.company_id]
    actor = _actor(principal, {c.id: c.name for c in companies.values()})
    if not (actor.is_admin or actor.is_coordinator(company.name) or actor.is_hos(company.name)):
        raise Forbidden(
            f"Only a coordinator or head of sales of {company.name}, or an admin, can produce "
            "the documents again.",
            code="transition_denied",
        )
    if row.state != State.APPROVED.value:
        raise Conflict(
            "Documents are produced when the head of sales approves the booking order.",
            code="not_approved",
        )
    if await render_approved(session, env, row.id) == "retry":
        await _enqueue_render(row.id)
    return await _fresh_view(session, env, principal, row.id)


# ---------------------------------------------------------------- exports


EXPORT_COLUMNS = (
    "Reference",
    "Revision",
    "Company",
    "Stage",
    "BO number",
    "Client",
    "Agency",
    "Brand/Campaign",
    "Sales person",
    "Currency",
    "Net (pre-VAT)",
    "VAT",
    "Gross",
    "SLA deduction",
    "Net excl. SLA",
    "Created",
    "Approved",
    "Approved by",
)


async def export_xlsx(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    *,
    stages: Sequence[str] = (),
    company: str | None = None,
    ip: str | None = None,
) -> bytes:
    """Every booking order the user may see, one row each, amounts exact (admins and finance)."""
    companies = await _company_map(session)
    company_id = _resolve_company(companies.values(), company).id if company else None
    rows = await repository.all_visible(
        session, scope_of(principal), states=stages, company_id=company_id
    )
    audit.record(
        session,
        "bo_export",
        actor_id=principal.user_id,
        actor_email=principal.email,
        target_type="booking_order",
        ip=ip,
        details={"count": len(rows), "stages": list(stages), "company": company},
    )
    await session.commit()
    tz = _tz(env.settings)

    def build() -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.title = "Booking orders"
        sheet.append(list(EXPORT_COLUMNS))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            bo = decode(row.data)
            try:
                calc: Calculated | None = calculate(bo, env.settings.vat_pct)
            except BookingOrderError:
                calc = None
            amounts: list[Decimal | None] = (
                [calc.net_pre_vat, calc.vat, calc.gross, calc.sla_deduction, calc.net_excl_sla]
                if calc
                else [None] * 5
            )
            sheet.append(
                [
                    row.reference or "",
                    row.revision,
                    companies[row.company_id].name,
                    row.state,
                    row.bo_number,
                    row.client,
                    bo.agency,
                    bo.brand_campaign,
                    bo.sales_person,
                    row.currency,
                    *amounts,
                    row.created_at.astimezone(tz).replace(tzinfo=None),
                    row.approved_at.astimezone(tz).replace(tzinfo=None)
                    if row.approved_at
                    else None,
                    row.hos_name or "",
                ]
            )
            number_format = amount_format(row.currency)
            for cell in sheet[sheet.max_row][10:15]:
                cell.number_format = number_format
            for cell in sheet[sheet.max_row][15:17]:
                cell.number_format = "dd-mm-yyyy hh:mm"
        for column, width in zip("ABCDEFGHIJKLMNOPQR", (14, 8, 12, 18, 16, 24), strict=False):
            sheet.column_dimensions[column].width = width
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    return await asyncio.to_thread(build)


# ---------------------------------------------------------------- API shape


def _ref(company: Company) -> CompanyRef:
    return CompanyRef(code=company.code, name=company.name)


def _card(record: FileRecord | None) -> Any:
    return files.file_card(record) if record is not None else None


def present(view: View) -> BookingOrderOut:
    """The API shape of a booking order as this user sees it."""
    row, bo, calc = view.row, view.bo, view.calc
    post_sla = {}
    if calc is not None:
        post_sla = {i: t.post_sla for i, t in enumerate(calc.locations)}

    def location(index: int, loc: Location) -> LocationOut:
        duration = calc.locations[index].campaign_duration if calc else loc.campaign_duration
        return LocationOut(
            name=loc.name,
            asset=loc.asset,
            start_date=loc.start_date,
            end_date=loc.end_date,
            campaign_duration=duration,
            net_amount=loc.net_amount,
            post_sla=post_sla.get(index, loc.net_amount or 0),
        )

    totals = None
    if calc is not None:
        totals = Totals(
            currency=calc.currency,
            rentals=calc.rentals,
            municipality_fee=calc.municipality_fee,
            production_upload_fee=calc.production_upload_fee,
            net_pre_vat=calc.net_pre_vat,
            vat=calc.vat,
            gross=calc.gross,
            sla_deduction=calc.sla_deduction,
            net_excl_sla=calc.net_excl_sla,
        )
    return BookingOrderOut(
        id=row.id,
        reference=row.reference,
        revision=row.revision,
        previous_id=row.previous_id,
        company=_ref(view.company),
        state=row.state,
        version=row.version,
        owner_id=row.owner_id,
        fields=BookingOrderFields(
            bo_number=bo.bo_number,
            bo_date=bo.bo_date,
            client=bo.client,
            agency=bo.agency,
            brand_campaign=bo.brand_campaign,
            category=bo.category,
            asset=list(bo.asset),
            currency=bo.currency,
            payment_terms=bo.payment_terms,
            sales_person=bo.sales_person,
            commission_pct=bo.commission_pct,
            sla_pct=bo.sla_pct,
            municipality_fee=bo.municipality_fee,
            production_upload_fee=bo.production_upload_fee,
            notes=bo.notes,
            locations=[location(i, loc) for i, loc in enumerate(bo.locations)],
        ),
        totals=totals,
        warnings=view.warnings,
        missing=list(calc.missing) if calc else [],
        problems=view.problems,
        extraction=row.extraction,
        allowed_actions=[a.value for a in view.allowed],
        editable=view.editable,
        source_file=_card(view.files.get("source")),
        excel_file=_card(view.files.get("excel")),
        stamped_file=_card(view.files.get("stamped")),
        final_pdf_file=_card(view.files.get("final_pdf")),
        hos_name=row.hos_name,
        approved_at=row.approved_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
