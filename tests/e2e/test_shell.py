"""The app shell: sign-in routing, navigation, themes, the phone layout, dialogs, API docs."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import ADMIN, SALES, console_errors, new_page, open_page, settled, sign_in


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")


def test_signed_out_visitor_is_sent_to_sign_in_and_back(page: Page, base_url: str) -> None:
    page.goto(base_url + "/admin/audit?action=login")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fadmin%2Faudit%3Faction%3Dlogin$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    settled(page)  # the sign-in page focuses the e-mail field when it has rendered
    page.get_by_label("E-mail", exact=True).fill(ADMIN)
    page.get_by_label("Password", exact=True).fill("demo-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base_url + "/admin/audit?action=login")
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    assert console_errors(page) == []


def test_home_greets_the_user_and_checks_the_service(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    response = page.goto(base_url + "/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="Welcome, Sami")).to_be_visible()
    # app code ran under the CSP and reached the readiness endpoint.
    expect(page.locator("#service-status")).to_have_text("The service is ready.")
    # A sales person sees no admin navigation.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Settings")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_count(0)
    assert console_errors(page) == []


def test_home_is_a_start_page_in_one_request(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
    # Some recent work: a conversation of this sales person's.
    made = page.request.post(
        base_url + "/api/conversations",
        data={"title": "Start page check"},
        headers={"X-CSRF-Token": _csrf(page)},
    )
    assert made.status == 201
    open_page(page, base_url + "/")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="New proposal")).to_have_attribute("href", "/proposals")
    expect(main.get_by_role("link", name="Ask the assistant")).to_have_attribute("href", "/chat")
    recent = page.get_by_role("region", name="Recent conversations")
    expect(recent.get_by_role("link", name="Start page check")).to_be_visible()
    # No empty cards: every list shown has something in it.
    for card in page.locator("section.home-list").all():
        assert card.locator("li").count() >= 1
    # The page's own data came in one request.
    reads = [u for u in asked if "/api/home" in u or "/api/proposals" in u or "/api/booking" in u]
    assert [u.split("/api/")[1] for u in reads] == ["home"]
    assert console_errors(page) == []


def test_navigation_changes_page_without_reload_and_marks_current(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, ADMIN)
    open_page(page, base_url + "/")
    page.evaluate("window.__same_document = true")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(nav.get_by_role("link", name="Users")).to_have_attribute("aria-current", "page")
    assert page.evaluate("window.__same_document") is True
    page.go_back()
    expect(page.get_by_role("heading", name="Welcome, Amira")).to_be_visible()
    page.goto(base_url + "/no-such-page")
    assert console_errors(page, expected_statuses=[404]) == []


def test_theme_toggle_persists_and_follows_the_system_by_default(
    browser: Browser, base_url: str
) -> None:
    page = new_page(browser, color_scheme="dark")
    try:
        sign_in(page, base_url, SALES)
        open_page(page, base_url + "/settings")
        # The dark palette, from prefers-color-scheme.
        expect(page.locator("body")).to_have_css("background-color", "rgb(20, 23, 28)")
        toggle = page.get_by_role("button", name="Dark theme")
        expect(toggle).to_have_attribute("aria-pressed", "true")
        toggle.click()
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        expect(page.locator("body")).to_have_css("background-color", "rgb(246, 247, 249)")
        settled(page)
        page.get_by_label("Theme", exact=True).select_option("system")
        expect(page.locator("html")).not_to_have_attribute("data-theme", re.compile("."))
        assert console_errors(page) == []
    finally:
        page.context.close()


def test_phone_layout_uses_a_menu_and_dialogs_trap_focus(browser: Browser, base_url: str) -> None:
    page = new_page(browser, viewport={"width": 390, "height": 844})
    try:
        sign_in(page, base_url, ADMIN)
        open_page(page, base_url + "/admin/users")
        nav = page.get_by_role("navigation", name="Main")
        expect(nav).to_be_hidden()
        menu = page.get_by_role("button", name="Menu")
        menu.click()
        expect(nav).to_be_visible()
        expect(menu).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Escape")
        expect(nav).to_be_hidden()
        expect(menu).to_be_focused()
        # No horizontal scrolling of the page itself at phone width.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # A dialog: focus moves in, Tab stays in, Escape closes and returns focus to the opener.
        edit = page.get_by_role("button", name="Edit Vera Viewer")
        edit.click()
        dialog = page.get_by_role("dialog", name="Edit Vera Viewer")
        expect(dialog).to_be_visible()
        for _ in range(12):
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.closest('dialog') !== null")
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        expect(edit).to_be_focused()
        assert console_errors(page) == []
    finally:
        page.context.close()


def test_api_docs_render_self_hosted(page: Page, base_url: str) -> None:
    page.goto(base_url + "/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Sales Proposal Bot")
    assert console_errors(page) == []
