"""The offline model's follow-up edits of a proposal: what it reads, when a message is an edit
at all (and not a booking-order or catalogue edit, or a new request), and the answers to the
questions the edit tool asks."""

from __future__ import annotations

from salesbot.assistant.offline import Intent
from salesbot.assistant.offline.model import OfflineState
from tests.unit.assistant.helpers import ask

REV = "revise_proposal"


def test_edits_carry_only_what_changed() -> None:
    assert ask("make it 2 weeks at 1.5M and 4 weeks at 2.8M instead") == Intent(
        REV, {"durations": ["2 weeks", "4 weeks"], "net_rates": ["1500000", "2800000"]}
    )
    assert ask("make it $400k instead").args == {"net_rates": ["USD 400000"]}
    assert ask("add jawhara at 900k").args == {
        "net_rates": ["900000"],
        "add_locations": ["jawhara"],
    }
    package = {"kind": "combined", "combined_net_rate": "3000000"}
    assert ask("make it combined at 3M").args == package
    after = {"last_made": "proposal"}
    assert ask("change the production fee for uae21 to 20k", **after).args == {
        "production_fee": "20000",
        "location": "uae21",
    }
    assert ask("move the start to 1 Feb 2026", **after).args == {"start_date": "2026-02-01"}
    assert ask("change the payment terms to 60 days PDC", **after).args == {
        "payment_terms": "60 days PDC"
    }


def test_what_a_booking_order_or_the_catalogue_also_means_needs_a_proposal_first() -> None:
    for message in ("change the client to Etisalat", "remove UAE21", "change the currency to USD"):
        assert ask(message).tool != REV, message
        assert ask(message, last_made="proposal").tool == REV, message
        assert ask(message, last_made="booking_order", last_booking_order="BL-1").tool != REV
    assert ask("add location jawhara", last_made="proposal").tool == "add_location"
    assert ask("same mockup on gateway", last_made="proposal").tool == "generate_mockup"


def test_a_complete_new_request_is_not_an_edit() -> None:
    message = "make it combined: landmark and jawhara at 3M for 2 weeks starting Dec 1 for Adidas"
    assert ask(message, last_made="proposal").tool == "create_combined_proposal"
    made = ask("landmark 2 weeks 1.5M start Dec 1 client Nike", last_made="proposal")
    assert made.tool == "create_separate_proposals"


def test_the_tools_questions_take_the_answer() -> None:
    state = OfflineState()
    state.await_confirmation(
        {
            "code": "ask",
            "tool": REV,
            "args": {"add_locations": ["jawhara"]},
            "missing": "net_rates",
        },
        "What net rate should The Jawhara have for 4 weeks?",
    )
    pending = state.pending
    assert pending is not None and pending.missing == ("net_rates",)
    assert ask("900k", pending=pending) == Intent(
        REV, {"add_locations": ["jawhara"], "net_rates": ["900000"]}
    )
    state.await_confirmation(
        {
            "code": "ask",
            "tool": REV,
            "args": {"durations": ["4 weeks"]},
            "missing": "past_start",
            "suggestion": "2026-03-01",
        },
        "1 Mar 2025 has passed — did you mean 1 Mar 2026?",
    )
    passed = state.pending
    assert passed is not None
    assert ask("yes", pending=passed) == Intent(
        REV, {"durations": ["4 weeks"], "start_date": "2026-03-01"}
    )
    assert ask("keep the date", pending=passed) == Intent(
        REV, {"durations": ["4 weeks"], "past_start_confirmed": True}
    )


def test_the_state_remembers_what_was_made_last() -> None:
    state = OfflineState()
    state.remember_result({"id": "p1", "root_id": "p1", "kind": "separate"})
    assert state.last_made == "proposal"
    assert OfflineState.from_json(state.to_json()).last_made == "proposal"
    state.remember_result({"booking_order": "BL-0001"})
    assert (state.last_made, state.last_booking_order) == ("booking_order", "BL-0001")
