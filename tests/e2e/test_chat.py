"""Chat: the conversation sidebar, search, the composer and attachments."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import FilePayload, Page, expect

from tests.e2e.support import (
    FINANCE_BACKLITE,
    SALES,
    console_errors,
    new_page,
    open_page,
    settled,
    sign_in,
)

# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _csrf(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "salesbot_csrf")


def _conversation(page: Page, base_url: str, title: str) -> str:
    response = page.request.post(
        base_url + "/api/conversations",
        data={"title": title},
        headers={"X-CSRF-Token": _csrf(page)},
    )
    assert response.status == 201, response.text()
    return str(response.json()["id"])


def test_sidebar_rename_pin_archive_delete(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    tag = uuid.uuid4().hex[:6]
    first = _conversation(page, base_url, f"Older plan {tag}")
    _conversation(page, base_url, f"Newer plan {tag}")
    # Acting before the page's first list load ends would make the reload after a rename a no-op.
    open_page(page, base_url + f"/chat/{first}")
    thread = page.get_by_role("region", name="Conversation")
    expect(thread.get_by_role("heading", name=f"Older plan {tag}")).to_be_visible()
    # An empty conversation offers suggestions.
    expect(page.get_by_role("button", name="List locations")).to_be_visible()

    thread.get_by_role("button", name="Rename").click()
    dialog = page.get_by_role("dialog", name="Rename conversation")
    dialog.get_by_label("Title", exact=True).fill(f"Nike Q1 {tag}")
    dialog.get_by_label("Title", exact=True).press("Enter")
    expect(thread.get_by_role("heading", name=f"Nike Q1 {tag}")).to_be_visible()
    conversations = page.get_by_role("list", name="Conversations")
    expect(conversations.get_by_role("link", name=f"Nike Q1 {tag}")).to_be_visible()

    thread.get_by_role("button", name="Pin").click()
    pinned = conversations.get_by_role("listitem").first
    # The icon first: the renamed conversation may already lead the list before it is pinned.
    expect(pinned.get_by_role("img", name="Pinned")).to_be_visible()
    expect(pinned).to_contain_text(f"Nike Q1 {tag}")

    thread.get_by_role("button", name="Archive").click()
    expect(conversations.get_by_role("link", name=f"Nike Q1 {tag}")).to_have_count(0)
    page.get_by_role("button", name="Show archived").click()
    expect(conversations.get_by_role("link", name=f"Nike Q1 {tag}")).to_be_visible()

    thread.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog", name="Delete this conversation?").get_by_role(
        "button", name="Delete"
    ).click()
    expect(page).to_have_url(base_url + "/chat")
    settled(page)  # the new page's list is loaded, so the next check is not vacuous
    expect(page.get_by_role("link", name=f"Nike Q1 {tag}")).to_have_count(0)
    assert console_errors(page) == []


def test_sidebar_scrolls_in_more_conversations(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    tag = uuid.uuid4().hex[:6]
    for n in range(35):
        _conversation(page, base_url, f"Bulk {tag} {n:02d}")
    open_page(page, base_url + "/chat")
    conversations = page.get_by_role("list", name="Conversations")
    expect(conversations.get_by_role("link", name=f"Bulk {tag} 34")).to_be_visible()
    expect(conversations.get_by_role("link", name=f"Bulk {tag} 00")).to_have_count(0)
    conversations.get_by_role("link").last.scroll_into_view_if_needed()
    expect(conversations.get_by_role("link", name=f"Bulk {tag} 00")).to_have_count(1)
    assert console_errors(page) == []


def test_search_highlights_hits_and_opens_the_conversation(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    word = "zebra" + uuid.uuid4().hex[:5]
    target = _conversation(page, base_url, f"Campaign {word} outdoor")
    # The page focuses its composer when it has rendered: text typed before that lands there.
    open_page(page, base_url + "/chat")
    page.get_by_role("searchbox", name="Search conversations").fill(word)
    results = page.get_by_role("region", name="Search results")
    hit = results.get_by_role("link").first
    expect(hit).to_contain_text(f"Campaign {word} outdoor")
    expect(hit.locator("mark")).to_have_text(word)
    hit.click()
    expect(page).to_have_url(base_url + f"/chat/{target}")
    expect(page.get_by_role("heading", name=f"Campaign {word} outdoor")).to_be_visible()
    settled(page)
    page.get_by_role("searchbox", name="Search conversations").fill("nothingmatchesthis")
    expect(page.get_by_text("Nothing found for “nothingmatchesthis”.")).to_be_visible()
    assert console_errors(page) == []


def test_composer_counts_characters_and_handles_keys(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/chat?new=1")
    box = page.get_by_role("textbox", name="Message")
    send = page.get_by_role("button", name="Send")
    expect(send).to_be_disabled()
    box.type("first line")
    box.press("Shift+Enter")
    box.type("second")
    expect(box).to_have_value("first line\nsecond")
    expect(page.locator("#composer-count")).to_have_text("17 / 10,000")
    box.fill("x" * 10_001)
    expect(page.locator("#composer-count")).to_have_text("10,001 / 10,000")
    expect(page.get_by_role("alert")).to_contain_text("at most 10,000 characters")
    expect(send).to_be_disabled()
    box.fill("x" * 10_000)
    expect(send).to_be_enabled()
    assert console_errors(page) == []


def test_attachments_show_progress_and_per_file_errors(page: Page, base_url: str) -> None:
    sign_in(page, base_url, SALES)
    open_page(page, base_url + "/chat?new=1")
    files: list[FilePayload] = [
        {"name": "creative.png", "mimeType": "image/png", "buffer": PNG},
        {"name": "fake.pdf", "mimeType": "application/pdf", "buffer": b"<html>not a pdf</html>"},
    ]
    page.locator("#attach-input").set_input_files(files)
    tray = page.get_by_role("list", name="Attachments")
    good = tray.get_by_role("listitem").filter(has_text="creative.png")
    bad = tray.get_by_role("listitem").filter(has_text="fake.pdf")
    expect(good.get_by_text("Ready")).to_be_visible()
    expect(bad.get_by_role("alert")).to_contain_text("not allowed")
    page.get_by_role("textbox", name="Message").fill("mockup for landmark")
    expect(page.get_by_role("button", name="Send")).to_be_disabled()
    bad.get_by_role("button", name="Remove fake.pdf").click()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    # Dropping a file on the conversation attaches it too.
    page.evaluate(
        """() => {
          const data = new DataTransfer();
          data.items.add(new File(['a,b\\n1,2\\n'], 'rates.csv', { type: 'text/csv' }));
          const thread = document.querySelector('.thread');
          for (const type of ['dragenter', 'dragover', 'drop']) {
            const init = { dataTransfer: data, bubbles: true, cancelable: true };
            thread.dispatchEvent(new DragEvent(type, init));
          }
        }"""
    )
    expect(
        tray.get_by_role("listitem").filter(has_text="rates.csv").get_by_text("Ready")
    ).to_be_visible()
    assert console_errors(page, expected_statuses=[415, 422]) == []


def test_header_shows_only_the_actions_the_user_may_take(page: Page, base_url: str) -> None:
    # Finance may chat but not export or delete conversations.
    sign_in(page, base_url, FINANCE_BACKLITE)
    open_page(page, base_url + f"/chat/{_conversation(page, base_url, 'Finance notes')}")
    actions = page.get_by_role("region", name="Conversation").locator(".thread-actions")
    expect(actions.get_by_role("button", name="Archive")).to_be_visible()
    expect(actions).to_have_text("RenamePinArchive")
    assert console_errors(page) == []


def test_message_times_show_in_the_configured_zone_not_the_browsers(
    page: Page, base_url: str
) -> None:
    """A salesperson's laptop set to New York still reads Dubai times, as the PDFs and file
    names do (#15 item 4)."""
    browser = page.context.browser
    assert browser is not None
    traveller = new_page(browser, timezone_id="America/New_York", locale="en-GB")
    try:
        sign_in(traveller, base_url, SALES)
        target = _conversation(traveller, base_url, "Times " + uuid.uuid4().hex[:6])
        sent = traveller.request.post(
            base_url + "/api/chat",
            data={"conversation_id": target, "message": "hello"},
            headers={"X-CSRF-Token": _csrf(traveller), "Accept": "text/event-stream"},
        )
        assert sent.status == 200
        open_page(traveller, base_url + f"/chat/{target}")
        stamp = traveller.locator("time.msg-time").first
        expect(stamp).to_be_visible()
        written = datetime.fromisoformat(str(stamp.get_attribute("datetime")))
        dubai = written.astimezone(ZoneInfo("Asia/Dubai"))
        new_york = written.astimezone(ZoneInfo("America/New_York"))
        assert dubai.hour != new_york.hour
        expect(stamp).to_contain_text(dubai.strftime("%H:%M"))
        assert console_errors(traveller) == []
    finally:
        traveller.context.close()
