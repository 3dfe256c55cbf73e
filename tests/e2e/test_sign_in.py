"""Sign-in, rate limiting, silent session refresh, sign-out and invitation acceptance."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import (
    ADMIN,
    FINANCE_BACKLITE,
    FINANCE_VIOLA,
    SALES,
    VIEWER,
    console_errors,
    new_page,
    open_page,
    sign_in,
)


def test_wrong_password_says_so_and_keeps_the_email(page: Page, base_url: str) -> None:
    open_page(page, base_url + "/login")
    page.get_by_label("E-mail", exact=True).fill(SALES)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The e-mail or password is incorrect.")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value(SALES)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    assert console_errors(page, expected_statuses=[401]) == []


def test_empty_form_is_caught_before_sending(page: Page, base_url: str) -> None:
    open_page(page, base_url + "/login")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Please enter your e-mail and password.")
    expect(page.get_by_label("E-mail", exact=True)).to_be_focused()
    assert console_errors(page) == []


def test_rate_limited_sign_in_explains_and_waits(page: Page, base_url: str) -> None:
    email = f"someone-{uuid.uuid4().hex[:8]}@example.com"
    # Five failures for this address from other clients use up its per-address budget.
    for n in range(5):
        response = page.request.post(
            base_url + "/api/auth/login",
            data={"email": email, "password": "wrong-password"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
        )
        assert response.status == 401
    open_page(page, base_url + "/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Too many attempts. Please wait a moment and try again")
    expect(alert).to_contain_text(re.compile(r"\(\d+ s\)"))
    expect(page.get_by_role("button", name="Sign in")).to_be_disabled()
    assert console_errors(page, expected_statuses=[429]) == []


def test_expired_access_is_refreshed_silently_without_losing_work(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, VIEWER, fresh=True)
    open_page(page, base_url + "/settings")
    expect(page.locator(".keys-list > *").first).to_be_visible()  # the page's own calls are done
    page.get_by_label("Key name", exact=True).fill("Refresh check")
    # The access cookie is gone (as after 15 minutes); the refresh cookie remains.
    page.context.clear_cookies(name="salesbot_access")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("dialog", name="Your new API key")).to_be_visible()
    expect(page).to_have_url(base_url + "/settings")
    names = [c["name"] for c in page.context.cookies()]
    assert "salesbot_access" in names
    assert console_errors(page, expected_statuses=[401]) == []


def test_failed_refresh_sends_to_sign_in_and_back(page: Page, base_url: str) -> None:
    sign_in(page, base_url, FINANCE_BACKLITE, fresh=True)
    open_page(page, base_url + "/settings")
    expect(page.locator(".keys-list > *").first).to_be_visible()
    page.context.clear_cookies(name="salesbot_access")
    page.context.clear_cookies(name="salesbot_refresh")
    page.get_by_label("Key name", exact=True).fill("Will need a sign-in")
    page.get_by_role("button", name="Create key").click()
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fsettings$"))
    assert console_errors(page, expected_statuses=[401]) == []


def test_sign_out_ends_the_session(page: Page, base_url: str) -> None:
    sign_in(page, base_url, FINANCE_VIOLA, fresh=True)
    open_page(page, base_url + "/")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(base_url + "/login")
    page.goto(base_url + "/settings")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fsettings$"))
    # The refresh token was revoked server-side, not only forgotten by the browser.
    assert page.request.post(base_url + "/api/auth/refresh", data={}).status in (401, 403)
    assert console_errors(page) == []


def _invite(admin: Page, base_url: str, email: str) -> str:
    open_page(admin, base_url + "/admin/invites")
    admin.get_by_label("E-mail", exact=True).fill(email)
    admin.get_by_role("button", name="Create invitation").click()
    dialog = admin.get_by_role("dialog", name="Invitation created")
    expect(dialog.locator("#invite-link")).to_contain_text("#token=")
    link = dialog.locator("#invite-link").inner_text()
    dialog.get_by_role("button", name="Done").click()
    return link


def test_invited_person_creates_an_account_and_is_signed_in(
    page: Page, browser: Browser, base_url: str
) -> None:
    sign_in(page, base_url, ADMIN)
    email = f"new-{uuid.uuid4().hex[:8]}@example.com"
    link = _invite(page, base_url, email)
    row = page.get_by_role("row").filter(has_text=email)
    expect(row.get_by_text("Pending")).to_be_visible()
    assert "#token=" in link

    guest = new_page(browser)
    try:
        open_page(guest, base_url + "/invite#token=" + link.split("#token=")[1])
        expect(guest.get_by_role("heading", name="Accept invitation")).to_be_visible()
        guest.get_by_label("Your name", exact=True).fill("Nora New")
        guest.get_by_label("Choose a password", exact=True).fill("short")
        guest.get_by_role("button", name="Create my account").click()
        expect(guest.get_by_text("Use at least 10 characters.")).to_be_visible()
        guest.get_by_label("Choose a password", exact=True).fill("a-good-long-password")
        guest.get_by_label("Repeat the password", exact=True).fill("a-good-long-password")
        guest.get_by_role("button", name="Create my account").click()
        expect(guest.get_by_role("heading", name="Welcome, Nora")).to_be_visible()
        assert console_errors(guest) == []
    finally:
        guest.context.close()
    page.reload()
    expect(page.get_by_role("row").filter(has_text=email).get_by_text("Accepted")).to_be_visible()


def test_revoked_invitation_link_explains_what_to_do(
    page: Page, browser: Browser, base_url: str
) -> None:
    sign_in(page, base_url, ADMIN)
    email = f"gone-{uuid.uuid4().hex[:8]}@example.com"
    link = _invite(page, base_url, email)
    page.get_by_role("button", name=f"Revoke the invitation for {email}").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("row").filter(has_text=email).get_by_text("Revoked")).to_be_visible()

    guest = new_page(browser)
    try:
        # The page focuses the name field when it has rendered: fill the form after that.
        open_page(guest, base_url + "/invite?token=" + link.split("#token=")[1])
        guest.get_by_label("Your name", exact=True).fill("Late Comer")
        guest.get_by_label("Choose a password", exact=True).fill("a-good-long-password")
        guest.get_by_label("Repeat the password", exact=True).fill("a-good-long-password")
        guest.get_by_role("button", name="Create my account").click()
        expect(guest.get_by_role("alert")).to_have_text(
            "This invitation link is not valid any more. Ask an admin for a new one."
        )
        guest.goto(base_url + "/invite")
        expect(guest.get_by_role("alert")).to_contain_text("This invitation link is incomplete.")
        assert console_errors(guest, expected_statuses=[404, 422]) == []
    finally:
        guest.context.close()
    assert console_errors(page) == []
