"""Booking orders: intake with an attachment, plain-language edits, and the workflow verbs."""

from __future__ import annotations

import pytest

from tests.unit.assistant.helpers import answer, ask

OPEN_BO = {"last_booking_order": "DPD-112652"}


def test_intake_with_an_attachment() -> None:
    intent = ask("booking order for Viola, upload fee is 2000", has_attachments=True)
    assert intent.tool == "parse_booking_order"
    assert intent.missing == ()
    assert intent.args == {
        "company": "Viola",
        "notes": "booking order for Viola, upload fee is 2000",
    }


def test_intake_without_an_attachment_asks_for_the_file() -> None:
    intent = ask("new booking order for Backlite")
    assert intent.missing == ("attachment",)
    assert intent.reply is not None and "attach the booking order" in intent.reply
    done = answer(intent, "here it is", has_attachments=True, attachment_count=1)
    assert done.tool == "parse_booking_order"
    assert done.missing == ()
    assert done.args["company"] == "Backlite"


def test_a_message_without_the_file_keeps_asking() -> None:
    intent = ask("booking order for Backlite")
    again = answer(intent, "one sec")
    assert again.missing == ("attachment",)


def test_an_attachment_with_just_bo_is_intake() -> None:
    intent = ask("BO attached", attachment_count=2)
    assert intent.tool == "parse_booking_order"
    assert "company" not in intent.args


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("change municipality fee to 8000", {"field": "municipality_fee", "value": "8000"}),
        ("set the DM fee to AED 1,000", {"field": "municipality_fee", "value": "1000"}),
        (
            "update UAE21 net amount to 150000",
            {"field": "net_amount", "location": "UAE21", "value": "150000"},
        ),
        (
            "change the net amount for UAE02 to 160k",
            {"field": "net_amount", "location": "UAE02", "value": "160000"},
        ),
        ("change client to Nike UAE", {"field": "client", "value": "Nike UAE"}),
        ("set sla to 10%", {"field": "sla_pct", "value": "10%"}),
        ("set commission to 5 percent", {"field": "commission_pct", "value": "5%"}),
        ("change the currency to USD", {"field": "currency", "value": "USD"}),
        ("update production fee to 2,500", {"field": "production_upload_fee", "value": "2500"}),
        (
            "change the payment terms to 60 days PDC",
            {"field": "payment_terms", "value": "60 days PDC"},
        ),
        (
            "change the start date of UAE02 to 1 March 2026",
            {"field": "start_date", "location": "UAE02", "value": "2026-03-01"},
        ),
        ("fix the agency to Publicis", {"field": "agency", "value": "Publicis"}),
        ("municipality fee should be 1000", {"field": "municipality_fee", "value": "1000"}),
        ("the sla is 10%", {"field": "sla_pct", "value": "10%"}),
    ],
)
def test_plain_language_edits(message: str, expected: dict[str, object]) -> None:
    intent = ask(message, **OPEN_BO)
    assert intent.tool == "edit_booking_order"
    assert intent.missing == ()
    assert intent.args == {"booking_order": "DPD-112652", **expected}


def test_an_edit_naming_its_booking_order() -> None:
    intent = ask("change municipality fee on BO-2026-0001 to 8000")
    assert intent.args == {
        "booking_order": "BO-2026-0001",
        "field": "municipality_fee",
        "value": "8000",
    }


def test_an_edit_without_a_value_asks_for_it() -> None:
    intent = ask("change the municipality fee", **OPEN_BO)
    assert intent.missing == ("value",)
    assert intent.reply == "What should the municipality fee be?"
    assert answer(intent, "8,000").args["value"] == "8000"


def test_a_statement_is_not_an_edit_without_an_open_booking_order() -> None:
    assert ask("the sla is 10%").tool != "edit_booking_order"


@pytest.mark.parametrize(
    ("message", "tool", "args"),
    [
        ("submit it", "submit_booking_order", {"booking_order": "DPD-112652"}),
        ("send it for approval", "submit_booking_order", {"booking_order": "DPD-112652"}),
        ("approve", "approve_booking_order", {"booking_order": "DPD-112652"}),
        ("approve BO-2026-0001", "approve_booking_order", {"booking_order": "BO-2026-0001"}),
        ("what's the status?", "booking_order_status", {"booking_order": "DPD-112652"}),
        ("where is my booking order", "booking_order_status", {"booking_order": "DPD-112652"}),
    ],
)
def test_workflow_verbs(message: str, tool: str, args: dict[str, object]) -> None:
    intent = ask(message, **OPEN_BO)
    assert intent.tool == tool
    assert intent.args == args
    assert intent.missing == ()


def test_status_of_a_numbered_booking_order() -> None:
    intent = ask("status of dpd-112652")
    assert intent.args == {"booking_order": "DPD-112652"}


def test_reject_asks_for_the_reason() -> None:
    intent = ask("reject it", **OPEN_BO)
    assert intent.tool == "reject_booking_order"
    assert intent.missing == ("reason",)
    done = answer(intent, "the rates are wrong", **OPEN_BO)
    assert done.args == {"booking_order": "DPD-112652", "reason": "the rates are wrong"}


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("reject DPD-112652 because the client name is wrong", "the client name is wrong"),
        ("reject it: wrong dates", "wrong dates"),
        ("reject, reason: missing signature", "missing signature"),
    ],
)
def test_reject_with_a_reason(message: str, reason: str) -> None:
    intent = ask(message, **OPEN_BO)
    assert intent.missing == ()
    assert intent.args["reason"] == reason


def test_cancel_with_and_without_a_reason() -> None:
    done = ask("cancel the booking order, client pulled out", **OPEN_BO)
    assert done.tool == "cancel_booking_order"
    assert done.args == {"booking_order": "DPD-112652", "reason": "client pulled out"}
    asked = ask("cancel BO-2026-0001")
    assert asked.missing == ("reason",)
    assert asked.args == {"booking_order": "BO-2026-0001"}


def test_cancel_means_nothing_without_a_booking_order() -> None:
    assert ask("cancel").tool is None


@pytest.mark.parametrize(
    ("message", "query"),
    [
        ("find booking order DPD-112652", "DPD-112652"),
        ("find the BO for Nike", "Nike"),
        ("DPD-112652", "DPD-112652"),
        ("look up BO-2026-0001", "BO-2026-0001"),
    ],
)
def test_finding_booking_orders(message: str, query: str) -> None:
    intent = ask(message)
    assert intent.tool == "find_booking_order"
    assert intent.args == {"query": query}


@pytest.mark.parametrize(
    ("message", "tool", "args"),
    [
        (
            "mark BO-2026-0001 as booked with PO 12345",
            "book_booking_order",
            {"booking_order": "BO-2026-0001", "po_number": "12345"},
        ),
        ("mark it booked, PO-12345", "book_booking_order", {"po_number": "PO-12345"}),
        (
            "book BO-2026-0001 with PO number 4500012345",
            "book_booking_order",
            {"booking_order": "BO-2026-0001", "po_number": "4500012345"},
        ),
        (
            "mark it as invoiced with invoice INV-2026-0042",
            "invoice_booking_order",
            {"invoice_number": "INV-2026-0042"},
        ),
    ],
)
def test_finance_marks_booked_and_invoiced(message: str, tool: str, args: dict[str, str]) -> None:
    intent = ask(message)
    assert (intent.tool, intent.args, intent.missing) == (tool, args, ())


def test_finance_is_asked_for_the_number_it_did_not_give() -> None:
    asked = ask("mark it invoiced", **OPEN_BO)
    assert asked.tool == "invoice_booking_order"
    assert asked.missing == ("invoice_number",)
    assert asked.reply == "What is the invoice number (e.g. INV-2026-0042)?"
    given = answer(asked, "INV-77", **OPEN_BO)
    assert given.args == {"booking_order": "DPD-112652", "invoice_number": "INV-77"}
    booked = ask("mark BO-2026-0003 as booked")
    assert booked.missing == ("po_number",)


def test_a_question_about_booked_dates_is_not_finance() -> None:
    assert ask("is uae21 booked in march?").tool == "check_availability"


def test_a_typed_currency_goes_to_the_edit_with_the_amount() -> None:
    """The tool converts a marked amount and says so; the model must not drop the marker."""
    bo_open = {"last_booking_order": "BL-0001", "last_made": "booking_order"}
    for message, value in (
        ("change dm fee to $1,000", "USD 1000"),
        ("change municipality fee to 1000 dollars", "USD 1000"),
        ("change municipality fee to €2k", "EUR 2000"),
        ("change municipality fee to AED 1,000", "1000"),
        ("change municipality fee to 1000", "1000"),
    ):
        intent = ask(message, **bo_open)
        assert intent.tool == "edit_booking_order", message
        assert intent.args["value"] == value, (message, intent.args)


@pytest.mark.parametrize(
    ("message", "context", "args"),
    [
        (
            "send BL-0005 back, the rates are wrong",
            {},
            # the words that only point at the order ("it", "the", "this") are left out, as for
            # "reject it, the rates are wrong"
            {"booking_order": "BL-0005", "reason": "rates are wrong"},
        ),
        (
            "send it back because the dates are wrong",
            OPEN_BO,
            {"booking_order": "DPD-112652", "reason": "the dates are wrong"},
        ),
    ],
)
def test_sending_a_booking_order_back_is_a_rejection_with_its_reason(
    message: str, context: dict[str, str], args: dict[str, str]
) -> None:
    intent = ask(message, **context)
    assert intent.tool == "reject_booking_order"
    assert intent.args == args


def test_sending_something_else_back_is_not_a_rejection() -> None:
    assert ask("send the proposal back to me", **OPEN_BO).tool != "reject_booking_order"
