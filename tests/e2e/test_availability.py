"""The availability calendar of one location and the company-wide occupancy by week."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.support import SALES, console_errors, open_page, sign_in


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")


def _post(page: Page, url: str, body: object | None = None) -> dict[str, Any]:
    response = page.request.post(url, data=body, headers={"X-CSRF-Token": _csrf(page)})
    assert response.status in (200, 201), response.text()
    data: dict[str, Any] = response.json()
    return data


def test_a_held_proposal_shows_on_the_calendar_and_the_weekly_view(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, SALES)
    # A month of its own, far ahead, so no other browser test's data is in it.
    start = (date.today() + timedelta(days=500)).replace(day=3)
    end = start + timedelta(days=9)
    body = {
        "kind": "separate",
        "client_name": "Calendar Client",
        "proposals": [
            {
                "location": "szr_unipole",
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "durations": ["2 weeks"],
                "net_rates": ["90000"],
                "production_fee": "4000",
            }
        ],
    }
    made = _post(page, base_url + "/api/proposals", body)
    held = _post(page, f"{base_url}/api/proposals/{made['id']}/holds")
    [hold] = held["holds"]

    open_page(page, f"{base_url}/locations/szr_unipole/availability?from={start.isoformat()}")
    calendar = page.get_by_role("table", name="Availability of")
    expect(calendar).to_be_visible()
    expect(page.locator(f'td[data-day="{start.isoformat()}"]')).to_have_attribute(
        "data-state", "held"
    )
    expect(page.locator(f'td[data-day="{end.isoformat()}"]')).to_have_attribute(
        "data-state", "held"
    )
    after = end + timedelta(days=1)
    expect(page.locator(f'td[data-day="{after.isoformat()}"]')).to_have_attribute(
        "data-state", "free"
    )
    expect(page.locator(".cal-answer")).to_contain_text("held for Calendar Client")
    rows = page.get_by_role("table", name="Holds and bookings").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(str(hold["text"]))

    # Renewed once from the calendar; then it cannot be renewed again.
    rows.first.get_by_role("button", name="Renew").click()
    expect(page.get_by_text("Hold renewed.")).to_be_visible()
    expect(rows.first.get_by_role("button", name="Renew")).to_have_count(0)

    # The next month is free.
    page.get_by_role("button", name="Next month ›").click()
    following = (start.replace(day=28) + timedelta(days=5)).replace(day=1)
    expect(page.locator(f'td[data-day="{following.isoformat()}"]')).to_have_attribute(
        "data-state", "free"
    )
    assert f"from={following.isoformat()}" in page.url

    # The weekly view: the hold's first week is partly held, and the export says the same.
    open_page(page, base_url + "/inventory")
    monday = start - timedelta(days=start.weekday())
    page.get_by_label("From week of", exact=True).fill(monday.isoformat())
    page.get_by_label("Weeks", exact=True).fill("4")
    page.get_by_role("button", name="Show").click()
    row = page.locator('tr[data-key="szr_unipole"]')
    cell = row.locator(f'td[data-week="{monday.isoformat()}"]')
    expect(cell).to_have_attribute("data-state", "held")
    expect(row.get_by_role("link")).to_have_attribute(
        "href", f"/locations/szr_unipole/availability?from={monday.isoformat()}"
    )
    export = page.get_by_role("link", name="Export to Excel")
    expect(export).to_have_attribute(
        "href", f"/api/inventory/occupancy/export?from={monday.isoformat()}&weeks=4"
    )
    href = export.get_attribute("href")
    download = page.request.get(base_url + str(href))
    assert download.status == 200
    sheet = load_workbook(io.BytesIO(download.body())).active
    assert sheet is not None
    found = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "szr_unipole")
    assert "held" in str(found[4]) and found[4] == cell.locator(".occ-text").inner_text()
    assert console_errors(page) == []
