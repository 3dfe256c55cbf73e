"""`make screenshots`: saves each main page to docs/screenshots/ (only with SALESBOT_SCREENSHOTS=1).

The test exists only when asked for, so ordinary runs neither skip it nor rewrite the images.
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import ADMIN, SALES, console_errors, new_page, sign_in

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LANDMARK = (
    "Make me a landmark proposal, start Jan 1st 2026, durations 2 weeks, 4 weeks, "
    "rates 1.5M, 2.8M, client Nike"
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
            expect(tool).to_have_attribute("data-state", "done", timeout=30_000)
            page.get_by_role("textbox", name="Message").fill("mockup for landmark at night")
            _shot(page, "chat")
            page.goto(base_url + "/settings")
            expect(page.get_by_role("heading", name="API keys")).to_be_visible()
            _shot(page, "settings")
            assert console_errors(page) == []
        finally:
            page.context.close()

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
