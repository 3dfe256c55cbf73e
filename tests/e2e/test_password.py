"""A person changes their password in Settings and signs in again with the new one."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.e2e.support import ADMIN, console_errors, open_page, settled, sign_in

FIRST_PASSWORD = "first-password-123"
NEW_PASSWORD = "second-password-456"


def _invited_user(page: Page, base_url: str) -> str:
    """A fresh account (invited by the admin) so no other journey's login is disturbed."""
    sign_in(page, base_url, ADMIN)
    email = f"pw-{uuid.uuid4().hex[:8]}@demo.salesbot.dev"
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")
    invite = page.request.post(
        base_url + "/api/invites",
        data={"email": email, "roles": [{"role": "sales_person"}], "days": 1},
        headers={"X-CSRF-Token": csrf},
    )
    assert invite.status == 201, invite.text()
    accepted = page.request.post(
        base_url + "/api/invites/accept",
        data={"token": invite.json()["token"], "name": "Pat Password", "password": FIRST_PASSWORD},
    )
    assert accepted.status == 201, accepted.text()
    page.context.clear_cookies()
    return email


def test_change_password_then_sign_in_with_the_new_one(page: Page, base_url: str) -> None:
    email = _invited_user(page, base_url)
    sign_in(page, base_url, email, FIRST_PASSWORD, fresh=True)
    open_page(page, base_url + "/settings")
    form = page.locator("#password-form")

    form.get_by_label("Current password", exact=True).fill("not-the-password")
    form.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    expect(form).to_contain_text("Your current password is not correct.")

    form.get_by_label("Current password", exact=True).fill(FIRST_PASSWORD)
    form.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/login**")
    settled(page)  # the sign-in page focuses the e-mail field when it has rendered

    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    assert console_errors(page, expected_statuses=[401, 422]) == []
