"""The booking-order approval state machine (pure: decides, never records or notifies)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    DRAFT = "draft"
    COORDINATOR_REVIEW = "coordinator_review"
    HOS_REVIEW = "hos_review"
    APPROVED = "approved"
    BOOKED = "booked"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class StageInfo:
    """A stage as people see it: its label (badges, filters) and its phrase in sentences."""

    state: State
    label: str
    in_words: str


# The one table of stages, in workflow order: the API's Literal, /api/meta and messages use it.
STAGES: tuple[StageInfo, ...] = (
    StageInfo(State.DRAFT, "Draft", "a draft"),
    StageInfo(State.COORDINATOR_REVIEW, "Coordinator review", "in coordinator review"),
    StageInfo(State.HOS_REVIEW, "Head of sales review", "in head of sales review"),
    StageInfo(State.APPROVED, "Approved", "approved"),
    StageInfo(State.BOOKED, "Booked", "booked"),
    StageInfo(State.INVOICED, "Invoiced", "invoiced"),
    StageInfo(State.CANCELLED, "Cancelled", "cancelled"),
)
# Approved by the head of sales (documents signed and stamped), whatever finance did since.
SIGNED_STATES = frozenset({State.APPROVED, State.BOOKED, State.INVOICED})
STATE_NAMES: tuple[str, ...] = tuple(stage.state.value for stage in STAGES)
STAGE_LABELS: dict[State, str] = {stage.state: stage.label for stage in STAGES}
STAGE_WORDS: dict[State, str] = {stage.state: stage.in_words for stage in STAGES}


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    REVISE = "revise"
    BOOK = "book"
    INVOICE = "invoice"


ACTION_NAMES: tuple[str, ...] = tuple(action.value for action in Action)


class WorkflowError(ValueError):
    """A workflow request that cannot be carried out (message is safe to show)."""


class InvalidTransition(WorkflowError):
    """The action does not exist for the booking order's current stage."""


class TransitionDenied(WorkflowError):
    """The action exists at this stage but this user may not take it."""


class ReasonRequired(WorkflowError):
    """Rejecting and cancelling must say why."""


class NumberInvalid(WorkflowError):
    """Booking needs the client's PO number, marking invoiced the invoice number."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _key(company: str) -> str:
    return company.strip().casefold()


@dataclass(frozen=True)
class Actor:
    """Who is acting: coordinator and head-of-sales roles apply only to the listed companies."""

    user_id: str
    roles: frozenset[str] = field(default_factory=frozenset)
    coordinator_of: frozenset[str] = field(default_factory=frozenset)
    hos_of: frozenset[str] = field(default_factory=frozenset)
    finance_of: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls,
        user_id: str,
        roles: Iterable[str] = (),
        coordinator_of: Iterable[str] = (),
        hos_of: Iterable[str] = (),
        finance_of: Iterable[str] = (),
    ) -> Actor:
        return cls(
            user_id,
            frozenset(roles),
            frozenset(coordinator_of),
            frozenset(hos_of),
            frozenset(finance_of),
        )

    def is_coordinator(self, company: str) -> bool:
        return "coordinator" in self.roles and _key(company) in {
            _key(c) for c in self.coordinator_of
        }

    def is_hos(self, company: str) -> bool:
        return "hos" in self.roles and _key(company) in {_key(c) for c in self.hos_of}

    def is_finance(self, company: str) -> bool:
        return "finance" in self.roles and _key(company) in {_key(c) for c in self.finance_of}

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


@dataclass(frozen=True)
class Transition:
    """A decided transition; `new_version` means a revision that copies the approved BO."""

    from_state: State
    to_state: State
    action: Action
    actor_id: str
    reason: str | None = None
    new_version: bool = False
    # The client's PO number (book) or the invoice number (invoice), checked.
    number: str | None = None


# The graph of the spec: (state, action) → next state.
_GRAPH: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.SUBMIT): State.COORDINATOR_REVIEW,
    (State.COORDINATOR_REVIEW, Action.APPROVE): State.HOS_REVIEW,
    (State.HOS_REVIEW, Action.APPROVE): State.APPROVED,
    (State.COORDINATOR_REVIEW, Action.REJECT): State.DRAFT,
    (State.HOS_REVIEW, Action.REJECT): State.COORDINATOR_REVIEW,
    (State.DRAFT, Action.CANCEL): State.CANCELLED,
    (State.COORDINATOR_REVIEW, Action.CANCEL): State.CANCELLED,
    (State.HOS_REVIEW, Action.CANCEL): State.CANCELLED,
    (State.APPROVED, Action.REVISE): State.COORDINATOR_REVIEW,
    (State.APPROVED, Action.BOOK): State.BOOKED,
    (State.BOOKED, Action.INVOICE): State.INVOICED,
    (State.BOOKED, Action.CANCEL): State.CANCELLED,
}
_NEEDS_REASON = frozenset({Action.REJECT, Action.CANCEL})
_ACTION_WORDS = {
    Action.SUBMIT: "submitted",
    Action.APPROVE: "approved",
    Action.REJECT: "rejected",
    Action.CANCEL: "cancelled",
    Action.REVISE: "revised",
    Action.BOOK: "booked",
    Action.INVOICE: "marked invoiced",
}
# Finance's steps: booking (with the PO number) and invoicing, and cancelling once booked.
FINANCE_ACTIONS = frozenset({Action.BOOK, Action.INVOICE})


def _invalid_message(state: State, action: Action) -> str:
    if state is State.CANCELLED:
        return "This booking order is cancelled; no further actions are possible"
    if state is State.APPROVED and action is Action.CANCEL:
        return "An approved booking order can't be cancelled; a coordinator can revise it"
    if state is State.INVOICED and action is Action.CANCEL:
        return "An invoiced booking order can't be cancelled; finance handles it with a credit note"
    if action is Action.BOOK:
        return f"Only an approved booking order can be booked; this one is {STAGE_WORDS[state]}"
    if action is Action.INVOICE:
        return (
            f"Only a booked booking order can be marked invoiced; this one is {STAGE_WORDS[state]}"
        )
    if action is Action.REVISE:
        return "Only an approved booking order can be revised"
    return f"A booking order that is {STAGE_WORDS[state]} can't be {_ACTION_WORDS[action]}"


def _denial(state: State, action: Action, actor: Actor, company: str, is_owner: bool) -> str | None:
    """Why this actor may not take this (valid) action, or None when allowed."""
    if action is Action.SUBMIT:
        if is_owner:
            return None
        return "Only the sales person who owns this booking order can submit it"
    if action in (Action.APPROVE, Action.REJECT):
        verb = "approve" if action is Action.APPROVE else "reject"
        if state is State.COORDINATOR_REVIEW:
            if actor.is_coordinator(company):
                return None
            return f"Only a coordinator of {company} can {verb} at this stage"
        if actor.is_hos(company):
            return None
        return f"Only a head of sales of {company} can {verb} at this stage"
    if action in FINANCE_ACTIONS or (action is Action.CANCEL and state is State.BOOKED):
        if actor.is_finance(company) or actor.is_admin:
            return None
        verb = {Action.BOOK: "book", Action.INVOICE: "mark invoiced"}.get(action, "cancel")
        return f"Only finance of {company} or an admin can {verb} a booking order that is " + (
            f"{STAGE_WORDS[state]}"
        )
    if action is Action.CANCEL:
        if is_owner or actor.is_coordinator(company) or actor.is_hos(company):
            return None
        return (
            f"Only a coordinator or head of sales of {company}, or the sales person who owns it, "
            "can cancel this booking order"
        )
    if actor.is_coordinator(company) or actor.is_admin:
        return None
    return f"Only a coordinator of {company} or an admin can revise an approved booking order"


def transition(
    state: State | str,
    action: Action | str,
    actor: Actor,
    company: str,
    is_owner: bool = False,
    reason: str | None = None,
    number: str | None = None,
) -> Transition:
    """Decide one transition or raise InvalidTransition, TransitionDenied, ReasonRequired or
    NumberInvalid (book and invoice need their number)."""
    try:
        current, wanted = State(state), Action(action)
    except ValueError as exc:
        raise InvalidTransition("Unknown booking order stage or action") from exc
    target = _GRAPH.get((current, wanted))
    if target is None:
        raise InvalidTransition(_invalid_message(current, wanted))
    denial = _denial(current, wanted, actor, company, is_owner)
    if denial is not None:
        raise TransitionDenied(denial)
    cleaned = " ".join((reason or "").split()) or None
    if wanted in _NEEDS_REASON and cleaned is None:
        raise ReasonRequired(
            f"Please give a reason when a booking order is {_ACTION_WORDS[wanted]}"
        )
    checked = finance_number(wanted, number) if wanted in FINANCE_ACTIONS else None
    return Transition(
        from_state=current,
        to_state=target,
        action=wanted,
        actor_id=actor.user_id,
        reason=cleaned,
        new_version=wanted is Action.REVISE,
        number=checked,
    )


def allowed_actions(
    state: State | str, actor: Actor, company: str, is_owner: bool = False
) -> list[Action]:
    """The actions this user can take now, in a stable order (for buttons)."""
    current = State(state)
    return [
        action
        for action in Action
        if (current, action) in _GRAPH
        and _denial(current, action, actor, company, is_owner) is None
    ]


def editable(state: State | str, actor: Actor, company: str, is_owner: bool = False) -> bool:
    """The owner edits a draft; the company's coordinators edit during their review."""
    current = State(state)
    if current is State.DRAFT:
        return is_owner
    if current is State.COORDINATOR_REVIEW:
        return actor.is_coordinator(company)
    return False


# A PO or invoice number as printed: letters and digits, with - / . _ # or single spaces
# between them, at least one digit, at most 40 characters (PO-12345, 4500012345, INV/2026/778).
_NUMBER = re.compile(r"[A-Za-z0-9]+(?:[-/._# ]+[A-Za-z0-9]+)*")
_NUMBER_NAMES = {Action.BOOK: "PO number", Action.INVOICE: "invoice number"}
_NUMBER_EXAMPLES = {Action.BOOK: "PO-12345 or 4500012345", Action.INVOICE: "INV-2026-0042"}


def finance_number(action: Action, number: str | None) -> str:
    """The PO number (book) or invoice number (invoice), tidied; NumberInvalid says what a
    valid one looks like, in words a sales person understands."""
    name, example = _NUMBER_NAMES[action], _NUMBER_EXAMPLES[action]
    text = " ".join((number or "").split())
    if not text:
        verb = "book" if action is Action.BOOK else "mark it invoiced"
        raise NumberInvalid(
            f"Please give the {name} to {verb}, e.g. {example}.", code="number_required"
        )
    if len(text) > 40 or not _NUMBER.fullmatch(text) or not any(c.isdigit() for c in text):
        raise NumberInvalid(
            f"'{text[:40]}' doesn't look like a {name}: use the number as printed on the "
            f"document, e.g. {example} (letters and digits, optionally joined by -, / or ., "
            "at least one digit, at most 40 characters).",
            code="invalid_number",
        )
    return text
