"""The one table of booking-order stages covers every state, in workflow order."""

from __future__ import annotations

from typing import get_args

from salesbot.booking_orders import schemas
from salesbot.booking_orders.workflow import STAGE_LABELS, STAGES, STATE_NAMES, Action, State


def test_every_state_has_one_label_in_workflow_order() -> None:
    assert [stage.state for stage in STAGES] == list(State)
    assert STATE_NAMES == (
        "draft",
        "coordinator_review",
        "hos_review",
        "approved",
        "booked",
        "invoiced",
        "cancelled",
    )
    assert STAGE_LABELS[State.HOS_REVIEW] == "Head of sales review"
    assert len(set(STAGE_LABELS.values())) == len(State)


def test_the_api_literals_come_from_the_workflow() -> None:
    assert get_args(schemas.Stage) == STATE_NAMES
    assert get_args(schemas.ActionName) == tuple(a.value for a in Action)
