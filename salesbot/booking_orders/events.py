"""The timeline of a booking order: event rows, and who acted first when two people race."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.booking_orders import repository, workflow
from salesbot.booking_orders.directory import Company
from salesbot.booking_orders.messaging import past_tense
from salesbot.booking_orders.models import BookingOrderEvent, BookingOrderRow
from salesbot.booking_orders.views import when
from salesbot.booking_orders.workflow import Action, Actor
from salesbot.kit.errors import Conflict
from salesbot.settings import Settings


def record(
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


async def conflict(session: AsyncSession, settings: Settings, bo_id: uuid.UUID) -> Conflict:
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
    return Conflict(
        f"This booking order was already {past_tense(last.action)} by {last.actor_name} at "
        f"{when(settings, last.created_at)}",
        code="stale_version",
        details=details,
    )


async def repeat_of(
    session: AsyncSession,
    settings: Settings,
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
        return await conflict(session, settings, row.id)
    return None


async def approver(session: AsyncSession, bo_id: uuid.UUID) -> uuid.UUID | None:
    """Who gave the last approval (documents are stored as theirs when the owner is gone)."""
    for event in reversed(await repository.events(session, bo_id)):
        if event.action == Action.APPROVE.value and event.actor_id is not None:
            return event.actor_id
    return None
