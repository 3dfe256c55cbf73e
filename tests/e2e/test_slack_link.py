"""Settings → Slack: a person confirms the one-time link the Slack bot sent, then disconnects."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.support import SALES, console_errors, open_page, sign_in
from tests.live_server import live_server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("slack-live")
    with live_server(data_dir) as url:
        yield url, data_dir


def _offer_code(data_dir: Path) -> str:
    """The code the bot would DM an unlinked Slack user (made in the server's database)."""
    from salesbot.kit.db import Database, make_engine, utcnow
    from salesbot.slack import service

    made: dict[str, str] = {}

    async def offer() -> None:
        database = Database(make_engine(f"sqlite+aiosqlite:///{data_dir / 'salesbot.db'}"))
        try:
            async with database.sessions() as session:
                who = service.SlackUser("T1", "UE2E")
                made["code"] = await service.offer_code(session, who, now=utcnow(), minutes=15)
        finally:
            await database.dispose()

    # Playwright's sync API owns this thread's event loop.
    worker = threading.Thread(target=lambda: asyncio.run(offer()))
    worker.start()
    worker.join()
    return made["code"]


def test_the_one_time_link_is_confirmed_on_the_settings_page(
    page: Page, served: tuple[str, Path]
) -> None:
    url, data_dir = served
    code = _offer_code(data_dir)
    sign_in(page, url, SALES)
    open_page(page, f"{url}/settings#slack-link={code}")
    card = page.locator("#slack-card")
    expect(card.get_by_text("No Slack account is connected")).to_be_visible()
    card.get_by_role("button", name="Connect this Slack account").click()
    expect(card.get_by_text("Slack user UE2E")).to_be_visible()
    assert "slack-link" not in page.url  # the code leaves the address bar
    card.get_by_role("button", name="Disconnect Slack").click()
    page.get_by_role("dialog", name="Disconnect Slack?").get_by_role(
        "button", name="Disconnect"
    ).click()
    expect(card.get_by_text("No Slack account is connected")).to_be_visible()
    # The same code never works twice.
    open_page(page, f"{url}/settings#slack-link={code}")
    page.locator("#slack-card").get_by_role("button", name="Connect this Slack account").click()
    expect(page.locator("#slack-card").get_by_role("alert")).to_contain_text("not valid any more")
    assert console_errors(page, expected_statuses=[422]) == []
