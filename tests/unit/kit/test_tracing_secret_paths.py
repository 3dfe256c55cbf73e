"""Paths that carry a credential are never traced (a client link's token is in its path)."""

from __future__ import annotations

from opentelemetry.util.http import parse_excluded_urls

from salesbot.kit.tracing import DEFAULT_EXCLUDED_URLS, SECRET_PATHS


def test_client_links_are_excluded_and_the_api_is_not() -> None:
    excluded = parse_excluded_urls(f"{DEFAULT_EXCLUDED_URLS},{SECRET_PATHS}")
    assert excluded.url_disabled("https://sales.example.com/p/Zr0_token-value/pages/2")
    assert excluded.url_disabled("http://127.0.0.1:8000/p/abc")
    assert not excluded.url_disabled("https://sales.example.com/api/proposals/1/shares")
    assert not excluded.url_disabled("https://sales.example.com/api/p/x")
