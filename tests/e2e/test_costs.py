"""The costs dashboard: usage per day, person and model drawn as SVG charts by the product."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.support import ADMIN, SALES, console_errors, new_page, open_page, sign_in


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")


def test_costs_page_draws_usage_per_day_person_and_model(page: Page, base_url: str) -> None:
    # Some usage first: a sales person asks the (offline) assistant something.
    asker = new_page(page.context.browser)  # type: ignore[arg-type]
    try:
        sign_in(asker, base_url, SALES)
        answer = asker.request.post(
            base_url + "/api/chat",
            data={"message": "list locations"},
            headers={"X-CSRF-Token": _csrf(asker), "Accept": "text/event-stream"},
        )
        assert answer.status == 200
        asker.goto(base_url + "/costs")
        # A sales person sees only their own usage, and is told so.
        expect(asker.get_by_text("Only your own usage is shown")).to_be_visible()
        assert console_errors(asker) == []
    finally:
        asker.context.close()

    sign_in(page, base_url, ADMIN)
    open_page(page, base_url + "/costs")
    # The offline model is free, so the charts start with the number of calls.
    expect(page.get_by_role("radio", name="Model calls")).to_be_checked()
    per_day = page.get_by_role("img", name="Model calls per day")
    expect(per_day).to_be_visible()
    heights = per_day.locator("rect.chart-bar").evaluate_all(
        "bars => bars.map((b) => Number(b.getAttribute('height')))"
    )
    assert len(heights) >= 30 and max(heights) > 0
    # People by name (the demo's sales person is Sami Sales), not by e-mail address.
    per_person = page.get_by_role("img", name="Model calls per person")
    expect(per_person).to_contain_text("Sami Sales")
    expect(per_person).not_to_contain_text(SALES)
    expect(page.get_by_role("img", name="Model calls per model")).to_contain_text("offline")
    # The offline model reads as free, with no token counts that look like spend.
    by_model = page.get_by_role("region", name="Per model")
    by_model.get_by_text("Show as a table").click()
    offline = by_model.get_by_role("row").filter(has_text="offline")
    expect(offline.locator("td").last).to_have_text("Free")
    expect(offline.locator("td").nth(2)).to_have_text("—")

    # The same numbers as a table, for screen readers and copying.
    section = page.get_by_role("region", name="Per person")
    section.get_by_text("Show as a table").click()
    row = section.get_by_role("row").filter(has_text="Sami Sales")
    expect(row).to_be_visible()
    calls = int(row.locator("td").nth(1).inner_text().replace(",", ""))
    assert calls >= 1

    page.get_by_role("radio", name="Tokens").check()
    expect(page.get_by_role("img", name="Tokens per day")).to_be_visible()
    # A period with no usage says what to do.
    page.get_by_label("From", exact=True).fill("2001-01-01")
    page.get_by_label("Until", exact=True).fill("2001-01-31")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No assistant usage in this period.")).to_be_visible()
    # A period the service refuses: its reason next to the dates.
    page.get_by_label("From", exact=True).fill("2001-02-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_contain_text("before the start date")
    assert console_errors(page, expected_statuses=[422]) == []
