"""Who each workflow notice is for, and its wording."""

from __future__ import annotations

import uuid
from decimal import Decimal

from salesbot.booking_orders.messaging import label, revision_notice, transition_notice
from salesbot.booking_orders.models import BookingOrderRow
from salesbot.booking_orders.workflow import Action, State, Transition


def _row(**values: object) -> BookingOrderRow:
    defaults: dict[str, object] = {
        "id": uuid.uuid4(),
        "reference": None,
        "revision": 1,
        "bo_number": "DPD-1",
        "client": "Nike",
        "currency": "AED",
        "gross": None,
    }
    return BookingOrderRow(**{**defaults, **values})


def _decided(
    action: Action, from_state: State, to_state: State, reason: str | None = None
) -> Transition:
    return Transition(from_state, to_state, action, "actor", reason)


def test_labels_name_the_reference_then_the_bo_number_then_the_client() -> None:
    assert label(_row(reference="BO-2025-0001")) == "BO-2025-0001"
    assert label(_row(reference="BO-2025-0001", revision=2)) == "BO-2025-0001 (revision 2)"
    assert label(_row()) == "booking order DPD-1"
    assert label(_row(bo_number="")) == "the booking order for Nike"
    assert label(_row(bo_number="", client="")) == "a booking order"


def test_each_step_tells_whoever_acts_next() -> None:
    row = _row()
    submit = transition_notice(
        _decided(Action.SUBMIT, State.DRAFT, State.COORDINATOR_REVIEW), row, "Viola", "Sara"
    )
    assert submit is not None and submit.audience == ("coordinator",)
    assert submit.body == (
        "Sara submitted booking order DPD-1 for Nike (Viola) for coordinator review."
    )
    to_hos = transition_notice(
        _decided(Action.APPROVE, State.COORDINATOR_REVIEW, State.HOS_REVIEW), row, "Viola", "C"
    )
    assert to_hos is not None and to_hos.audience == ("hos",)
    approved = transition_notice(
        _decided(Action.APPROVE, State.HOS_REVIEW, State.APPROVED),
        _row(reference="BO-2025-0001", gross=Decimal("485646")),
        "Viola",
        "H",
    )
    assert approved is not None
    assert approved.audience == ("finance", "owner", "coordinator")
    assert "Gross 485,646.00 AED." in approved.body
    back = transition_notice(
        _decided(Action.REJECT, State.COORDINATOR_REVIEW, State.DRAFT, "dates"), row, "Viola", "C"
    )
    assert back is not None and back.audience == ("owner",)
    assert back.body.endswith("Reason: dates")
    cancelled = transition_notice(
        _decided(Action.CANCEL, State.HOS_REVIEW, State.CANCELLED, "gone"), row, "Viola", "S"
    )
    assert cancelled is not None and cancelled.audience == ("owner", "coordinator", "hos")


def test_a_revision_goes_to_the_coordinators_and_the_owner() -> None:
    approved = _row(reference="BO-2025-0001")
    notice = revision_notice(approved, _row(reference="BO-2025-0001", revision=2), "C")
    assert notice.audience == ("coordinator", "owner")
    assert notice.title == "Revised booking order to review: BO-2025-0001 (revision 2)"
