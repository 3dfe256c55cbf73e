"""Chat journeys with the offline assistant: a proposal with progress and a PDF, search, resume."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, Request, Route, expect

from tests.e2e.support import (
    SALES,
    WORK_TIMEOUT_MS,
    console_errors,
    open_page,
    settled,
    sign_in,
)

# The first suggestion of an empty chat; it starts on the 1st of next month (from /api/meta).
LANDMARK = re.compile(
    r"^Make me a landmark proposal, start \w{3} 1st \d{4}, durations 2 weeks, 4 weeks, "
    r"rates 1\.5M, 2\.8M, client Nike$"
)


def test_landmark_proposal_streams_with_progress_and_downloads_the_pdf(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/chat?new=1")
    page.get_by_role("button", name=LANDMARK).click()
    expect(page).to_have_url(re.compile(r"/chat/[0-9a-f-]{36}$"))
    tool = page.get_by_role("group", name="Creating proposals")
    expect(tool).to_have_attribute("data-state", "done", timeout=WORK_TIMEOUT_MS)
    reply = page.locator(".msg-assistant").last
    expect(reply).to_contain_text("AED")
    # The result shows once: on the card with its totals and files, not again as text.
    expect(reply).not_to_have_class(re.compile("streaming"))
    expect(page.locator(".msg").get_by_text("AED 1,578,696", exact=False)).to_have_count(1)
    pdf = tool.get_by_role("link", name=re.compile(r"Download .*\.pdf$"))
    expect(pdf).to_be_visible()
    href = pdf.get_attribute("href")
    assert href is not None
    download = page.request.get(base_url + href if href.startswith("/") else href)
    assert download.status == 200
    assert download.body().startswith(b"%PDF")
    # The reply is stored: after a reload the same tool card and file are there.
    page.reload()
    stored = page.get_by_role("group", name="Creating proposals")
    expect(stored.get_by_role("link", name=re.compile(r"Download .*\.pdf$"))).to_be_visible()
    expect(page.locator(".msg").get_by_text("AED 1,578,696", exact=False)).to_have_count(1)
    # File names are whole, not cut off.
    name = stored.locator(".file-name").first
    assert name.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert console_errors(page) == []


def test_search_finds_an_old_message_and_opens_it_at_the_hit(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    word = "quokka" + uuid.uuid4().hex[:6]
    open_page(page, base_url + "/chat?new=1")
    box = page.get_by_role("textbox", name="Message")
    box.fill(f"hello, remember the {word} campaign")
    box.press("Enter")
    expect(page.locator(".msg-assistant").last).not_to_have_class(re.compile("streaming"))
    expect(page).to_have_url(re.compile(r"/chat/[0-9a-f-]{36}$"))
    conversation = page.url.rsplit("/", 1)[1]
    open_page(page, base_url + "/chat")
    page.get_by_role("searchbox", name="Search conversations").fill(word)
    # The title (generated from the first message) may match too; take the message hit.
    hit = page.get_by_role("region", name="Search results").locator('a[href*="?m="]').first
    expect(hit.locator("mark")).to_have_text(word)
    hit.click()
    expect(page).to_have_url(re.compile(rf"/chat/{conversation}\?m=[0-9a-f-]{{36}}$"))
    target = page.locator(".msg.hit-target")
    expect(target).to_contain_text(word)
    expect(target).to_be_in_viewport()
    assert console_errors(page) == []


def test_a_dropped_stream_resumes_and_a_reload_mid_reply_shows_it_whole(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, SALES)
    resumed_with: list[str | None] = []

    def cut_after_first_event(route: Route) -> None:
        # The real reply, cut after its first event, as if the connection dropped there.
        response = route.fetch()
        first = response.text().split("\n\n")[0] + "\n\n"
        route.fulfill(response=response, body=first)

    def note_resume(request: Request) -> None:
        if "/api/chat/runs/" in request.url:
            resumed_with.append(request.headers.get("last-event-id"))

    page.on("request", note_resume)
    page.route("**/api/chat", cut_after_first_event)
    open_page(page, base_url + "/chat?new=1")
    page.get_by_role("button", name=LANDMARK).click()
    tool = page.get_by_role("group", name="Creating proposals")
    expect(tool).to_have_attribute("data-state", "done", timeout=WORK_TIMEOUT_MS)
    assert resumed_with and resumed_with[0] is not None  # reconnected from the last event seen
    expect(page.locator(".tool-card")).to_have_count(1)

    # The tool card finishes before the reply does, and Enter does not send while it streams.
    expect(page.locator(".msg-assistant").last).not_to_have_class(re.compile("streaming"))

    # Now the reconnection fails too (the page is reloaded mid-reply instead).
    page.route("**/api/chat/runs/**", lambda route: route.abort())
    box = page.get_by_role("textbox", name="Message")
    box.fill("list locations")
    box.press("Enter")
    expect(page.locator(".msg-assistant").last.get_by_role("alert")).to_be_visible()
    page.unroute("**/api/chat/runs/**")
    page.unroute("**/api/chat")
    page.reload()
    settled(page)
    # The page replays the interrupted run after rendering and forgets it when the replay ends:
    # checking the messages before that would see the stored ones only. (A function, not an
    # expression: polling an expression needs eval, which the page's CSP refuses.)
    page.wait_for_function("() => sessionStorage.getItem('salesbot.chat.run') === null")
    last = page.locator(".msg-assistant").last
    expect(last).not_to_have_class(re.compile("streaming"))
    expect(last).to_contain_text("Landmark")
    # One reply for the question, not the stored one plus the replayed one.
    asked = page.locator(".msg-user").filter(has_text="list locations")
    expect(asked).to_have_count(1)
    assert page.evaluate("sessionStorage.getItem('salesbot.chat.run')") is None
    assert console_errors(page, network_cut=True) == []


def test_a_second_message_and_its_reply_show_below_the_first_reply(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/chat?new=1")
    box = page.get_by_role("textbox", name="Message")
    for count, text in enumerate(["hello there", "list locations"], start=1):
        box.fill(text)
        box.press("Enter")
        expect(page.locator(".msg-assistant")).to_have_count(count)
        expect(page.locator(".msg-assistant").last).not_to_have_class(re.compile("streaming"))
    roles = page.locator(".messages .msg").evaluate_all("els => els.map((e) => e.dataset.role)")
    assert roles == ["user", "assistant", "user", "assistant"]
    assert console_errors(page) == []


def test_a_follow_up_edit_makes_the_next_version_and_says_what_changed(
    page: Page, base_url: str
) -> None:
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/chat?new=1")
    page.get_by_role("button", name=LANDMARK).click()
    first = page.get_by_role("group", name="Creating proposals")
    expect(first).to_have_attribute("data-state", "done", timeout=WORK_TIMEOUT_MS)
    expect(page.locator(".msg-assistant").last).not_to_have_class(re.compile("streaming"))
    box = page.get_by_role("textbox", name="Message")
    box.fill("change the client to Etisalat")
    box.press("Enter")
    edit = page.get_by_role("group", name="Changing the proposal")
    expect(edit).to_have_attribute("data-state", "done", timeout=WORK_TIMEOUT_MS)
    reply = page.locator(".msg-assistant").last
    expect(reply).not_to_have_class(re.compile("streaming"))
    expect(reply).to_contain_text("Version 2")
    expect(reply).to_contain_text("Etisalat")
    expect(edit.get_by_role("link", name=re.compile(r"Download .*\.pdf$"))).to_be_visible()
    # The new version is in the history under the new client (the API tests check both kept).
    open_page(page, base_url + "/proposals/history")
    page.get_by_label("Client", exact=True).fill("Etisalat")
    apply = page.get_by_role("button", name="Apply filters")
    with page.expect_response(lambda r: "/api/proposals?" in r.url and "client=" in r.url and r.ok):
        apply.click()
    expect(apply).to_be_enabled()
    rows = page.get_by_role("table", name="Proposals").locator("tbody tr")
    expect(rows.first).to_contain_text("Etisalat")
    assert console_errors(page) == []
