"""The web shell loads under the strict CSP with no console errors."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_home_page_loads_without_console_errors(page: Page, base_url: str) -> None:
    response = page.goto(base_url + "/")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    # app.js ran (a script under the CSP) and reached the readiness endpoint.
    expect(page.locator("#service-status")).to_have_text("The service is ready.")
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_api_docs_render_self_hosted(page: Page, base_url: str) -> None:
    page.goto(base_url + "/docs")
    expect(page.locator(".swagger-ui .title").first).to_contain_text("Sales Proposal Bot")
    assert page.console_errors == []  # type: ignore[attr-defined]
