"""Opaque cursors for keyset pagination and the standard page shape."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from salesbot.kit.errors import ValidationFailed

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
    has_more: bool = False


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_CURSOR = "The page cursor is not valid; start from the first page."


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """Decode a cursor made by `encode_cursor`; anything else is a clear 422."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed(BAD_CURSOR) from exc
    if not isinstance(value, dict):
        raise ValidationFailed(BAD_CURSOR)
    return value


def cursor_id(cursor: str | None, key: str = "before") -> uuid.UUID | None:
    """The record id a keyset cursor continues from (None on the first page); else a clear 422."""
    values = decode_cursor(cursor)
    if values is None:
        return None
    try:
        return uuid.UUID(str(values[key]))
    except (KeyError, ValueError):
        raise ValidationFailed(BAD_CURSOR) from None
