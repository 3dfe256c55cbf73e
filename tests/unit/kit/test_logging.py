"""Log redaction: secrets by key name, credentials in URLs, tokens, configured internal URLs."""

from __future__ import annotations

from salesbot.kit.logging import REDACTED, Redactor
from salesbot.settings import mask_url


def test_secret_keys_are_dropped() -> None:
    event = Redactor()(
        None, "info", {"event": "login", "password": "pw", "api_key": "k", "user": "u"}
    )
    assert event["password"] == REDACTED
    assert event["api_key"] == REDACTED
    assert event["user"] == "u"


def test_nested_values_and_text_are_scrubbed() -> None:
    redactor = Redactor(internal_urls=["http://10.1.2.3:9000"])
    event = redactor(
        None,
        "info",
        {
            "event": "call failed: postgresql://app:hunter2@db:5432/x via http://10.1.2.3:9000/v1",
            "headers": {"Authorization": "Bearer abc.def.ghi", "accept": "json"},
            "note": "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig here",
        },
    )
    assert "hunter2" not in event["event"]
    assert "10.1.2.3" not in event["event"]
    assert "[internal-url]" in event["event"]
    assert event["headers"]["Authorization"] == REDACTED
    assert "eyJ" not in event["note"]


def test_mask_url() -> None:
    assert mask_url("redis://:pw@cache:6379/0") == "redis://***@cache:6379/0"
    assert mask_url("sqlite+aiosqlite:///var/x.db") == "sqlite+aiosqlite:///var/x.db"
