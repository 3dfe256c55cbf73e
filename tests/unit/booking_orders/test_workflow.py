from __future__ import annotations

import itertools

import pytest

from salesbot.booking_orders.workflow import (
    Action,
    Actor,
    InvalidTransition,
    ReasonRequired,
    State,
    TransitionDenied,
    allowed_actions,
    editable,
    transition,
)

COMPANY = "Viola"

# name → (actor, is_owner)
ACTORS: dict[str, tuple[Actor, bool]] = {
    "owner": (Actor.of("u-owner", ["sales_person"]), True),
    "other_sales": (Actor.of("u-sales", ["sales_person"]), False),
    "coordinator": (Actor.of("u-coord", ["coordinator"], coordinator_of=["Viola"]), False),
    "other_coordinator": (
        Actor.of("u-coord2", ["coordinator"], coordinator_of=["Backlite"]),
        False,
    ),
    "hos": (Actor.of("u-hos", ["hos"], hos_of=["Viola"]), False),
    "other_hos": (Actor.of("u-hos2", ["hos"], hos_of=["Backlite"]), False),
    "admin": (Actor.of("u-admin", ["admin"]), False),
    "finance": (Actor.of("u-fin", ["finance"], finance_of=["Viola"]), False),
    "other_finance": (Actor.of("u-fin2", ["finance"], finance_of=["Backlite"]), False),
    "viewer": (Actor.of("u-view", ["viewer"]), False),
    # Listed as coordinator of the company but without the role: no rights.
    "roleless": (Actor.of("u-none", [], coordinator_of=["Viola"], hos_of=["Viola"]), False),
}

# The spec's graph, written out independently of the implementation:
# (state, action) → (next state, who may take it).
EXPECTED: dict[tuple[State, Action], tuple[State, set[str]]] = {
    (State.DRAFT, Action.SUBMIT): (State.COORDINATOR_REVIEW, {"owner"}),
    (State.COORDINATOR_REVIEW, Action.APPROVE): (State.HOS_REVIEW, {"coordinator"}),
    (State.HOS_REVIEW, Action.APPROVE): (State.APPROVED, {"hos"}),
    (State.COORDINATOR_REVIEW, Action.REJECT): (State.DRAFT, {"coordinator"}),
    (State.HOS_REVIEW, Action.REJECT): (State.COORDINATOR_REVIEW, {"hos"}),
    (State.DRAFT, Action.CANCEL): (State.CANCELLED, {"owner", "coordinator", "hos"}),
    (State.COORDINATOR_REVIEW, Action.CANCEL): (State.CANCELLED, {"owner", "coordinator", "hos"}),
    (State.HOS_REVIEW, Action.CANCEL): (State.CANCELLED, {"owner", "coordinator", "hos"}),
    (State.APPROVED, Action.REVISE): (State.COORDINATOR_REVIEW, {"coordinator", "admin"}),
    # Finance completes the chain (issue 15): book with the PO number, then mark invoiced;
    # once booked only finance (or an admin) cancels.
    (State.APPROVED, Action.BOOK): (State.BOOKED, {"finance", "admin"}),
    (State.BOOKED, Action.INVOICE): (State.INVOICED, {"finance", "admin"}),
    (State.BOOKED, Action.CANCEL): (State.CANCELLED, {"finance", "admin"}),
}


@pytest.mark.parametrize(
    ("state", "action", "who"), list(itertools.product(State, Action, sorted(ACTORS)))
)
def test_every_state_action_and_role(state: State, action: Action, who: str) -> None:
    actor, is_owner = ACTORS[who]
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(InvalidTransition):
            transition(
                state, action, actor, COMPANY, is_owner=is_owner, reason="because", number="PO-1"
            )
        return
    target, allowed = expected
    if who in allowed:
        result = transition(
            state, action, actor, COMPANY, is_owner=is_owner, reason=" because ", number="PO-1"
        )
        assert (result.from_state, result.to_state, result.action) == (state, target, action)
        assert result.actor_id == actor.user_id
        assert result.new_version is (action is Action.REVISE)
    else:
        with pytest.raises(TransitionDenied):
            transition(
                state, action, actor, COMPANY, is_owner=is_owner, reason="because", number="PO-1"
            )


@pytest.mark.parametrize(("state", "who"), list(itertools.product(State, sorted(ACTORS))))
def test_allowed_actions_match_the_graph(state: State, who: str) -> None:
    actor, is_owner = ACTORS[who]
    expected = [
        action
        for action in Action
        if (state, action) in EXPECTED and who in EXPECTED[(state, action)][1]
    ]
    assert allowed_actions(state, actor, COMPANY, is_owner=is_owner) == expected


@pytest.mark.parametrize(("state", "who"), list(itertools.product(State, sorted(ACTORS))))
def test_editable_by_owner_in_draft_and_coordinator_in_review(state: State, who: str) -> None:
    actor, is_owner = ACTORS[who]
    expected = (state is State.DRAFT and who == "owner") or (
        state is State.COORDINATOR_REVIEW and who == "coordinator"
    )
    assert editable(state, actor, COMPANY, is_owner=is_owner) is expected


def test_denials_say_who_can_act() -> None:
    coordinator, _ = ACTORS["coordinator"]
    with pytest.raises(TransitionDenied) as denied:
        transition("hos_review", "approve", coordinator, "Viola", is_owner=False)
    assert str(denied.value) == "Only a head of sales of Viola can approve at this stage"
    other_hos, _ = ACTORS["other_hos"]
    with pytest.raises(TransitionDenied) as denied:
        transition("coordinator_review", "approve", other_hos, "Viola", is_owner=False)
    assert str(denied.value) == "Only a coordinator of Viola can approve at this stage"
    sales, _ = ACTORS["other_sales"]
    with pytest.raises(TransitionDenied, match="Only the sales person who owns"):
        transition("draft", "submit", sales, "Viola", is_owner=False)


def test_invalid_transitions_explain_the_stage() -> None:
    hos, _ = ACTORS["hos"]
    with pytest.raises(InvalidTransition, match="approved booking order can't be cancelled"):
        transition("approved", "cancel", hos, "Viola", is_owner=False, reason="x")
    with pytest.raises(InvalidTransition, match="is cancelled; no further actions"):
        transition("cancelled", "revise", hos, "Viola", is_owner=False)
    with pytest.raises(InvalidTransition, match="a draft can't be approved"):
        transition("draft", "approve", hos, "Viola", is_owner=False)
    with pytest.raises(InvalidTransition, match="Unknown"):
        transition("archived", "approve", hos, "Viola", is_owner=False)


@pytest.mark.parametrize("reason", [None, "", "   \n "])
def test_reject_and_cancel_need_a_reason(reason: str | None) -> None:
    coordinator, _ = ACTORS["coordinator"]
    for action in (Action.REJECT, Action.CANCEL):
        with pytest.raises(ReasonRequired, match="Please give a reason"):
            transition(
                State.COORDINATOR_REVIEW,
                action,
                coordinator,
                "Viola",
                is_owner=False,
                reason=reason,
            )


def test_reason_is_recorded_tidily_and_companies_match_case_insensitively() -> None:
    hos, _ = ACTORS["hos"]
    result = transition(
        "hos_review", "reject", hos, " viola ", is_owner=False, reason="  wrong\n dates "
    )
    assert result.to_state is State.COORDINATOR_REVIEW
    assert result.reason == "wrong dates"
    approve = transition("hos_review", "approve", hos, "VIOLA", is_owner=False, reason=None)
    assert approve.reason is None
