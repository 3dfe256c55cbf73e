"""Two-step sign-in in the browser: set up in Settings with the QR code's key, recovery codes
shown once, then the sign-in page asks for the code after the password."""

from __future__ import annotations

import re
import time
import uuid

import pyotp
from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import ADMIN, console_errors, new_page, open_page, sign_in

PASSWORD = "a-good-long-password"


def _new_person(page: Page, base_url: str) -> str:
    sign_in(page, base_url, ADMIN)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")
    email = f"mfa-{uuid.uuid4().hex[:8]}@example.com"
    invite = page.request.post(
        base_url + "/api/invites",
        data={"email": email, "roles": [{"role": "viewer"}]},
        headers={"X-CSRF-Token": csrf},
    )
    assert invite.status == 201, invite.text()
    accepted = page.request.post(
        base_url + "/api/invites/accept",
        data={"token": invite.json()["token"], "name": "Mona Factor", "password": PASSWORD},
    )
    assert accepted.status == 201
    page.context.clear_cookies()
    return email


def test_set_up_in_settings_then_sign_in_with_the_code(browser: Browser, base_url: str) -> None:
    page = new_page(browser)
    later = new_page(browser)
    try:
        email = _new_person(page, base_url)
        sign_in(page, base_url, email, PASSWORD, fresh=True)
        open_page(page, base_url + "/settings")
        card = page.get_by_role("region", name="Two-step sign-in")
        card.get_by_role("button", name="Set up two-step sign-in").click()
        expect(card.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
        secret = card.locator("#mfa-secret").inner_text()
        card.get_by_label("Code shown in the app", exact=True).fill(pyotp.TOTP(secret).now())
        card.get_by_role("button", name="Turn on").click()
        dialog = page.get_by_role("dialog", name="Your recovery codes")
        expect(dialog.locator("#recovery-codes li")).to_have_count(10)
        dialog.get_by_role("button", name="I have saved them").click()
        expect(card.get_by_text("10 recovery codes left.")).to_be_visible()
        assert console_errors(page) == []

        open_page(later, base_url + "/login")
        later.get_by_label("E-mail", exact=True).fill(email)
        later.get_by_label("Password", exact=True).fill(PASSWORD)
        later.get_by_role("button", name="Sign in").click()
        step = later.get_by_role("form", name="Two-step sign-in")
        step.get_by_label("Code from your authenticator app", exact=True).fill("000000")
        step.get_by_role("button", name="Verify").click()
        expect(step.get_by_role("alert")).to_contain_text("not correct")
        # The enrolment spent the current code; the app's next one is accepted.
        next_code = pyotp.TOTP(secret).at(int(time.time()) + 30)
        step.get_by_label("Code from your authenticator app", exact=True).fill(next_code)
        step.get_by_role("button", name="Verify").click()
        expect(later).to_have_url(re.compile(r"/$"))
        assert later.request.get(base_url + "/api/auth/me").json()["email"] == email
        assert console_errors(later, expected_statuses=[401]) == []
    finally:
        page.context.close()
        later.context.close()
