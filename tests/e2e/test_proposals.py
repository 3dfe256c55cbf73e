"""Proposals in the browser: the form (separate and combined), live totals, history, duplicate."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta

from playwright.sync_api import Page, Request, expect

from tests.e2e.support import SALES, WORK_TIMEOUT_MS, console_errors, open_page, settled, sign_in


def _pick(page: Page, words: str, name: str) -> None:
    search = page.get_by_role("combobox", name="Add a location")
    search.fill(words)
    page.get_by_role("option", name=re.compile(name)).first.click()
    expect(page.get_by_role("group", name=name, exact=True)).to_be_visible()


def test_sales_builds_the_landmark_proposal_and_downloads_the_pdf(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/proposals")
    client = f"Nike {uuid.uuid4().hex[:6]}"
    # Generating with nothing filled in points at each missing field.
    page.get_by_role("button", name="Generate proposal").click()
    form = page.get_by_role("form", name="New proposal")
    expect(form.get_by_role("alert")).to_have_text("Please fix the 2 highlighted fields.")
    expect(page.get_by_label("Client", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Add at least one location.")).to_be_visible()

    page.get_by_label("Client", exact=True).fill(client)
    # Keyboard: type, arrow to the match, Enter adds it.
    search = page.get_by_role("combobox", name="Add a location")
    search.fill("landm")
    expect(page.get_by_role("option", name=re.compile("^The Landmark"))).to_be_visible()
    search.press("Enter")
    block = page.get_by_role("group", name="The Landmark", exact=True)
    expect(block).to_be_visible()
    # A start date a year ago: priced and produced all the same, with a warning beside it.
    a_year_ago = date.today() - timedelta(days=365)
    block.get_by_label("Start date", exact=True).fill(a_year_ago.isoformat())
    block.get_by_label("Duration, option 1", exact=True).fill("2 weeks")
    block.get_by_label("Net rate (AED), option 1", exact=True).fill("1.5M")
    warning = block.locator(".field-warning")
    expect(warning).to_have_text(
        re.compile(
            rf"^The start date {a_year_ago.day} {a_year_ago:%b %Y} has already passed; "
            r"did you mean \d+ \w+ \d{4}\?$"
        )
    )
    expect(block.get_by_label("Start date", exact=True)).to_have_attribute(
        "aria-describedby", re.compile("-warning$")
    )
    block.get_by_role("button", name="Add an option").click()
    expect(block.get_by_label("Duration, option 2", exact=True)).to_be_focused()
    block.get_by_label("Duration, option 2", exact=True).fill("4 weeks")
    block.get_by_label("Net rate (AED), option 2", exact=True).fill("2,800,000")
    # The totals are priced by the service before anything is produced.
    totals = page.get_by_role("complementary", name="Totals")
    expect(totals.get_by_role("row", name=re.compile("^Total"))).to_contain_text("AED 2,943,696")
    page.get_by_role("button", name="Generate proposal").click()

    result = page.get_by_role("region", name=f"Proposal for {client} is ready")
    expect(result).to_be_visible(timeout=WORK_TIMEOUT_MS)
    table = result.get_by_role("table", name="Totals for The Landmark")
    total = table.get_by_role("row", name=re.compile("^Total"))
    expect(total).to_contain_text("AED 1,578,696")
    expect(total).to_contain_text("AED 2,943,696")
    expect(table.get_by_role("row", name=re.compile("^VAT"))).to_contain_text("AED 140,176")
    # Money is right-aligned in tabular figures.
    cell = total.locator("td").first
    assert cell.evaluate("c => getComputedStyle(c).textAlign") == "right"
    assert "tabular-nums" in cell.evaluate("c => getComputedStyle(c).fontVariantNumeric")
    pdf = result.get_by_role("link", name=re.compile(r"^Download .*\.pdf$"))
    with page.expect_download() as info:
        pdf.click()
    path = info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    expect(result.get_by_role("link", name=re.compile(r"^Download .*\.pptx$"))).to_have_count(1)

    # The history lists it; filtering by the client finds only it.
    result.get_by_role("link", name="See the history").click()
    # The form just left has a "Client" field too: type only into the history's, once it is drawn.
    settled(page, "/proposals/history")
    page.get_by_label("Client", exact=True).fill(client)
    # The unfiltered history may already hold just this proposal: wait for the filtered answer
    # and for the button to stop being busy (it is once that answer is drawn).
    apply = page.get_by_role("button", name="Apply filters")
    with page.expect_response(lambda r: "/api/proposals?" in r.url and "client=" in r.url and r.ok):
        apply.click()
    expect(apply).to_be_enabled()
    rows = page.get_by_role("table", name="Proposals").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("AED 1,578,696")

    # Duplicate in dollars: a new version, the original kept.
    rows.first.get_by_role("button", name=re.compile(f"^Duplicate the {client} proposal")).click()
    dialog = page.get_by_role("dialog", name=f"Duplicate the {client} proposal")
    dialog.get_by_label("Currency", exact=True).select_option("USD")
    dialog.get_by_role("button", name="Produce new version").click()
    expect(dialog).to_have_count(0)
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("version 2")
    expect(rows.first).to_contain_text("$")
    expect(rows.nth(1)).to_contain_text("AED 1,578,696")
    assert console_errors(page) == []


def test_amounts_are_grouped_exactly_as_text(page: Page, base_url: str) -> None:
    page.goto(base_url + "/login")
    cases = {
        "462520.00": "462,520.00",
        "1578696": "1,578,696.00",
        "0.005": "0.01",
        "999999.995": "1,000,000.00",
        "-1234.5": "-1,234.50",
        "12345678901234567890.10": "12,345,678,901,234,567,890.10",
        "-0.001": "0.00",
        "n/a": "n/a",
    }
    got = page.evaluate(
        """async (values) => {
          const { groupDigits } = await import('/static/js/format.js');
          return values.map((v) => groupDigits(v));
        }""",
        list(cases),
    )
    assert got == list(cases.values())
    assert console_errors(page) == []


def test_api_refusals_appear_next_to_their_cause_and_combined_needs_two_locations(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/proposals")
    page.get_by_label("Combined package (one rate for all locations)", exact=True).check()
    page.get_by_label("Client", exact=True).fill("Adidas")
    _pick(page, "gateway", "The Dubai Gateway")
    page.get_by_role("button", name="Generate proposal").click()
    expect(page.get_by_text("A combined package needs at least 2 locations.")).to_be_visible()
    _pick(page, "uae 21", "UAE21")
    gateway = page.get_by_role("group", name="The Dubai Gateway", exact=True)
    uae21 = page.get_by_role("group", name="UAE21", exact=True)
    for block in (gateway, uae21):
        block.get_by_label("Start date", exact=True).fill("2026-02-01")
        block.get_by_label("Duration", exact=True).fill("4 weeks")
    uae21.get_by_label("Production fee (AED)", exact=True).fill("20,000")
    page.get_by_label("Package net rate (AED)", exact=True).fill("2M")
    page.get_by_role("button", name="Generate proposal").click()
    result = page.get_by_role("region", name="Proposal for Adidas is ready")
    expect(result).to_be_visible(timeout=WORK_TIMEOUT_MS)
    package = result.get_by_role("table", name="Package totals")
    expect(package.get_by_role("row").filter(has_text="Upload/Production Fee")).to_contain_text(
        "AED 2,000 | AED 20,000"
    )
    expect(package.get_by_role("row", name=re.compile("^Total"))).to_contain_text("AED 2,123,646")

    # An amount the service cannot read is refused, with its words, next to the form.
    page.get_by_label("Package net rate (AED)", exact=True).fill("two million")
    page.get_by_role("button", name="Generate proposal").click()
    alert = page.get_by_role("form", name="New proposal").get_by_role("alert")
    expect(alert).to_contain_text("two million")
    assert console_errors(page, expected_statuses=[422]) == []


def test_totals_update_live_as_the_inputs_change(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    sent: list[dict[str, object]] = []

    def note(request: Request) -> None:
        if request.url.endswith("/api/proposals/preview"):
            sent.append(json.loads(request.post_data or "{}"))

    page.on("request", note)
    open_page(page, base_url + "/proposals")
    totals = page.get_by_role("complementary", name="Totals")
    expect(totals).to_contain_text("to see the totals")
    page.get_by_label("Client", exact=True).fill("Preview Co")
    _pick(page, "landmark", "The Landmark")
    block = page.get_by_role("group", name="The Landmark", exact=True)
    block.get_by_label("Start date", exact=True).fill("2026-01-01")
    block.get_by_label("Duration, option 1", exact=True).fill("2 weeks")
    block.get_by_label("Net rate (AED), option 1", exact=True).fill("1.5M")
    total = totals.get_by_role("row", name=re.compile("^Total"))
    expect(total).to_contain_text("AED 1,578,696")
    block.get_by_label("Net rate (AED), option 1", exact=True).fill("4M")
    expect(total).to_contain_text("AED 4,203,696")
    assert sent[-1]["proposals"] == [
        {
            "location": "the_landmark",
            "start_date": "2026-01-01",
            "durations": ["2 weeks"],
            "net_rates": ["4M"],
            "spots": 1,
        }
    ]
    # In dollars, converted by the service at the configured rate.
    page.get_by_label("Currency", exact=True).select_option("USD")
    expect(total).to_contain_text("$")
    # An unreadable amount: the reason shows in the totals panel, nothing is produced.
    block.get_by_label("Net rate (AED), option 1", exact=True).fill("lots")
    expect(totals.get_by_role("alert")).to_contain_text("lots")
    assert page.request.get(base_url + "/api/proposals?client=Preview").json()["items"] == []
    assert console_errors(page, expected_statuses=[422]) == []


def test_the_totals_say_how_typed_rates_were_read(page: Page, base_url: str) -> None:
    """Unmarked rates are AED unless "Rates entered in" says otherwise; the reading is stated."""
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/proposals")
    totals = page.get_by_role("complementary", name="Totals")
    page.get_by_label("Client", exact=True).fill("Currency Co")
    _pick(page, "landmark", "The Landmark")
    block = page.get_by_role("group", name="The Landmark", exact=True)
    block.get_by_label("Start date", exact=True).fill(f"{date.today().year + 1}-01-01")
    block.get_by_label("Duration, option 1", exact=True).fill("2 weeks")
    block.get_by_label("Net rate (AED), option 1", exact=True).fill("400k")
    page.get_by_label("Currency", exact=True).select_option("USD")
    expect(totals).to_contain_text("Rates read as AED 400,000, shown in USD at 3.6725 AED per USD.")
    page.get_by_label("Rates entered in", exact=True).select_option("USD")
    block.get_by_label("Net rate (USD), option 1", exact=True).fill("400k")
    expect(totals).to_contain_text(
        "Rates read as USD 400,000 (AED 1,469,000 at 3.6725 AED per USD), shown in USD."
    )
    total = totals.get_by_role("row", name=re.compile("^Total"))
    expect(total).to_contain_text("$")
    assert console_errors(page) == []
