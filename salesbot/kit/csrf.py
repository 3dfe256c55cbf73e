"""CSRF double-submit: a random cookie the page's script echoes in the `X-CSRF-Token` header."""

from __future__ import annotations

import hmac
import secrets

CSRF_COOKIE = "salesbot_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(method: str, cookie_value: str | None, header_value: str | None) -> bool:
    """Safe methods always pass; unsafe ones need a header equal to the cookie."""
    if method.upper() in SAFE_METHODS:
        return True
    if not cookie_value or not header_value:
        return False
    return hmac.compare_digest(cookie_value.encode(), header_value.encode())
