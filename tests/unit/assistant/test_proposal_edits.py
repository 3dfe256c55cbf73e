"""The offline model's follow-up edits of a proposal: what it reads, when a message is an edit
at all (and not a booking-order or catalogue edit, or a new request), and the answers to the
questions the edit tool asks."""

from __future__ import annotations

from salesbot.assistant.offline import Intent
from salesbot.assistant.offline.model import OfflineState
from tests.unit.assistant.helpers import TODAY, ask

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


_BO_OPEN = {"last_made": "booking_order", "last_booking_order": "BL-0001"}


def test_with_a_booking_order_open_a_length_change_edits_the_conversations_proposal() -> None:
    for message, durations in (
        ("make it 4 weeks instead", ["4 weeks"]),
        ("actually make it 2 weeks", ["2 weeks"]),
        ("can you make it 8 weeks instead?", ["8 weeks"]),
    ):
        got = ask(message, has_proposal=True, **_BO_OPEN)
        assert got == Intent(REV, {"durations": durations}), message
    combined = ask("make it combined at 3M", has_proposal=True, **_BO_OPEN)
    assert combined == Intent(REV, {"kind": "combined", "combined_net_rate": "3000000"})
    # A booking order's own fields stay the booking order's.
    fee = ask("change municipality fee to 8000", has_proposal=True, **_BO_OPEN)
    assert fee.tool == "edit_booking_order"


def test_with_only_a_booking_order_a_length_change_explains_how_to_change_it() -> None:
    for message in ("make it 4 weeks instead", "actually make it 2 weeks", "make it 1 month"):
        got = ask(message, **_BO_OPEN)
        assert got.tool is None, message
        reply = got.reply or ""
        assert reply.startswith("A booking order's campaign length comes from its dates"), reply
        # How: the dates to change (an example computed from today), and what else can change.
        assert "change the end date to" in reply and str(TODAY.year) in reply
        assert "municipality fee" in reply and "net amount" in reply


def test_the_state_remembers_that_the_conversation_has_a_proposal() -> None:
    state = OfflineState()
    assert not state.context(0).has_proposal
    state.remember_result({"id": "p1", "root_id": "p1", "kind": "separate"})
    state.remember_result({"booking_order": "BL-0001"})
    assert state.last_made == "booking_order"
    assert state.context(0).has_proposal
    assert OfflineState.from_json(state.to_json()).context(0).has_proposal


def test_a_booking_order_draft_is_what_the_conversation_made_last() -> None:
    state = OfflineState()
    state.remember_result({"id": "b1", "reference": None, "fields": {"bo_number": "DPD-112652"}})
    assert (state.last_made, state.last_booking_order) == ("booking_order", "DPD-112652")
