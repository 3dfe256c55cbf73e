"""How the offline model's questions are worded and put together."""

from __future__ import annotations

from collections.abc import Sequence

_MAX_QUOTE = 40


def quote(text: str) -> str:
    """User text shortened for an answer, so a huge message is never echoed back."""
    text = " ".join(text.split())
    if len(text) > _MAX_QUOTE:
        text = text[: _MAX_QUOTE - 1].rstrip() + "…"
    return f"'{text}'"


def join_questions(questions: Sequence[str]) -> str:
    """One question as it is; several as a short list."""
    unique = list(dict.fromkeys(questions))
    if len(unique) == 1:
        return unique[0]
    return "I need a few more details:\n" + "\n".join(f"- {q}" for q in unique)


def names(items: Sequence[str]) -> str:
    """`A`, `A or B`, `A, B or C`."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def ask_which(candidates: Sequence[str]) -> str:
    return f"Which location did you mean: {names(candidates)}?"
