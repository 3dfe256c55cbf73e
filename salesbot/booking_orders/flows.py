"""The approval workflow's steps with their side effects: submit, approve, reject, cancel, revise,
and finance's book (PO number) and invoice (invoice number).

Each step records an event row, the audit log and notifications in the same transaction as the
change, with an optimistic version check so a transition applies exactly once; approval then
produces the documents (or queues that for later).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from salesbot.auth.service import Principal
from salesbot.booking_orders import (
    access,
    directory,
    events,
    messaging,
    references,
    rendering,
    repository,
    stored,
    views,
    workflow,
)
from salesbot.booking_orders.directory import Company, Person
from salesbot.booking_orders.messaging import Notice
from salesbot.booking_orders.models import BookingOrderRow
from salesbot.booking_orders.views import Env, View, build_view, fresh_view, load, tz
from salesbot.booking_orders.workflow import Action, Actor, State
from salesbot.inventory import bookings
from salesbot.jobs import enqueue
from salesbot.kit.db import utcnow
from salesbot.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import counter
from salesbot.notifications import service as notifications
from salesbot.notifications.service import Batch, Recipient
from salesbot.users import audit

log = get_logger(__name__)

BO_TRANSITIONS = counter(
    "salesbot_booking_order_transitions_total",
    "Booking-order workflow transitions",
    ["action", "from_state", "to_state"],
)


async def act(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    bo_id: uuid.UUID,
    action: Action | str,
    *,
    version: int | None = None,
    reason: str | None = None,
    number: str | None = None,
    render_documents: bool = True,
) -> View:
    """Submit, approve, reject, cancel, revise, book or invoice; exactly once, recorded and
    notified. `number` is the PO number (book) or the invoice number (invoice)."""
    wanted = Action(action)
    row, companies = await _target(session, principal, bo_id)
    company = companies[row.company_id]
    if version is not None and version != row.version:
        raise await events.conflict(session, env.settings, row.id)
    actor = access.actor_of(principal, companies)
    decided = await _decide(session, env, principal, actor, row, company, wanted, reason, number)
    access.check_permission(principal, decided)
    _check_totals_acknowledged(env, row, decided)
    if decided.new_version:
        revision = await _revise(session, env, principal, row, decided)
        return await build_view(session, env, principal, revision, companies)
    batches = await _move(session, env, principal, row, company, decided)
    if decided.to_state is State.APPROVED and render_documents:
        await _render(session, env, row.id)
    await notifications.deliver(env.settings, batches)
    return await fresh_view(session, env, principal, row.id)


async def check_may(
    session: AsyncSession, env: Env, principal: Principal, bo_id: uuid.UUID, action: Action
) -> None:
    """Raise what `act` would for who may take this step now (the workflow's rule and the
    permission it needs), without acting: the chat asks for a reason or a yes only after this."""
    row, companies = await _target(session, principal, bo_id)
    company = companies[row.company_id]
    actor = access.actor_of(principal, companies)
    if action in access.allowed_actions(principal, actor, row, company):
        return
    # Not allowed: let the workflow say why (a placeholder reason, so only who-may-act speaks).
    decided = await _decide(session, env, principal, actor, row, company, action, "-")
    access.check_permission(principal, decided)


async def _target(
    session: AsyncSession, principal: Principal, bo_id: uuid.UUID
) -> tuple[BookingOrderRow, dict[uuid.UUID, Company]]:
    """The booking order to act on: coordinators and heads of sales may act on any they can
    name (the workflow then decides whether it is theirs)."""
    row = await repository.get(session, bo_id)
    visible = row is not None and access.can_see(access.scope_of(principal), row)
    if row is None or not (visible or access.acts_for_companies(principal)):
        raise NotFound(access.NOT_FOUND)
    return row, await directory.company_map(session)


async def _decide(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    actor: Actor,
    row: BookingOrderRow,
    company: Company,
    wanted: Action,
    reason: str | None,
    number: str | None = None,
) -> workflow.Transition:
    """The workflow's verdict, with a repeated action explained as who acted first."""
    is_owner = row.owner_id == principal.user_id
    try:
        return workflow.transition(row.state, wanted, actor, company.name, is_owner, reason, number)
    except workflow.ReasonRequired as exc:
        raise ValidationFailed(str(exc), code="reason_required") from exc
    except workflow.NumberInvalid as exc:
        raise ValidationFailed(str(exc), code=exc.code) from exc
    except workflow.InvalidTransition as exc:
        repeat = await events.repeat_of(
            session, env.settings, row, wanted, principal, actor, company
        )
        raise repeat or Conflict(str(exc), code="invalid_transition") from exc
    except workflow.TransitionDenied as exc:
        repeat = await events.repeat_of(
            session, env.settings, row, wanted, principal, actor, company
        )
        raise repeat or Forbidden(str(exc), code="transition_denied") from exc


def _check_totals_acknowledged(
    env: Env, row: BookingOrderRow, decided: workflow.Transition
) -> None:
    """Totals that differ from the document's go past the coordinators only acknowledged."""
    if decided.action is not Action.APPROVE or decided.from_state is not State.COORDINATOR_REVIEW:
        return
    bo = stored.decode(row.data)
    calc, _ = views.checked(bo, env.settings)
    check = views.totals_check(row, calc)
    if check.pending:
        raise Conflict(
            "The document's totals differ from the calculated ones: "
            + "; ".join(check.differences)
            + ". A coordinator must acknowledge this before approving.",
            code="totals_unacknowledged",
            details={"differences": check.differences},
        )


def _finance_step(
    row: BookingOrderRow, decided: workflow.Transition, now: datetime
) -> dict[str, str]:
    """Finance's numbers on the row; the event's details."""
    if decided.action is Action.BOOK:
        row.po_number, row.booked_at = decided.number, now
        return {"po_number": decided.number or ""}
    if decided.action is Action.INVOICE:
        row.invoice_number, row.invoiced_at = decided.number, now
        return {"invoice_number": decided.number or ""}
    return {}


async def _move(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    row: BookingOrderRow,
    company: Company,
    decided: workflow.Transition,
) -> list[Batch]:
    """Apply the transition with its event, notifications and audit entry, in one commit."""
    now = utcnow()
    row_id = row.id
    try:
        if decided.to_state is State.APPROVED:
            await _approve(session, env, principal, row, now)
        if decided.action is Action.CANCEL and decided.from_state is State.BOOKED:
            await bookings.release_order(session, row.id, now=now)  # the dates are free again
        details = _finance_step(row, decided, now)
        row.state = decided.to_state.value
        row.updated_at = now
        events.record(
            session,
            row,
            principal,
            decided.action.value,
            decided.from_state.value,
            decided.to_state.value,
            reason=decided.reason,
            details=details,
        )
        await session.flush()
        notice = messaging.transition_notice(decided, row, company.name, principal.name)
        batches = [] if notice is None else [await _notify(session, principal, row, notice, row)]
        audit.record(
            session,
            principal,
            f"bo_{decided.action.value}",
            audit.Target("booking_order", row_id),
            {
                "from": decided.from_state.value,
                "to": decided.to_state.value,
                "reason": decided.reason,
                "reference": row.reference,
                **details,
            },
        )
        await session.commit()
    except StaleDataError:
        await session.rollback()
        raise await events.conflict(session, env.settings, row_id) from None
    except Conflict:
        await session.rollback()  # the double booking: nothing of the approval is kept
        raise
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(
            "The booking order reference could not be assigned; please try again.",
            code="reference_conflict",
        ) from exc
    _count(decided)
    return batches


async def _approve(
    session: AsyncSession, env: Env, principal: Principal, row: BookingOrderRow, now: datetime
) -> None:
    """The reference, the signature, and the booking of its locations' dates."""
    year = now.astimezone(tz(env.settings)).year
    # The number is taken before the row's version check and handed back on rollback.
    row.reference = row.reference or await references.allocate(session, year)
    row.approved_at = now
    row.hos_name = principal.name
    # Its locations' dates are sold now: refused (409) if someone else has them.
    await bookings.book_order(session, env.settings, _order(row))


def _order(row: BookingOrderRow) -> bookings.Order:
    """What the approval books: each location line with its dates."""
    bo = stored.decode(row.data)
    return bookings.Order(
        booking_order_id=row.id,
        reference=row.reference,
        client=row.client or bo.client,
        owner_id=row.owner_id,
        owner_name=bo.sales_person,
        lines=[
            bookings.OrderLine(loc.name or loc.asset, loc.start_date, loc.end_date)
            for loc in bo.locations
        ],
    )


def _count(decided: workflow.Transition) -> None:
    BO_TRANSITIONS.labels(
        decided.action.value, decided.from_state.value, decided.to_state.value
    ).inc()


async def _revise(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    row: BookingOrderRow,
    decided: workflow.Transition,
) -> BookingOrderRow:
    """A new version in coordinator review, linked to the approved one (which stays)."""
    existing = await repository.open_revision_of(session, row.id)
    if existing is not None:
        raise Conflict(
            f"{messaging.label(row)} is already being revised (revision {existing.revision}); "
            "continue with that one.",
            code="revision_exists",
            details={"booking_order_id": str(existing.id)},
        )
    row_id = row.id
    revision = _revision_of(row, decided.to_state, utcnow())
    session.add(revision)
    # Touching the approved row bumps its version, so a second revise loses the race.
    row.updated_at = revision.updated_at
    try:
        await session.flush()
        _record_revision(session, principal, row, revision, decided)
        notice = messaging.revision_notice(row, revision, principal.name)
        batch = await _notify(session, principal, row, notice, revision)
        audit.record(
            session,
            principal,
            "bo_revise",
            audit.Target("booking_order", row_id),
            {"revision_id": str(revision.id), "reference": row.reference},
        )
        await session.commit()
    except StaleDataError:
        await session.rollback()
        raise await events.conflict(session, env.settings, row_id) from None
    _count(decided)
    await notifications.deliver(env.settings, [batch])
    return revision


def _revision_of(row: BookingOrderRow, state: State, now: datetime) -> BookingOrderRow:
    return BookingOrderRow(
        company_id=row.company_id,
        owner_id=row.owner_id,
        state=state.value,
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


def _record_revision(
    session: AsyncSession,
    principal: Principal,
    row: BookingOrderRow,
    revision: BookingOrderRow,
    decided: workflow.Transition,
) -> None:
    """One event on each: the approved booking order and its new revision."""
    events.record(
        session,
        row,
        principal,
        "revise",
        decided.from_state.value,
        decided.from_state.value,
        reason=decided.reason,
        details={"revision_id": str(revision.id)},
    )
    events.record(
        session,
        revision,
        principal,
        "revise",
        None,
        decided.to_state.value,
        reason=decided.reason,
        details={"previous_id": str(row.id)},
    )


# ---------------------------------------------------------------- notifications


async def _audience(
    session: AsyncSession, notice: Notice, row: BookingOrderRow
) -> list[Person | None]:
    people: list[Person | None] = []
    for group in notice.audience:
        if group == "owner":
            people.append(await directory.person(session, row.owner_id))
        else:
            people += await directory.people_with_role(session, group, row.company_id)
    return people


def _recipients(people: list[Person | None], exclude: uuid.UUID) -> list[Recipient]:
    found: dict[uuid.UUID, Recipient] = {}
    for person in people:
        if person is None or person.id == exclude or not person.is_active:
            continue
        found[person.id] = Recipient(user_id=person.id, email=person.email, name=person.name)
    return list(found.values())


async def _notify(
    session: AsyncSession,
    principal: Principal,
    row: BookingOrderRow,
    notice: Notice,
    about: BookingOrderRow,
) -> Batch:
    """In-app notifications for the notice's audience of `row` (never the actor), about `about`."""
    people = await _audience(session, notice, row)
    return notifications.notify(
        session,
        _recipients(people, principal.user_id),
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        link=messaging.link(about),
        booking_order_id=about.id,
    )


# ---------------------------------------------------------------- documents


async def _render(session: AsyncSession, env: Env, bo_id: uuid.UUID) -> None:
    """Produce the approval documents now; a storage outage queues them for the render job."""
    if await rendering.render_approved(session, env, bo_id) == "retry":
        try:
            await enqueue("booking_orders.render", str(bo_id))
        except (RuntimeError, KeyError) as exc:  # jobs not started (CLI, some tests)
            log.warning(
                "bo_render_not_queued", booking_order=str(bo_id), error_type=type(exc).__name__
            )


async def rerender(session: AsyncSession, env: Env, principal: Principal, bo_id: uuid.UUID) -> View:
    """Produce the approval documents again (after a failure, or a new template or stamp)."""
    row, companies = await load(session, principal, bo_id)
    company = companies[row.company_id]
    access.check_may_rerender(access.actor_of(principal, companies), company)
    if row.state not in workflow.SIGNED_STATES:
        raise Conflict(
            "Documents are produced when the head of sales approves the booking order.",
            code="not_approved",
        )
    await _render(session, env, row.id)
    return await fresh_view(session, env, principal, row.id)
