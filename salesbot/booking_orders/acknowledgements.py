"""A coordinator acknowledges totals printed on the document that differ from the calculated ones.

The differences are shown once, as one warning; until a coordinator of the company (or an admin)
acknowledges them, the booking order cannot go past coordinator review (`flows`). The
acknowledgement records who, when and exactly which differences: an edit that changes them
asks again.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from salesbot.auth.service import Principal
from salesbot.booking_orders import access, events
from salesbot.booking_orders.views import Env, View, build_view, fresh_view, load
from salesbot.booking_orders.workflow import Actor, State
from salesbot.kit.db import utcnow
from salesbot.kit.errors import Conflict, Forbidden
from salesbot.users import audit


def _check_may_acknowledge(actor: Actor, company: str, state: str) -> None:
    if not (actor.is_coordinator(company) or actor.is_admin):
        raise Forbidden(
            f"Only a coordinator of {company} or an admin can acknowledge the totals.",
            code="transition_denied",
        )
    if state != State.COORDINATOR_REVIEW.value:
        raise Conflict(
            "Totals are acknowledged by the coordinators while they review the booking order.",
            code="invalid_transition",
        )


async def acknowledge_totals(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    bo_id: uuid.UUID,
    *,
    version: int | None = None,
) -> View:
    row, companies = await load(session, principal, bo_id)
    company = companies[row.company_id]
    if version is not None and version != row.version:
        raise await events.conflict(session, env.settings, row.id)
    _check_may_acknowledge(access.actor_of(principal, companies), company.name, row.state)
    check = (await build_view(session, env, principal, row, companies)).totals_check
    if not check.pending:
        raise Conflict(
            "There is nothing to acknowledge: the document's totals match the calculated ones"
            + (" or are already acknowledged." if check.differences else "."),
            code="nothing_to_acknowledge",
        )
    now = utcnow()
    row_id = row.id
    row.totals_acknowledged = {
        "by_id": str(principal.user_id),
        "by": principal.name,
        "at": now.isoformat(),
        "warnings": check.differences,
    }
    row.updated_at = now
    events.record(
        session,
        row,
        principal,
        "acknowledge",
        row.state,
        row.state,
        details={"differences": check.differences},
    )
    audit.record(
        session,
        principal,
        "bo_totals_acknowledged",
        audit.Target("booking_order", row_id),
        {"differences": check.differences},
    )
    try:
        await session.commit()
    except StaleDataError:
        await session.rollback()
        raise await events.conflict(session, env.settings, row_id) from None
    return await fresh_view(session, env, principal, row_id)
