"""Browser tests: the real server, driven through Debian's Chromium by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.support import new_page
from tests.live_server import live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's assertions retry until they hold, so a longer budget costs nothing when they pass;
# its 5 s default is shorter than one API call takes on a loaded CI machine.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # One server for the whole run's browser tests, which sign the same demo people in again
    # and again: together they pass the per-person API budget (300 requests a minute) that one
    # salesperson at a browser never nears. Its own tests cover that limit.
    with live_server(
        tmp_path_factory.mktemp("live"),
        SALESBOT_TRUSTED_PROXIES="127.0.0.1/32",
        SALESBOT_RATE_LIMIT_API="100000/minute",
    ) as url:
        yield url


# Package scope: Playwright's sync API keeps an event loop running in the main thread while it is
# open, which would break the async tests collected after this package.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is required for browser tests: apt-get install chromium")
    # Playwright gives every launch a fresh temporary profile directory.
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    pg = new_page(browser)
    yield pg
    pg.context.close()
