"""The parse error and the quoting of user text inside its message."""

from __future__ import annotations

MAX_QUOTED = 40


class ParseError(ValueError):
    """The text is not a value of the wanted kind; the message is meant for the person.

    `allowed` lists the accepted values when they are a fixed set (duration units, ...).
    """

    def __init__(self, message: str, *, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.allowed = allowed


def quote(text: object, limit: int = MAX_QUOTED) -> str:
    """User text safe to quote in a message: one line, bounded length."""
    cleaned = " ".join(str(text).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"
