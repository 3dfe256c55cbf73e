"""The offline model: a deterministic grammar that turns chat messages into tool calls."""

from salesbot.assistant.offline.grammar import Context, Intent, interpret
from salesbot.assistant.offline.lexer import KnownLocation

__all__ = ["Context", "Intent", "KnownLocation", "interpret"]
