"""Access tokens, the unverified-decode guard, and the trusted-proxy client IP rule."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from salesbot.auth.tokens import (
    InvalidToken,
    create_access_token,
    decode_access_token,
    decode_unverified,
)
from salesbot.kit.client_ip import client_ip, parse_networks
from salesbot.kit.csrf import csrf_ok
from salesbot.users.credentials import hash_secret

SECRET = "unit-test-secret-key-0123456789abcdef"


def test_access_token_round_trip_and_expiry() -> None:
    user = uuid.uuid4()
    now = datetime.now(UTC)
    token, seconds = create_access_token(user, secret=SECRET, now=now, minutes=15)
    assert seconds == 900
    assert decode_access_token(token, secret=SECRET) == user
    old, _ = create_access_token(user, secret=SECRET, now=now - timedelta(hours=1), minutes=15)
    with pytest.raises(InvalidToken):
        decode_access_token(old, secret=SECRET)
    with pytest.raises(InvalidToken):
        decode_access_token(token, secret=SECRET + "x")


def test_decode_unverified_needs_explicit_flag(caplog: pytest.LogCaptureFixture) -> None:
    token, _ = create_access_token(uuid.uuid4(), secret=SECRET, now=datetime.now(UTC), minutes=1)
    with pytest.raises(PermissionError):
        decode_unverified(token, allow_unverified=False)
    with caplog.at_level(logging.WARNING):
        claims = decode_unverified(token, allow_unverified=True)
    assert claims["typ"] == "access"


def test_hash_secret_is_sha256_hex() -> None:
    assert len(hash_secret("abc")) == 64 and hash_secret("abc") != hash_secret("abd")


def test_forwarded_for_only_from_trusted_peer() -> None:
    trusted = parse_networks(["10.0.0.0/8"])
    spoof = "1.2.3.4"
    assert client_ip("198.51.100.7", spoof, trusted) == "198.51.100.7"
    assert client_ip("10.1.2.3", "203.0.113.9", trusted) == "203.0.113.9"
    # The client may prepend lies; we take the right-most untrusted hop.
    assert client_ip("10.1.2.3", f"{spoof}, 203.0.113.9, 10.9.9.9", trusted) == "203.0.113.9"
    assert client_ip("10.1.2.3", "not-an-ip", trusted) == "10.1.2.3"
    assert client_ip("198.51.100.7", None, []) == "198.51.100.7"


def test_csrf_double_submit() -> None:
    assert csrf_ok("GET", None, None)
    assert not csrf_ok("POST", "abc", None)
    assert not csrf_ok("POST", None, "abc")
    assert not csrf_ok("DELETE", "abc", "abd")
    assert csrf_ok("PATCH", "abc", "abc")
