"""The wording of booking-order notifications and messages, and who each notice is for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from salesbot.booking_orders.calculations import format_amount
from salesbot.booking_orders.models import BookingOrderRow
from salesbot.booking_orders.workflow import Action, State, Transition

_ACTION_PAST = {
    "submit": "submitted",
    "approve": "approved",
    "reject": "rejected",
    "cancel": "cancelled",
    "revise": "revised",
    "book": "booked",
    "invoice": "marked invoiced",
    "acknowledge": "acknowledged",
    "edit": "changed",
    "create": "created",
    "documents": "changed",
}

# Who a notice goes to: the owner, or the company's users holding a role.
Audience = Literal["owner", "coordinator", "hos", "finance"]


@dataclass(frozen=True)
class Notice:
    audience: tuple[Audience, ...]  # in this order (a person in two groups is told once)
    kind: str
    title: str
    body: str


def past_tense(action: str) -> str:
    return _ACTION_PAST.get(action, "changed")


def label(row: BookingOrderRow) -> str:
    """How messages name a booking order: its reference, else the client's BO number."""
    if row.reference:
        return row.reference if row.revision == 1 else f"{row.reference} (revision {row.revision})"
    if row.bo_number:
        return f"booking order {row.bo_number}"
    return f"the booking order for {row.client}" if row.client else "a booking order"


def link(row: BookingOrderRow) -> str:
    return f"/booking-orders/{row.id}"


def transition_notice(
    decided: Transition, row: BookingOrderRow, company_name: str, who: str
) -> Notice | None:
    """The notice for whoever acts next (and for finance on approval)."""
    name = label(row)
    client = f" for {row.client}" if row.client else ""
    reason = f" Reason: {decided.reason}" if decided.reason else ""
    if decided.action is Action.SUBMIT:
        return Notice(
            ("coordinator",),
            "bo_review",
            f"Booking order to review: {name}",
            f"{who} submitted {name}{client} ({company_name}) for coordinator review.",
        )
    if decided.action is Action.APPROVE:
        return _approval_notice(decided, row, company_name, who)
    if decided.action is Action.REJECT and decided.to_state is State.DRAFT:
        return Notice(
            ("owner",),
            "bo_rejected",
            f"Booking order returned to you: {name}",
            f"{who} rejected {name}{client}; it is back in draft for your changes.{reason}",
        )
    if decided.action is Action.REJECT:
        return Notice(
            ("coordinator",),
            "bo_rejected",
            f"Booking order returned by the head of sales: {name}",
            f"{who} rejected {name}{client}; it is back in coordinator review.{reason}",
        )
    if decided.action in (Action.BOOK, Action.INVOICE):
        return _finance_notice(decided, row, company_name, who)
    if decided.action is Action.CANCEL:
        audience: tuple[Audience, ...] = ("owner", "coordinator")
        if decided.from_state is State.HOS_REVIEW:
            audience += ("hos",)
        if decided.from_state is State.BOOKED:  # its dates are free again; all were told
            audience += ("hos", "finance")
        return Notice(
            audience,
            "bo_cancelled",
            f"Booking order cancelled: {name}",
            f"{who} cancelled {name}{client}.{reason}",
        )
    return None


def _approval_notice(
    decided: Transition, row: BookingOrderRow, company_name: str, who: str
) -> Notice:
    name = label(row)
    client = f" for {row.client}" if row.client else ""
    if decided.to_state is State.HOS_REVIEW:
        return Notice(
            ("hos",),
            "bo_approval",
            f"Booking order awaiting your approval: {name}",
            f"{who} approved {name}{client} ({company_name}); it now needs a head of "
            "sales approval.",
        )
    gross = f" Gross {format_amount(row.gross)} {row.currency}." if row.gross is not None else ""
    return Notice(
        ("finance", "owner", "coordinator"),
        "bo_approved",
        f"Booking order approved: {name}",
        f"{who} approved {name}{client} ({company_name}).{gross} The signed Excel and "
        "the stamped PDF are attached to it.",
    )


def _finance_notice(
    decided: Transition, row: BookingOrderRow, company_name: str, who: str
) -> Notice:
    """Booked: the sales side learns the order is confirmed; invoiced: the owner and the
    company's other finance users."""
    name = label(row)
    client = f" for {row.client}" if row.client else ""
    if decided.action is Action.BOOK:
        return Notice(
            ("owner", "coordinator", "hos"),
            "bo_booked",
            f"Booking order booked: {name}",
            f"{who} booked {name}{client} ({company_name}) with PO number {decided.number}.",
        )
    return Notice(
        ("owner", "finance"),
        "bo_invoiced",
        f"Booking order invoiced: {name}",
        f"{who} marked {name}{client} ({company_name}) invoiced, invoice number {decided.number}.",
    )


def revision_notice(previous: BookingOrderRow, revision: BookingOrderRow, who: str) -> Notice:
    return Notice(
        ("coordinator", "owner"),
        "bo_review",
        f"Revised booking order to review: {label(revision)}",
        f"{who} opened revision {revision.revision} of {label(previous)}; "
        "it is in coordinator review.",
    )
