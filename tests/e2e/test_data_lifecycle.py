"""Data lifecycle in the browser: "Download my data" with its progress, and erasing a person
from the admin page behind a typed confirmation."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

from playwright.sync_api import Page, expect

from tests.e2e.support import ADMIN, WORK_TIMEOUT_MS, console_errors, open_page, sign_in


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")


def _new_person(page: Page, base_url: str) -> tuple[str, str]:
    """A fresh viewer (invited and accepted through the API); (e-mail, name)."""
    email = f"leaver-{uuid.uuid4().hex[:8]}@example.com"
    invite = page.request.post(
        base_url + "/api/invites",
        data={"email": email, "roles": [{"role": "viewer"}]},
        headers={"X-CSRF-Token": _csrf(page)},
    )
    assert invite.status == 201, invite.text()
    name = f"Lee {uuid.uuid4().hex[:4]}"
    accepted = page.request.post(
        base_url + "/api/invites/accept",
        data={"token": invite.json()["token"], "name": name, "password": "a-good-long-password"},
    )
    assert accepted.status == 201, accepted.text()
    return email, name


def test_download_my_data_from_settings(page: Page, base_url: str) -> None:
    sign_in(page, base_url, ADMIN)
    open_page(page, base_url + "/settings")
    card = page.get_by_role("region", name="Download my data")
    card.get_by_role("button", name="Prepare my data").click()
    link = card.get_by_role("link", name="Download ZIP")
    expect(link).to_be_visible(timeout=WORK_TIMEOUT_MS)
    href = link.get_attribute("href")
    assert href is not None
    response = page.request.get(base_url + href)
    assert response.status == 200
    archive = zipfile.ZipFile(io.BytesIO(response.body()))
    assert json.loads(archive.read("profile.json"))["email"] == ADMIN
    assert "README.txt" in archive.namelist()
    assert console_errors(page) == []


def test_admin_erases_a_person_after_typing_their_address(page: Page, base_url: str) -> None:
    sign_in(page, base_url, ADMIN)
    email, name = _new_person(page, base_url)
    open_page(page, base_url + "/admin/lifecycle")
    form = page.get_by_role("form", name="Erase a person")
    form.get_by_label("Person", exact=True).select_option(label=f"{name} <{email}>")
    form.get_by_label("Reason (kept in the audit log)", exact=True).fill("Asked to be forgotten")
    erase = form.get_by_role("button", name="Erase this person")
    form.get_by_label("Type the person's e-mail address to confirm", exact=True).fill(
        "someone@else.com"
    )
    expect(erase).to_be_disabled()
    form.get_by_label("Type the person's e-mail address to confirm", exact=True).fill(email)
    expect(erase).to_be_enabled()
    erase.click()
    expect(page.locator("#erasure-result")).to_contain_text("Erased.")
    refused = page.request.post(
        base_url + "/api/auth/login",
        data={"email": email, "password": "a-good-long-password"},
        headers={"X-Forwarded-For": "192.0.2.78"},
    )
    assert refused.status == 401
    assert console_errors(page) == []


def test_admin_sets_a_retention_policy_and_a_legal_hold_that_blocks_erasure(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, ADMIN)
    email, name = _new_person(page, base_url)
    open_page(page, base_url + "/admin/lifecycle")
    retention = page.get_by_role("region", name="Retention")
    label = "Delete deleted items after (days) for backlite"
    retention.get_by_label(label).fill("12")
    row = retention.get_by_role("row").filter(has=page.get_by_label(label))
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Retention for backlite saved.")).to_be_visible()
    listed = page.request.get(base_url + "/api/retention/policies")
    assert listed.status == 200, listed.text()
    policies = listed.json()
    backlite = next((p for p in policies if p["company"] == "backlite"), None)
    assert backlite is not None, policies
    assert backlite["configured"]["purge_deleted_days"] == 12
    retention.get_by_role("button", name="Preview a run").click()
    expect(retention.locator("ul li, p.muted").last).to_be_visible()

    holds = page.get_by_role("region", name="Legal holds")
    form = holds.get_by_role("form", name="New legal hold")
    form.get_by_label("Hold on", exact=True).select_option(label="A person")
    form.get_by_label("Person, company or conversation id", exact=True).fill(email)
    form.get_by_label("Reason", exact=True).fill("Case 9: a dispute")
    form.get_by_role("button", name="Place hold").click()
    placed = holds.get_by_role("listitem").filter(has_text=f"user: {email}")
    expect(placed).to_contain_text("Case 9: a dispute")

    erase = page.get_by_role("form", name="Erase a person")
    erase.get_by_label("Person", exact=True).select_option(label=f"{name} <{email}>")
    erase.get_by_label("Reason (kept in the audit log)", exact=True).fill("Asked to be forgotten")
    erase.get_by_label("Type the person's e-mail address to confirm", exact=True).fill(email)
    erase.get_by_role("button", name="Erase this person").click()
    expect(erase.get_by_role("alert")).to_contain_text("legal hold")

    placed.get_by_role("button", name="Release").click()
    page.get_by_role("dialog", name="Release this hold?").get_by_role(
        "button", name="Release"
    ).click()
    expect(holds.get_by_role("listitem").filter(has_text=f"user: {email}")).to_have_count(0)
    assert console_errors(page, expected_statuses=[409]) == []  # the refused erasure
