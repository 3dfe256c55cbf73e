"""Settings (API keys shown once, revoked) and the admin pages (users, audit log)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from playwright.sync_api import Page, Response, expect

from tests.e2e.support import ADMIN, SALES, console_errors, open_page, sign_in


def test_api_key_is_shown_once_listed_and_revoked(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/settings")
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()
    expect(page.get_by_text("sales@demo.salesbot.dev")).to_be_visible()
    name = f"CRM sync {uuid.uuid4().hex[:6]}"
    page.get_by_label("Key name", exact=True).fill(name)
    page.get_by_role("checkbox", name="proposals:create").check()
    page.get_by_role("checkbox", name="account:self").check()
    page.get_by_role("button", name="Create key").click()
    dialog = page.get_by_role("dialog", name="Your new API key")
    expect(dialog.locator("#new-api-key")).to_have_text(re.compile(r"^.{21,}$"))
    key = dialog.locator("#new-api-key").inner_text()
    assert len(key) > 20
    dialog.get_by_role("button", name="I have saved it").click()
    expect(dialog).to_have_count(0)
    row = page.get_by_role("row").filter(has_text=name)
    expect(row.get_by_text("Active")).to_be_visible()
    expect(row).to_contain_text("proposals:create")
    # The key works for the API and is never shown again.
    assert page.request.get(base_url + "/api/auth/me", headers={"X-API-Key": key}).status == 200
    expect(page.get_by_text(key)).to_have_count(0)
    row.get_by_role("button", name=f"Revoke {name}").click()
    page.get_by_role("dialog", name="Revoke this key?").get_by_role("button", name="Revoke").click()
    expect(row.get_by_text("Revoked")).to_be_visible()
    assert page.request.get(base_url + "/api/auth/me", headers={"X-API-Key": key}).status == 401
    assert console_errors(page) == []


def test_api_key_errors_appear_in_the_form(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/settings")
    expect(page.locator(".keys-list > *").first).to_be_visible()
    for box in page.locator('input[name="scopes"]').all():
        box.uncheck()
    page.get_by_label("Key name", exact=True).fill("No permissions")
    page.get_by_role("button", name="Create key").click()
    form = page.get_by_role("form", name="New API key")
    expect(form.get_by_role("alert")).to_contain_text("scopes")
    assert console_errors(page, expected_statuses=[422]) == []


def test_admin_edits_roles_and_deactivates_a_user(page: Page, base_url: str) -> None:
    sign_in(page, base_url, ADMIN)
    email = f"staff-{uuid.uuid4().hex[:8]}@example.com"
    invite = page.request.post(
        base_url + "/api/invites",
        data={"email": email, "roles": [{"role": "viewer"}]},
        headers={"X-CSRF-Token": _csrf(page)},
    )
    assert invite.status == 201
    token = invite.json()["token"]
    accepted = page.request.post(
        base_url + "/api/invites/accept",
        data={"token": token, "name": "Tariq Temp", "password": "a-good-long-password"},
    )
    assert accepted.status == 201

    open_page(page, base_url + "/admin/users")
    page.get_by_role("searchbox", name="Filter users").fill("tariq")
    rows = page.get_by_role("table", name="Users").get_by_role("row")
    expect(rows).to_have_count(2)  # header + Tariq
    page.get_by_role("button", name="Edit Tariq Temp").click()
    dialog = page.get_by_role("dialog", name="Edit Tariq Temp")
    dialog.get_by_role("button", name="Add a role").click()
    dialog.get_by_label("Role", exact=True).nth(1).select_option("coordinator")
    # A company role without its company is caught next to the form.
    dialog.get_by_label("Company", exact=True).nth(1).fill("")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.get_by_role("alert")).to_have_text("Choose the company for the Coordinator role.")
    dialog.get_by_label("Company", exact=True).nth(1).fill("viola")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_have_count(0)
    row = page.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("Coordinator · viola")
    expect(row).to_contain_text("Viewer")
    row.get_by_role("button", name="Deactivate Tariq Temp").click()
    expect(row.get_by_text("Deactivated")).to_be_visible()
    # A deactivated account cannot sign in.
    refused = page.request.post(
        base_url + "/api/auth/login",
        data={"email": email, "password": "a-good-long-password"},
        headers={"X-Forwarded-For": "192.0.2.77"},
    )
    assert refused.status in (401, 403)
    # The admin cannot deactivate themself.
    page.get_by_role("searchbox", name="Filter users").fill("admin@")
    expect(page.get_by_role("button", name="Deactivate Amira Admin")).to_be_disabled()
    assert console_errors(page) == []


def test_audit_log_filters_by_event(page: Page, base_url: str) -> None:
    failed = page.request.post(
        base_url + "/api/auth/login",
        data={"email": ADMIN, "password": "wrong-password"},
        headers={"X-Forwarded-For": "192.0.2.99"},
    )
    assert failed.status == 401
    sign_in(page, base_url, ADMIN)
    open_page(page, base_url + "/admin/audit")
    table = page.get_by_role("table", name="Audit events")
    expect(table.get_by_role("row").nth(1)).to_be_visible()
    page.get_by_label("Event", exact=True).select_option("login_failed")
    # The unfiltered list already shows the failed sign-in, so wait for the filtered answer, then
    # for the button to stop being busy (it is once that answer is drawn); only then read it.
    apply = page.get_by_role("button", name="Apply filters")
    with page.expect_response(_audit_answer("action=login_failed")):
        apply.click()
    expect(apply).to_be_enabled()
    event_cells = table.locator("tbody tr td:nth-child(2)")
    expect(event_cells.filter(has_not_text=re.compile(r"^Failed sign-in$"))).to_have_count(0)
    expect(table.get_by_role("row").filter(has_text="192.0.2.99")).to_have_count(1)
    events = event_cells.all_inner_texts()
    assert events and set(events) == {"Failed sign-in"}
    page.get_by_label("From", exact=True).fill("2001-01-01")
    page.get_by_label("Until", exact=True).fill("2001-01-02")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("No events match these filters.")).to_be_visible()
    assert console_errors(page) == []


def test_non_admin_sees_no_admin_page(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    page.goto(base_url + "/admin/users")
    expect(page.get_by_text("You do not have access to this page.")).to_be_visible()
    assert console_errors(page) == []


def _audit_answer(param: str) -> Callable[[Response], bool]:
    """A predicate for page.expect_response: the audit API's successful answer to a query with
    `param`."""

    def matches(response: Response) -> bool:
        return "/api/audit?" in response.url and param in response.url and response.ok

    return matches


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")


def test_admin_marks_roles_that_need_two_step_sign_in(page: Page, base_url: str) -> None:
    sign_in(page, base_url, ADMIN)
    policy = base_url + "/api/settings/mfa-roles"
    before = page.request.get(policy).json()["required_roles"]
    try:
        open_page(page, base_url + "/admin/users")
        panel = page.get_by_role("region", name="Two-step sign-in")
        box = panel.get_by_role("checkbox", name="Head of sales")
        expect(box).not_to_be_checked()
        box.check()
        panel.get_by_role("button", name="Save two-step sign-in rule").click()
        expect(page.get_by_text("Saved. People with these roles")).to_be_visible()
        expect(panel.locator("#mfa-roles-source")).to_contain_text("Last changed")
        assert "hos" in page.request.get(policy).json()["required_roles"]
        # The marking is stored: a fresh load shows it, and the audit log has the change.
        open_page(page, base_url + "/admin/users")
        expect(
            page.get_by_role("region", name="Two-step sign-in").get_by_role(
                "checkbox", name="Head of sales"
            )
        ).to_be_checked()
        events = page.request.get(base_url + "/api/audit?action=mfa_policy_changed").json()
        assert "hos" in events["items"][0]["details"]["after"]
        # The audit log page finds the change by its event name.
        open_page(page, base_url + "/admin/audit")
        page.get_by_label("Event", exact=True).select_option("mfa_policy_changed")
        apply = page.get_by_role("button", name="Apply filters")
        with page.expect_response(_audit_answer("action=mfa_policy_changed")):
            apply.click()
        expect(apply).to_be_enabled()
        table = page.get_by_role("table", name="Audit events")
        expect(table.get_by_role("row").nth(1)).to_contain_text("Two-step sign-in rule changed")
        assert console_errors(page) == []
    finally:  # the other browser tests sign in as heads of sales
        page.request.put(
            policy, data={"required_roles": before}, headers={"X-CSRF-Token": _csrf(page)}
        )
