"""A booking order's whole journey in the browser: upload, edit, submit, reviews, finance."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    SALES,
    WORK_TIMEOUT_MS,
    console_errors,
    new_page,
    open_page,
    settled,
    sign_in,
)

COORDINATOR = "coordinator.viola@demo.salesbot.dev"
HOS = "hos.viola@demo.salesbot.dev"
FINANCE = "finance.viola@demo.salesbot.dev"

# The spec's worked example (net 462,520, VAT 23,126, gross 485,646 with DM 520).
ROWS: list[list[str]] = [
    ["BOOKING ORDER"],
    ["Client:", "Nike"],
    ["BO No.", "", "", "Date", "20/02/2025"],
    ["Agency", "OMD"],
    ["Brand / Campaign", "Air Max Spring"],
    ["Payment terms", "60 days"],
    [],
    ["Location", "Start date", "End date", "Net Amount (AED)"],
    ["UAE02", "1st March 2025", "31st March 2025", "160,000"],
    ["UAE03", "01/03/2025", "31/03/2025", "160,000"],
    ["UAE21", "2025-03-15", "2025-03-28", "140000"],
    [],
    ["Municipality fee", "520"],
    ["Production/upload fee", "2,000"],
    ["SLA %", "10%"],
    ["Commission", "5%"],
]


def _booking_order(path: Path, number: str) -> Path:
    rows = [list(r) for r in ROWS]
    rows[2][1] = number
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue())
    return path


def _totals(page: Page) -> dict[str, str]:
    table = page.get_by_role("table", name="Totals")
    settled(page)
    expect(table).to_be_visible()
    return {
        row.locator("th").inner_text(): row.locator("td").inner_text()
        for row in table.get_by_role("row").all()
    }


def _act(page: Page, label: str, reason: str | None = None) -> None:
    page.get_by_role("group", name="Actions").get_by_role("button", name=label).click()
    dialog = page.get_by_role("dialog", name=f"{label}?")
    if reason is not None:
        dialog.get_by_role("button", name=label).click()
        expect(dialog.get_by_role("alert")).to_have_text("Please give a reason.")
        dialog.get_by_role("textbox").fill(reason)
    dialog.get_by_role("button", name=label).click()
    expect(dialog).to_have_count(0)


def _act_with_number(page: Page, label: str, number: str) -> None:
    """Finance's steps ask for a number (the PO number, the invoice number) in the dialog."""
    page.get_by_role("group", name="Actions").get_by_role("button", name=label).click()
    dialog = page.get_by_role("dialog", name=f"{label}?")
    dialog.get_by_role("textbox").fill(number)
    dialog.get_by_role("button", name=label).click()
    expect(dialog).to_have_count(0)


def _open(page: Page, base_url: str, email: str, url: str) -> None:
    sign_in(page, base_url, email)
    open_page(page, url)


def test_booking_order_from_upload_to_finance(
    page: Page, browser: Browser, base_url: str, tmp_path: Path
) -> None:
    number = f"DPD-{uuid.uuid4().hex[:6].upper()}"
    # Sales uploads the client's booking order.
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/booking-orders")
    page.get_by_role("button", name="Upload a booking order").first.click()
    dialog = page.get_by_role("dialog", name="Upload a booking order")
    dialog.get_by_label("The client's signed booking order", exact=True).set_input_files(
        _booking_order(tmp_path / "bo.csv", number)
    )
    dialog.get_by_label("Company", exact=True).select_option(label="Viola")
    dialog.get_by_role("button", name="Read the booking order").click()
    expect(page).to_have_url(re.compile(r"/booking-orders/[0-9a-f-]{36}$"), timeout=WORK_TIMEOUT_MS)
    detail_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{number} · Nike")
    expect(page.locator(".badge[data-stage]")).to_have_text("Draft")
    totals = _totals(page)
    assert totals["Net (before VAT)"] == "AED 462,520.00"
    assert totals["Gross"] == "AED 485,646.00"

    # Editing the DM fee recalculates (the spec's worked example).
    page.get_by_label("Municipality fee (AED)", exact=True).fill("1,000")
    page.get_by_role("button", name="Save and recalculate").click()
    expect(page.get_by_role("table", name="Totals")).to_contain_text("AED 486,150.00")
    totals = _totals(page)
    assert totals["Net (before VAT)"] == "AED 463,000.00"
    assert totals["VAT 5%"] == "AED 23,150.00"
    assert totals["SLA deduction"] == "AED 46,000.00"
    assert totals["Net excluding SLA"] == "AED 417,000.00"
    # Only the actions the owner may take are offered.
    actions = page.get_by_role("group", name="Actions").get_by_role("button")
    expect(actions).to_have_text(["Submit for review", "Cancel booking order"])
    _act(page, "Submit for review")
    expect(page.locator(".badge[data-stage]")).to_have_text("Coordinator review")
    expect(page.get_by_role("button", name="Save and recalculate")).to_have_count(0)
    assert console_errors(page) == []

    # The coordinator finds it by stage and approves it.
    coordinator = new_page(browser)
    try:
        _open(coordinator, base_url, COORDINATOR, base_url + "/booking-orders")
        # The link is in the unfiltered list too: find it in the list the stage filter answered.
        with coordinator.expect_response(
            lambda r: "/api/booking-orders?" in r.url and "stage=coordinator_review" in r.url
        ) as filtered:
            coordinator.get_by_role("group", name="Stage").get_by_role(
                "button", name="Coordinator review"
            ).click()
        assert filtered.value.ok
        expect(coordinator).to_have_url(re.compile(r"\?stage=coordinator_review$"))
        coordinator.get_by_role("link", name=number).click()
        expect(coordinator).to_have_url(detail_url)
        settled(coordinator)
        _act(coordinator, "Approve")
        expect(coordinator.locator(".badge[data-stage]")).to_have_text("Head of sales review")
        assert console_errors(coordinator) == []
    finally:
        coordinator.context.close()

    # The head of sales sends it back once with a reason, then approves the resubmission.
    hos = new_page(browser)
    coordinator = new_page(browser)
    try:
        _open(hos, base_url, HOS, detail_url)
        _act(hos, "Reject", reason="Please attach the signed page.")
        expect(hos.locator(".badge[data-stage]")).to_have_text("Coordinator review")
        timeline = hos.get_by_role("region", name="Timeline")
        expect(timeline.locator("li").last).to_contain_text("Rejected by Hana Viola Head of Sales")
        expect(timeline.locator("li").last).to_contain_text("Please attach the signed page.")
        _open(coordinator, base_url, COORDINATOR, detail_url)
        _act(coordinator, "Approve")
        expect(coordinator.locator(".badge[data-stage]")).to_have_text("Head of sales review")
        hos.reload()
        settled(hos)
        _act(hos, "Approve")
        expect(hos.locator(".badge[data-stage]")).to_have_text("Approved", timeout=WORK_TIMEOUT_MS)
        facts = hos.get_by_text(re.compile(r"Reference BO-\d{4}-\d{4}"))
        expect(facts).to_be_visible()
        reference = re.search(r"BO-\d{4}-\d{4}", facts.inner_text())
        assert reference is not None
        expect(hos.get_by_role("group", name="Actions").get_by_role("button")).to_have_count(0)
        assert console_errors(hos) == []
        assert console_errors(coordinator) == []
    finally:
        hos.context.close()
        coordinator.context.close()

    # Finance sees the notification and downloads the stamped final PDF.
    finance = new_page(browser)
    try:
        _open(finance, base_url, FINANCE, base_url + "/")
        bell = finance.get_by_role("button", name=re.compile(r"^Notifications, \d+ unread$"))
        expect(bell).to_be_visible()
        bell.click()
        panel = finance.get_by_role("region", name="Notifications")
        item = panel.get_by_role("link", name=re.compile(f"approved: {reference.group(0)}"))
        expect(item.first).to_be_visible()
        # Opening it marks it read; leaving the page before that answer would cancel it.
        with finance.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/read")
        ) as marked:
            item.first.click()
        assert marked.value.ok
        expect(finance).to_have_url(detail_url)
        docs = finance.get_by_role("region", name="Documents")
        link = docs.get_by_role("link", name=re.compile(r"^Download .*\.pdf$")).first
        expect(link).to_be_visible()
        with finance.expect_download() as info:
            link.click()
        with open(info.value.path(), "rb") as fh:
            assert fh.read(5) == b"%PDF-"
        # Opening it marked it read: the bell and the full list agree.
        open_page(finance, base_url + "/notifications")
        listed = finance.get_by_role("list", name="Notifications").get_by_role("listitem")
        expect(listed.filter(has_text=reference.group(0))).to_have_count(1)
        expect(finance.locator(".note.unread")).to_have_count(0)
        mark_all = finance.get_by_role("main").get_by_role("button", name="Mark all read")
        expect(mark_all).to_be_disabled()
        expect(
            finance.get_by_role("button", name="Notifications, none unread", exact=True)
        ).to_be_visible()

        # Finance books it from the detail page with the client's PO number, then invoices it.
        open_page(finance, detail_url)
        settled(finance)
        actions = finance.get_by_role("group", name="Actions").get_by_role("button")
        expect(actions).to_have_text(["Mark as booked"])
        _act_with_number(finance, "Mark as booked", "PO-")
        expect(finance.get_by_role("alert")).to_contain_text("doesn't look like a PO number")
        expect(finance.locator(".badge[data-stage]")).to_have_text("Approved")
        _act_with_number(finance, "Mark as booked", "PO-12345")
        expect(finance.locator(".badge[data-stage]")).to_have_text("Booked")
        expect(finance.get_by_text(re.compile(r"PO PO-12345"))).to_be_visible()
        expect(actions).to_have_text(["Cancel booking order", "Mark invoiced"])
        timeline = finance.get_by_role("region", name="Timeline")
        expect(timeline.locator("li").last).to_contain_text("Booked by")
        _act_with_number(finance, "Mark invoiced", "INV-2026-0042")
        expect(finance.locator(".badge[data-stage]")).to_have_text("Invoiced")
        expect(finance.get_by_text(re.compile(r"Invoice INV-2026-0042"))).to_be_visible()
        expect(actions).to_have_count(0)
        assert console_errors(finance, expected_statuses=[422]) == []
    finally:
        finance.context.close()


def test_cancelling_needs_a_reason_and_finance_only_reads(
    page: Page, browser: Browser, base_url: str, tmp_path: Path
) -> None:
    number = f"DPD-{uuid.uuid4().hex[:6].upper()}"
    sign_in(page, base_url, SALES)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")
    path = _booking_order(tmp_path / "bo.csv", number)
    uploaded = page.request.post(
        base_url + "/api/files",
        multipart={
            "files": {"name": "bo.csv", "mimeType": "text/csv", "buffer": path.read_bytes()}
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert uploaded.status == 201
    made = page.request.post(
        base_url + "/api/booking-orders",
        data={"file_id": uploaded.json()[0]["id"], "company": "viola"},
        headers={"X-CSRF-Token": csrf},
    )
    assert made.status == 201
    url = f"{base_url}/booking-orders/{made.json()['id']}"
    open_page(page, url)
    _act(page, "Cancel booking order", reason="The client changed their mind.")
    expect(page.locator(".badge[data-stage]")).to_have_text("Cancelled")
    expect(page.get_by_text("This booking order is cancelled.")).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("The client changed their mind.")
    # Cancelled, it is read-only: no form, the figures as text.
    expect(page.get_by_role("form", name="Booking order fields")).to_have_count(0)
    expect(page.get_by_role("table", name="Locations")).to_contain_text("160,000.00")
    assert console_errors(page) == []

    viewer = new_page(browser)
    try:
        _open(viewer, base_url, FINANCE, base_url + "/booking-orders?stage=cancelled")
        viewer.get_by_role("link", name=number).click()
        settled(viewer, f"/booking-orders/{made.json()['id']}")
        expect(viewer.get_by_role("heading", level=1)).to_have_text(f"{number} · Nike")
        expect(viewer.get_by_role("group", name="Actions").get_by_role("button")).to_have_count(0)
        expect(viewer.get_by_role("button", name="Upload a booking order")).to_have_count(0)
        assert console_errors(viewer) == []
    finally:
        viewer.context.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}


def test_the_booking_order_page_fits_a_phone(
    browser: Browser, base_url: str, tmp_path: Path
) -> None:
    """390 px wide: no sideways scrolling, each location a card with its values named."""
    phone = new_page(browser, **PHONE)
    try:
        sign_in(phone, base_url, SALES)
        csrf = next(c["value"] for c in phone.context.cookies() if c["name"] == "salesbot_csrf")
        path = _booking_order(tmp_path / "bo.csv", f"DPD-{uuid.uuid4().hex[:6].upper()}")
        uploaded = phone.request.post(
            base_url + "/api/files",
            multipart={
                "files": {"name": "bo.csv", "mimeType": "text/csv", "buffer": path.read_bytes()}
            },
            headers={"X-CSRF-Token": csrf},
        )
        made = phone.request.post(
            base_url + "/api/booking-orders",
            data={"file_id": uploaded.json()[0]["id"], "company": "viola"},
            headers={"X-CSRF-Token": csrf},
        )
        assert made.status == 201
        open_page(phone, f"{base_url}/booking-orders/{made.json()['id']}")
        table = phone.get_by_role("table", name="Locations")
        expect(table).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        first = table.locator("tbody tr").first
        # A card: the row is as wide as the table, its header row is hidden, values are named.
        assert first.evaluate("r => getComputedStyle(r).display") == "block"
        expect(table.locator("thead")).to_be_hidden()
        assert first.locator("td").first.get_attribute("data-label") == "Location"
        assert console_errors(phone) == []
    finally:
        phone.context.close()


def test_chat_actions_fold_into_a_menu_on_a_phone(browser: Browser, base_url: str) -> None:
    phone = new_page(browser, **PHONE)
    try:
        sign_in(phone, base_url, SALES)
        csrf = next(c["value"] for c in phone.context.cookies() if c["name"] == "salesbot_csrf")
        made = phone.request.post(
            base_url + "/api/conversations",
            data={"title": "On the road"},
            headers={"X-CSRF-Token": csrf},
        )
        open_page(phone, f"{base_url}/chat/{made.json()['id']}")
        rename = phone.get_by_role("button", name="Rename")
        expect(rename).to_be_hidden()
        phone.get_by_label("Conversation actions", exact=True).click()
        expect(rename).to_be_visible()
        for name in ("Pin", "Archive", "Delete"):
            expect(phone.get_by_role("button", name=name)).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert console_errors(phone) == []
    finally:
        phone.context.close()
