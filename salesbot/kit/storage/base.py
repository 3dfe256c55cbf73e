"""The object-storage contract shared by the local-directory and S3-compatible backends."""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

CHUNK_SIZE = 1024 * 1024
MAX_KEY_LENGTH = 512
MAX_PRESIGN_SECONDS = 3600
DEFAULT_PRESIGN_SECONDS = 300

# A segment may not start with a dot: that rules out `.`/`..` and hidden names, which
# LocalStorage keeps for its own temp directory.
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+-]")

Source = Path | AsyncIterable[bytes]


class StorageError(Exception):
    """Base class for storage failures."""


class InvalidKey(StorageError, ValueError):
    """The key is not a safe server-generated object key."""


class ObjectNotFound(StorageError, LookupError):
    """No object is stored under the key."""


class InvalidRange(StorageError, ValueError):
    """The requested byte range lies outside the object."""


class InvalidExpiry(StorageError, ValueError):
    """A signed URL lifetime outside 1..3600 seconds was requested."""


def validate_key(key: str) -> str:
    """Return `key` unchanged if it is a safe relative key, else raise InvalidKey."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidKey("storage key is empty or too long")
    if ".." in key or key.startswith("/"):
        raise InvalidKey("storage key must be relative and must not contain '..'")
    if not all(_SEGMENT.fullmatch(segment) for segment in key.split("/")):
        raise InvalidKey("storage key may only use letters, digits, '/', '_', '.' and '-'")
    return key


def resolve_range(start: int, end: int | None, size: int) -> tuple[int, int]:
    """Clamp a half-open byte range [start, end) to an object of `size` bytes."""
    if start < 0 or (end is not None and end < start):
        raise InvalidRange("invalid byte range")
    if start > size:
        raise InvalidRange("byte range starts after the end of the object")
    stop = size if end is None else min(end, size)
    return start, stop


def check_expiry(expires_s: int) -> int:
    if not 1 <= expires_s <= MAX_PRESIGN_SECONDS:
        raise InvalidExpiry(f"signed URL lifetime must be 1..{MAX_PRESIGN_SECONDS} seconds")
    return expires_s


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A header value safe for any filename: an ASCII fallback plus the RFC 5987 UTF-8 form."""
    if disposition not in ("attachment", "inline"):
        raise ValueError("disposition must be 'attachment' or 'inline'")
    # Control and format characters (CR/LF, RTL override) could split or spoof the header.
    clean = "".join(ch for ch in filename if unicodedata.category(ch) not in ("Cc", "Cf"))
    clean = clean.replace("/", "_").replace("\\", "_").strip() or "file"
    folded = unicodedata.normalize("NFKD", clean).encode("ascii", "ignore").decode("ascii")
    fallback = _ASCII_UNSAFE.sub("_", folded).strip() or "file"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean, safe='')}"


class Storage(ABC):
    """An async object store addressed by server-generated keys."""

    @abstractmethod
    async def put(self, key: str, source: Source, content_type: str) -> None:
        """Store a local file or an async stream of chunks under `key`, replacing any object."""

    @abstractmethod
    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Check the object and range now, then return an iterator over bytes [start, end).

        Errors (missing object, bad range) are raised by this call, before any byte is sent,
        so a download can still answer 404/416.
        """

    @abstractmethod
    async def size(self, key: str) -> int:
        """The object's size in bytes; ObjectNotFound if absent."""

    @abstractmethod
    async def modified_at(self, key: str) -> datetime:
        """When the object was last written (UTC); ObjectNotFound when there is none."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""

    @abstractmethod
    async def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""

    @abstractmethod
    def list_keys(self) -> AsyncIterator[str]:
        """Every stored object's key, in no particular order (backups, clean-ups)."""

    @abstractmethod
    async def presigned_url(
        self,
        key: str,
        filename: str,
        content_type: str,
        expires_s: int = DEFAULT_PRESIGN_SECONDS,
    ) -> str | None:
        """A short-lived direct download URL, or None when the app must serve the bytes."""


async def empty_stream() -> AsyncIterator[bytes]:
    """An iterator that yields nothing (zero-length ranges)."""
    nothing: tuple[bytes, ...] = ()
    for chunk in nothing:
        yield chunk
