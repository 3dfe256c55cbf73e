"""The parse error and the quoting of user text inside its message."""

from __future__ import annotations

MAX_QUOTED = 40


class ParseError(ValueError):
    """The text is not a value of the wanted kind; the message is meant for the person."""


def quote(text: object, limit: int = MAX_QUOTED) -> str:
    """User text safe to quote in a message: one line, bounded length."""
    cleaned = " ".join(str(text).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"
