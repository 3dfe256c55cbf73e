"""Conversation context for the model: stored history replayed as PydanticAI messages, a token
budget with older turns replaced by a stored summary, and generated titles.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    ModelResponsePart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)

SUMMARY_HEADING = "Summary of the earlier part of this conversation:"
KEEP_SHARE = 0.6  # after summarising, the kept turns use at most this share of the budget
MAX_SUMMARY_CHARS = 2400
MAX_TITLE_CHARS = 60


class StoredMessage(Protocol):
    """The columns of a stored message the replay reads."""

    @property
    def role(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def tool_calls(self) -> list[dict[str, Any]] | None: ...
    @property
    def tool_call_id(self) -> str | None: ...
    @property
    def attachments(self) -> list[dict[str, Any]] | None: ...
    @property
    def meta(self) -> dict[str, Any]: ...


def estimate_tokens(text: str) -> int:
    """About four characters per token, plus a little per message."""
    return len(text) // 4 + 4


def message_tokens(message: StoredMessage) -> int:
    extra = ""
    if message.tool_calls:
        extra += json.dumps(message.tool_calls, default=str)
    if message.role == "tool":
        extra += json.dumps(message.meta.get("result"), default=str)
    return estimate_tokens(message.content + extra)


def choose_cut(roles: Sequence[str], tokens: Sequence[int], keep_budget: int) -> int:
    """Index of the first message to keep: the newest turns within `keep_budget`, starting at a
    user message (so a tool result is never separated from its call). Always keeps the newest
    user turn, even when it alone exceeds the budget."""
    used = 0
    best = None
    for index in range(len(roles) - 1, -1, -1):
        used += tokens[index]
        if roles[index] == "user":
            if used > keep_budget and best is not None:
                break
            best = index
    return 0 if best is None else best


def _attachment_note(attachments: list[dict[str, Any]] | None) -> str:
    if not attachments:
        return ""
    names = ", ".join(str(a.get("name", "file")) for a in attachments)
    return f"\n[Attached: {names}]"


def to_model_messages(summary: str | None, messages: Sequence[StoredMessage]) -> list[ModelMessage]:
    """Stored messages as provider-neutral history.

    Tool calls without a stored result (a run that died mid-way) and results without their
    call are dropped: every provider rejects such a history.
    """
    answered = {m.tool_call_id for m in messages if m.role == "tool" and m.tool_call_id}
    called: dict[str, str] = {}
    history: list[ModelMessage] = []
    pending_results: list[ModelRequestPart] = []

    def flush() -> None:
        if pending_results:
            history.append(ModelRequest(parts=list(pending_results)))
            pending_results.clear()

    if summary:
        history.append(ModelRequest(parts=[SystemPromptPart(f"{SUMMARY_HEADING}\n{summary}")]))
    for message in messages:
        if message.role == "tool":
            call_id = message.tool_call_id
            if call_id and call_id in called:
                content = message.meta.get("result") or {"summary": message.content}
                pending_results.append(
                    ToolReturnPart(tool_name=called[call_id], content=content, tool_call_id=call_id)
                )
            continue
        flush()
        if message.role == "user":
            text = message.content + _attachment_note(message.attachments)
            history.append(ModelRequest(parts=[UserPromptPart(text)]))
        elif message.role == "assistant":
            parts: list[ModelResponsePart] = []
            if message.content:
                parts.append(TextPart(message.content))
            for call in message.tool_calls or []:
                call_id = str(call.get("id", ""))
                if call_id in answered:
                    called[call_id] = str(call.get("name", ""))
                    parts.append(
                        ToolCallPart(
                            str(call.get("name", "")), call.get("args") or {}, tool_call_id=call_id
                        )
                    )
            if parts:
                history.append(
                    ModelResponse(parts=parts, model_name=message.meta.get("model") or None)
                )
    flush()
    return history


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _first_sentence(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    sentence = _SENTENCE.split(text, maxsplit=1)[0] if text else ""
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def extractive_summary(previous: str | None, messages: Sequence[StoredMessage]) -> str:
    """The offline model's summary: the first sentence of each request, reply and result."""
    lines = [previous.strip()] if previous else []
    for message in messages:
        if message.role == "user" and message.content.strip():
            lines.append(f"- The user asked: {_first_sentence(message.content)}")
        elif message.role == "assistant":
            if message.tool_calls:
                names = ", ".join(str(c.get("name", "?")) for c in message.tool_calls)
                lines.append(f"- The assistant used: {names}")
            if message.content.strip():
                lines.append(f"- The assistant said: {_first_sentence(message.content)}")
        elif message.role == "tool" and message.content.strip():
            lines.append(f"- Result: {_first_sentence(message.content)}")
    text = "\n".join(lines)
    # Keep the most recent part when it grows too long: that is what the next turn builds on.
    return text if len(text) <= MAX_SUMMARY_CHARS else "…" + text[-(MAX_SUMMARY_CHARS - 1) :]


def offline_title(first_message: str) -> str:
    """A title from the first request: its first words, trimmed at a word boundary."""
    words = " ".join(first_message.split())
    words = re.sub(r"^(please|hi|hello|hey)[,!.\s]+", "", words, flags=re.IGNORECASE)
    if not words:
        return "New conversation"
    if len(words) > MAX_TITLE_CHARS:
        words = words[:MAX_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return words[0].upper() + words[1:]


def clean_title(text: str) -> str:
    """A model-written title without quotes, prefixes or line breaks."""
    text = " ".join(text.replace('"', "").replace("'", "").split())
    text = re.sub(r"^(title)\s*:\s*", "", text, flags=re.IGNORECASE).strip(" .")
    if len(text) > MAX_TITLE_CHARS:
        text = text[:MAX_TITLE_CHARS].rsplit(" ", 1)[0] + "…"
    return text


Summarizer = Callable[[str | None, Sequence[StoredMessage]], Awaitable[str]]


@dataclass(frozen=True)
class Plan:
    """How to replay a window: which stored messages to drop into a new summary."""

    keep_from: int  # index of the first message kept verbatim
    summarize: bool


def plan_window(
    summary_tokens: int, roles: Sequence[str], tokens: Sequence[int], budget: int
) -> Plan:
    if summary_tokens + sum(tokens) <= budget:
        return Plan(0, False)
    cut = choose_cut(roles, tokens, int(budget * KEEP_SHARE))
    return Plan(cut, cut > 0)
