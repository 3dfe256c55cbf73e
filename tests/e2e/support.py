"""Helpers for the browser tests: pages that record console errors, sign-in, error filtering,
and waiting for the app to have rendered a page before acting on it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from playwright._impl._api_structures import SetCookieParam
from playwright.sync_api import Browser, Page, expect

DEMO_PASSWORD = "demo-password"
ADMIN = "admin@demo.salesbot.dev"
SALES = "sales@demo.salesbot.dev"
VIEWER = "viewer@demo.salesbot.dev"
FINANCE_BACKLITE = "finance.backlite@demo.salesbot.dev"
FINANCE_VIOLA = "finance.viola@demo.salesbot.dev"

# Sign-in is rate limited per client IP. The test server trusts X-Forwarded-For from loopback,
# and every browser context presents its own documentation-range address (RFC 5737), so each
# test gets its own budget instead of all of them sharing 127.0.0.1's.
_client_ips = (f"198.51.100.{n % 250 + 1}" for n in itertools.count())
# Upper bounds for steps that do real work on the server (a PDF, an image, a whole approval
# chain); every other wait uses the default set in conftest. Waits end as soon as the state shows.
WORK_TIMEOUT_MS = 60_000
_FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


def new_page(browser: Browser, **context_options: object) -> Page:
    """A page in a fresh context that records console errors and CSP violations."""
    context = browser.new_context(
        extra_http_headers={"X-Forwarded-For": next(_client_ips)},
        **context_options,  # type: ignore[arg-type]
    )
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.console_errors = errors  # type: ignore[attr-defined]
    return pg


# Sign-in is also limited per e-mail address (5 a minute), so each demo user signs in once per
# run and later tests reuse those cookies. Tests that spend or revoke the session (refresh,
# sign-out) ask for a fresh one, with a user of their own.
_sessions: dict[tuple[str, str], list[SetCookieParam]] = {}


def sign_in(
    page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD, *, fresh: bool = False
) -> None:
    """Sign in through the API in the page's context (cookies shared with the page)."""
    key = (base_url, email)
    if not fresh and key in _sessions:
        page.context.add_cookies(_sessions[key])
        return
    response = page.request.post(
        base_url + "/api/auth/login", data={"email": email, "password": password}
    )
    assert response.status == 200, response.text()
    if not fresh:
        _sessions[key] = [
            SetCookieParam(
                name=c["name"],
                value=c["value"],
                domain=c["domain"],
                path=c["path"],
                httpOnly=c["httpOnly"],
                secure=c["secure"],
                sameSite=c["sameSite"],
            )
            for c in page.context.cookies()
        ]


def console_errors(
    page: Page, expected_statuses: Iterable[int] = (), *, network_cut: bool = False
) -> list[str]:
    """Console errors and CSP violations, minus the browser's notes on expected API refusals
    (and, with network_cut, on connections the test itself aborted)."""
    allowed = {str(s) for s in expected_statuses}
    errors: list[str] = page.console_errors  # type: ignore[attr-defined]
    kept = []
    for text in errors:
        match = _FAILED_LOAD.search(text)
        if match and match.group(1) in allowed:
            continue
        if network_cut and text == "Failed to load resource: net::ERR_FAILED":
            continue
        kept.append(text)
    return kept


def settled(page: Page, path: str | None = None) -> None:
    """Wait until the app's script has rendered `path` (default: the page's current path) to the
    end: its data loaded, its handlers wired and its focus set (main.js marks #app[data-ready]).
    Typing earlier can race the page's own set-up, e.g. the chat page focusing its composer."""
    expect(page.locator("#app")).to_have_attribute("data-ready", path or urlsplit(page.url).path)


def open_page(page: Page, url: str) -> None:
    """Go to an app page and wait until it has rendered (see `settled`)."""
    page.goto(url)
    settled(page, urlsplit(url).path)
