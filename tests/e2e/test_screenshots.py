"""`make screenshots`: saves each main page to docs/screenshots/ (only with SALESBOT_SCREENSHOTS=1).

The test exists only when asked for, so ordinary runs neither skip it nor rewrite the images.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import ADMIN, SALES, WORK_TIMEOUT_MS, console_errors, new_page, sign_in

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
# The first suggestion of an empty chat; it starts on the 1st of next month (from /api/meta).
LANDMARK = re.compile(
    r"^Make me a landmark proposal, start \w{3} 1st \d{4}, durations 2 weeks, 4 weeks, "
    r"rates 1\.5M, 2\.8M, client Nike$"
)


def _shot(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"))


if os.environ.get("SALESBOT_SCREENSHOTS") == "1":

    def test_screenshots(browser: Browser, base_url: str) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        page = new_page(browser, viewport={"width": 1280, "height": 800}, color_scheme="light")
        try:
            page.goto(base_url + "/login")
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            _shot(page, "sign-in")
            sign_in(page, base_url, SALES)
            page.goto(base_url + "/chat?new=1")
            page.get_by_role("button", name=LANDMARK).click()
            tool = page.get_by_role("group", name="Creating proposals")
            expect(tool).to_have_attribute("data-state", "done", timeout=WORK_TIMEOUT_MS)
            page.get_by_role("textbox", name="Message").fill("mockup for landmark at night")
            _shot(page, "chat")
            page.goto(base_url + "/settings")
            expect(page.get_by_role("heading", name="API keys")).to_be_visible()
            _shot(page, "settings")
            _sales_pages(page, base_url)
            assert console_errors(page) == []
        finally:
            page.context.close()

        coordinator = new_page(browser, viewport=DESKTOP, color_scheme="light")
        try:
            _coordinator_pages(coordinator, base_url)
            assert console_errors(coordinator) == []
        finally:
            coordinator.context.close()

        admin = new_page(browser, viewport={"width": 1280, "height": 800}, color_scheme="light")
        try:
            sign_in(admin, base_url, ADMIN)
            admin.goto(base_url + "/")
            expect(admin.locator("#service-status")).to_have_text("The service is ready.")
            _shot(admin, "home")
            for path, name, heading in [
                ("/admin/users", "admin-users", "Users"),
                ("/admin/invites", "admin-invites", "Invitations"),
                ("/admin/audit", "admin-audit", "Audit log"),
                ("/admin/locations", "admin-locations", "Locations"),
                ("/admin/companies", "admin-companies", "Companies"),
                ("/admin/rates", "admin-rates", "Currency rates"),
                ("/costs", "costs", "Costs"),
            ]:
                admin.goto(base_url + path)
                expect(admin.get_by_role("heading", name=heading, exact=True)).to_be_visible()
                _shot(admin, name)
            assert console_errors(admin) == []
        finally:
            admin.context.close()

        phone = new_page(browser, viewport={"width": 390, "height": 844}, color_scheme="dark")
        try:
            sign_in(phone, base_url, SALES)
            phone.goto(base_url + "/chat")
            conversations = phone.get_by_role("list", name="Conversations")
            expect(conversations.get_by_role("link").first).to_be_visible()
            conversations.get_by_role("link").first.click()
            expect(phone.locator(".msg").first).to_be_visible()
            _shot(phone, "chat-phone-dark")
            assert console_errors(phone) == []
        finally:
            phone.context.close()


def _sales_pages(page: Page, base_url: str) -> None:
    """The proposal form with live totals, the history, the mockup studio, a booking order."""
    page.goto(base_url + "/proposals")
    page.get_by_label("Client", exact=True).fill("Nike")
    search = page.get_by_role("combobox", name="Add a location")
    search.fill("landmark")
    search.press("Enter")
    block = page.get_by_role("group", name="The Landmark", exact=True)
    block.get_by_label("Start date", exact=True).fill("2026-01-01")
    block.get_by_label("Duration, option 1", exact=True).fill("2 weeks")
    block.get_by_label("Net rate (AED), option 1", exact=True).fill("1.5M")
    block.get_by_role("button", name="Add an option").click()
    block.get_by_label("Duration, option 2", exact=True).fill("4 weeks")
    block.get_by_label("Net rate (AED), option 2", exact=True).fill("2.8M")
    totals = page.get_by_role("complementary", name="Totals")
    expect(totals).to_contain_text("AED 2,943,696")
    _shot(page, "proposal-form")
    page.get_by_role("button", name="Generate proposal").click()
    expect(page.get_by_text("is ready")).to_be_visible(timeout=WORK_TIMEOUT_MS)
    page.goto(base_url + "/proposals/history")
    expect(page.get_by_role("table", name="Proposals")).to_be_visible()
    _shot(page, "proposal-history")

    page.goto(base_url + "/mockups")
    page.get_by_label("Location", exact=True).select_option(label="The Landmark")
    page.get_by_label("Describe it", exact=True).check()
    page.get_by_label("Describe the artwork", exact=True).fill("Nike — Just do it. Air Max Spring")
    page.get_by_role("button", name="Generate mockup").click()
    expect(page.locator(".mockup-card.is-new img")).to_be_visible(timeout=WORK_TIMEOUT_MS)
    page.wait_for_function("() => [...document.images].every((i) => i.complete)")
    _shot(page, "mockups")

    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")
    rows = [
        "BOOKING ORDER",
        "Client:,Nike",
        "BO No.,DPD-112652,,Date,20/02/2025",
        "Agency,OMD",
        "Brand / Campaign,Air Max Spring",
        "",
        "Location,Start date,End date,Net Amount (AED)",
        'UAE02,1st March 2025,31st March 2025,"160,000"',
        "UAE03,01/03/2025,31/03/2025,160000",
        "UAE21,2025-03-15,2025-03-28,140000",
        "",
        "Municipality fee,520",
        "Production/upload fee,2000",
        "SLA %,10%",
    ]
    uploaded = page.request.post(
        base_url + "/api/files",
        multipart={
            "files": {"name": "bo.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}
        },
        headers={"X-CSRF-Token": csrf},
    )
    made = page.request.post(
        base_url + "/api/booking-orders",
        data={"file_id": uploaded.json()[0]["id"], "company": "viola"},
        headers={"X-CSRF-Token": csrf},
    )
    page.goto(f"{base_url}/booking-orders/{made.json()['id']}")
    expect(page.get_by_role("table", name="Totals")).to_contain_text("AED 485,646.00")
    _shot(page, "booking-order")
    page.goto(base_url + "/booking-orders")
    expect(page.get_by_role("table", name="Booking orders")).to_be_visible()
    _shot(page, "booking-orders")


def _coordinator_pages(page: Page, base_url: str) -> None:
    sign_in(page, base_url, "coordinator.backlite@demo.salesbot.dev")
    page.goto(base_url + "/mockups/setup")
    page.get_by_role("button", name="Set up the_landmark_1.jpg").click()
    editor = page.get_by_role("region", name="the_landmark_1.jpg · The Landmark")
    expect(editor.get_by_role("img", name="with a test poster")).to_be_visible(
        timeout=WORK_TIMEOUT_MS
    )
    page.set_viewport_size({"width": 1280, "height": 1000})
    # The editor's top just under the sticky top bar.
    editor.evaluate("e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 72)")
    _shot(page, "mockup-setup")
