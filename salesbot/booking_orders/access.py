"""Who may see a booking order and who may act on it.

A booking order is visible to its owner (the sales person), the coordinators, heads of sales and
finance users of its company, and admins. Which workflow actions fit is decided by `workflow`;
this module adds what the principal's permissions (an API key may carry fewer) allow.
"""

from __future__ import annotations

import uuid

from salesbot.auth.service import Principal
from salesbot.booking_orders import workflow
from salesbot.booking_orders.directory import Company
from salesbot.booking_orders.models import BookingOrderRow
from salesbot.booking_orders.repository import Scope
from salesbot.booking_orders.workflow import Action, Actor, State
from salesbot.kit.errors import Conflict, Forbidden

COMPANY_ROLES = ("coordinator", "hos", "finance")
NOT_FOUND = "Booking order not found."
# Reviewing needs the edit permission; the owner's own steps need create.
_REVIEW_ACTIONS = (Action.APPROVE, Action.REJECT, Action.REVISE)


def is_admin(principal: Principal) -> bool:
    return any(grant.role == "admin" for grant in principal.roles)


def scope_of(principal: Principal) -> Scope:
    company_ids: set[uuid.UUID] = set()
    for role in COMPANY_ROLES:
        company_ids |= principal.companies_for(role)
    return Scope(
        all=is_admin(principal), company_ids=frozenset(company_ids), owner_id=principal.user_id
    )


def can_see(scope: Scope, row: BookingOrderRow) -> bool:
    return scope.all or row.owner_id == scope.owner_id or row.company_id in scope.company_ids


def acts_for_companies(principal: Principal) -> bool:
    """Coordinators and heads of sales act on their companies' booking orders."""
    return bool(principal.companies_for("coordinator") | principal.companies_for("hos"))


def actor_of(principal: Principal, companies: dict[uuid.UUID, Company]) -> Actor:
    names = {c.id: c.name for c in companies.values()}

    def named(role: str) -> list[str]:
        return [names[c] for c in principal.companies_for(role) if c in names]

    return Actor.of(
        str(principal.user_id),
        roles=[grant.role for grant in principal.roles],
        coordinator_of=named("coordinator"),
        hos_of=named("hos"),
        finance_of=named("finance"),
    )


def _needs(action: Action, state: State) -> str:
    """The permission a workflow step needs (besides the workflow's own who-may-act rule)."""
    if action in workflow.FINANCE_ACTIONS or (action is Action.CANCEL and state is State.BOOKED):
        return "booking_orders:finance"
    if action in _REVIEW_ACTIONS:
        return "booking_orders:edit"
    return "booking_orders:create"


def allowed_actions(
    principal: Principal, actor: Actor, row: BookingOrderRow, company: Company
) -> list[Action]:
    is_owner = row.owner_id == principal.user_id
    allowed = workflow.allowed_actions(row.state, actor, company.name, is_owner)
    state = State(row.state)
    return [a for a in allowed if principal.has(_needs(a, state))]


def editable(principal: Principal, actor: Actor, row: BookingOrderRow, company: Company) -> bool:
    is_owner = row.owner_id == principal.user_id
    return principal.has("booking_orders:create") and workflow.editable(
        row.state, actor, company.name, is_owner
    )


def check_permission(principal: Principal, decided: workflow.Transition) -> None:
    """The workflow allows the step; does the principal's permission set?"""
    needs = _needs(decided.action, decided.from_state)
    if decided.to_state is State.APPROVED:
        needs = "booking_orders:approve"
    # An API key may carry fewer permissions than its owner's roles.
    if not principal.has(needs):
        raise Forbidden("You do not have permission to do this.", code="transition_denied")


def check_may_rerender(actor: Actor, company: Company) -> None:
    if not (actor.is_admin or actor.is_coordinator(company.name) or actor.is_hos(company.name)):
        raise Forbidden(
            f"Only a coordinator or head of sales of {company.name}, or an admin, can produce "
            "the documents again.",
            code="transition_denied",
        )


def check_editable(row: BookingOrderRow, company: Company, editable: bool) -> None:
    """Why an edit is refused: the stage (409) or who is asking (403)."""
    state = State(row.state)
    if state is State.APPROVED:
        raise Conflict(
            "This booking order is approved, so it can't be edited; a coordinator or admin can "
            "revise it to make changes.",
            code="revise_required",
        )
    if state is State.CANCELLED:
        raise Conflict("This booking order is cancelled, so it can't be edited.", code="cancelled")
    if state in (State.BOOKED, State.INVOICED):
        raise Conflict(
            f"This booking order is {workflow.STAGE_WORDS[state]} by finance, so it can't be "
            "edited; finance can cancel a booked order.",
            code="not_editable",
        )
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
