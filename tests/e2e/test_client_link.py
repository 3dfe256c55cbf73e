"""A client's proposal link in the browser: shared from the history page, opened on a phone,
pages scrolled (time per page counted by the beacon), accepted, and a booking order started."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect

from tests.e2e.support import SALES, WORK_TIMEOUT_MS, console_errors, new_page, open_page, sign_in

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
}


def _csrf(page: Page) -> dict[str, str]:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")
    return {"X-CSRF-Token": token}


def _proposal(page: Page, base_url: str, client: str) -> dict[str, object]:
    start = (date.today() + timedelta(days=30)).isoformat()
    body = {
        "kind": "separate",
        "client_name": client,
        "proposals": [
            {
                "location": "the_landmark",
                "start_date": start,
                "durations": ["2 weeks", "4 weeks"],
                "net_rates": ["1.5M", "2.8M"],
            }
        ],
    }
    made = page.request.post(base_url + "/api/proposals", data=body, headers=_csrf(page))
    assert made.status == 201, made.text()
    result: dict[str, object] = made.json()
    return result


def _share_from_history(page: Page, base_url: str, client: str) -> str:
    open_page(page, base_url + "/proposals/history")
    page.get_by_role("button", name=f"Share the {client} proposal", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Share the {client} proposal")
    dialog.get_by_label("Client's e-mail", exact=True).fill("buyer@nike.example")
    dialog.get_by_label("Name (optional)", exact=True).fill("Nora Buyer")
    dialog.get_by_role("button", name="Make the link").click()
    url = dialog.get_by_role("textbox", name="The client's link")
    expect(url).to_have_value(re.compile(r"/p/[A-Za-z0-9_-]{40,}$"))
    expect(dialog.get_by_role("table", name="Client links")).to_contain_text("Not yet")
    # The link is made with SALESBOT_PUBLIC_URL, which the test server leaves at its default.
    return base_url + urlsplit(str(url.input_value())).path


def test_client_opens_on_a_phone_and_accepts(browser: Browser, page: Page, base_url: str):
    sign_in(page, base_url, SALES)
    client = f"Nike {uuid.uuid4().hex[:6]}"
    proposal = _proposal(page, base_url, client)
    link = _share_from_history(page, base_url, client)

    phone = new_page(browser, **PHONE)
    try:
        phone.goto(link)
        expect(phone.get_by_role("heading", name=f"Proposal for {client}")).to_be_visible()
        first = phone.get_by_role("img", name=re.compile(r"^Page 1 of \d+$"))
        expect(first).to_be_visible()
        phone.wait_for_function(
            "() => { const i = document.querySelector('figure.slide img');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        # Fits the phone: nothing wider than the screen (tables scroll inside their box).
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        prices = phone.locator("table.prices")
        expect(prices.get_by_role("row", name=re.compile("^Total"))).to_contain_text(
            "AED 2,943,696"
        )
        expect(phone.get_by_text("we record the time")).to_be_visible()
        # Read page 2 for a moment, then let the beacon report what it counted.
        phone.evaluate(
            "() => { const f = document.querySelector(\"figure.slide[data-page='2']\");"
            " window.scrollTo(0, f.offsetTop + f.offsetHeight / 2 - innerHeight / 2); }"
        )
        phone.wait_for_timeout(1500)
        phone.evaluate("window.__shareFlush()")

        form = phone.locator("#accept-form")
        form.get_by_role("button", name="Accept the proposal").click()
        expect(form.get_by_role("alert")).to_have_text(re.compile("Choose an option"))
        form.get_by_label(re.compile(r"4 Weeks — AED 2,943,696")).check()
        form.get_by_label("Your name", exact=True).fill("Nora Buyer")
        form.get_by_label("Your title", exact=True).fill("Media Director")
        form.get_by_label("Signature (type your name)", exact=True).fill("Nora Buyer")
        form.get_by_role("button", name="Accept the proposal").click()
        status = phone.get_by_role("status")
        expect(status).to_contain_text(
            "Accepted by Nora Buyer (Media Director)", timeout=WORK_TIMEOUT_MS
        )
        with phone.expect_download() as info:
            phone.get_by_role("link", name="Download the accepted copy").click()
        assert info.value.suggested_filename.endswith("_Accepted.pdf")
        assert console_errors(phone) == []
    finally:
        phone.context.close()

    # The salesperson sees the opening, the time on page 2 and the acceptance, then starts the
    # booking order from it.
    timeline = page.request.get(f"{base_url}/api/proposals/{proposal['id']}/timeline")
    (shared,) = timeline.json()["links"]
    assert shared["opens"] == 1 and shared["decision"] == "accepted"
    assert any(p["page"] == 2 and p["seconds"] >= 1 for p in shared["page_seconds"]), shared
    open_page(page, base_url + f"/proposals/history?proposal={proposal['id']}")
    dialog = page.get_by_role("dialog", name=f"Share the {client} proposal")
    expect(dialog.get_by_role("list", name="Client activity")).to_contain_text(
        "Accepted by Nora Buyer, Media Director"
    )
    dialog.get_by_role("button", name="Start a booking order").click()
    page.wait_for_url(re.compile(r"/booking-orders/[0-9a-f-]{36}$"), timeout=WORK_TIMEOUT_MS)
    expect(page.get_by_text(client).first).to_be_visible()
    assert console_errors(page) == []
