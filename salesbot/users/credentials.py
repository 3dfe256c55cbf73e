"""Stored credentials: argon2id password hashes (hashed off the event loop) and secret hashes."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2 is deliberately expensive; a small pool keeps a login storm from starving the server.
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def use_hash_parameters(parameters: Parameters | None) -> None:
    """Hash (and judge `needs_rehash`) with other argon2 parameters; None restores the library's
    recommendation, which production always uses. The test suite hashes with argon2's own
    `profiles.CHEAPEST` (same algorithm and code paths, a fraction of a millisecond instead of
    ~0.1-0.5 s per hash), except the tests that are about the parameters."""
    global _hasher
    _hasher = PasswordHasher() if parameters is None else PasswordHasher.from_parameters(parameters)
    _dummy_hash.cache_clear()


MIN_PASSWORD_LENGTH = 10


async def hash_password(password: str) -> str:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool, _hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing hash still costs a hash (no timing oracle)."""
    loop = asyncio.get_running_loop()
    target = password_hash or _dummy_hash()

    def check() -> bool:
        try:
            return bool(_hasher.verify(target, password)) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return await loop.run_in_executor(_pool, check)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def _dummy_hash() -> str:
    # Made on first use, not at import: hashing is deliberately slow and start-up should not pay.
    return _hasher.hash("not-a-real-password-used-for-timing-only")


def hash_secret(value: str) -> str:
    """SHA-256 hex: secrets are high-entropy, so a fast hash is enough to store them."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_secret(prefix: str = "") -> str:
    """An opaque secret (refresh token, invite, API key) with a recognisable prefix."""
    return prefix + secrets.token_urlsafe(32)
