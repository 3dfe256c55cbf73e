"""Context rules (pure): where history is cut, how it is replayed, summaries and titles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic_ai.messages import (
    ModelRequest,
    ModelResponse,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)

from salesbot.assistant.context import (
    SUMMARY_HEADING,
    choose_cut,
    clean_title,
    extractive_summary,
    offline_title,
    plan_window,
    to_model_messages,
)


@dataclass
class Msg:
    role: str
    content: str = ""
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    attachments: list[dict[str, Any]] | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def test_everything_fits_no_summary() -> None:
    assert plan_window(10, ["user", "assistant"], [20, 20], 100).summarize is False


def test_cut_keeps_newest_turns_from_a_user_message() -> None:
    roles = ["user", "assistant", "tool", "assistant", "user", "assistant", "user", "assistant"]
    tokens = [50] * 8
    cut = choose_cut(roles, tokens, keep_budget=120)
    assert cut == 6  # the last user turn and its reply fit; the previous turn would not
    assert roles[cut] == "user"


def test_newest_turn_is_kept_even_when_it_alone_is_too_big() -> None:
    assert choose_cut(["user", "assistant", "user"], [10, 10, 500], keep_budget=100) == 2


@given(st.lists(st.sampled_from(["user", "assistant", "tool"]), min_size=1, max_size=30))
def test_cut_always_lands_on_a_user_message_or_keeps_all(roles: list[str]) -> None:
    cut = choose_cut(roles, [40] * len(roles), keep_budget=100)
    assert 0 <= cut <= len(roles)
    if "user" in roles:
        assert roles[cut] == "user"
    else:
        assert cut == 0


def test_replay_with_tool_steps_and_summary() -> None:
    history = to_model_messages(
        "Earlier: Nike wanted the landmark.",
        [
            Msg("user", "list my chats", attachments=[{"name": "brief.pdf"}]),
            Msg(
                "assistant", "", tool_calls=[{"id": "c1", "name": "list_conversations", "args": {}}]
            ),
            Msg("tool", "2 chats", tool_call_id="c1", meta={"result": {"summary": "2 chats"}}),
            Msg("assistant", "You have 2 chats.", meta={"model": "offline"}),
        ],
    )
    first = history[0]
    assert isinstance(first, ModelRequest) and isinstance(first.parts[0], SystemPromptPart)
    assert first.parts[0].content.startswith(SUMMARY_HEADING)
    user = history[1]
    assert isinstance(user, ModelRequest) and isinstance(user.parts[0], UserPromptPart)
    assert user.parts[0].content == "list my chats\n[Attached: brief.pdf]"
    call = history[2]
    assert isinstance(call, ModelResponse) and isinstance(call.parts[0], ToolCallPart)
    result = history[3]
    assert isinstance(result, ModelRequest) and isinstance(result.parts[0], ToolReturnPart)
    assert result.parts[0].tool_name == "list_conversations"
    assert result.parts[0].content == {"summary": "2 chats"}
    final = history[4]
    assert isinstance(final, ModelResponse) and final.parts == [TextPart("You have 2 chats.")]


def test_unanswered_tool_calls_and_orphan_results_are_dropped() -> None:
    history = to_model_messages(
        None,
        [
            Msg("user", "do two things"),
            Msg(
                "assistant",
                "Working on it",
                tool_calls=[
                    {"id": "done", "name": "a", "args": {}},
                    {"id": "lost", "name": "b", "args": {}},
                ],
            ),
            Msg("tool", "ok", tool_call_id="done"),
            Msg("tool", "stray", tool_call_id="never-called"),
            Msg("system", "a notice"),
        ],
    )
    response = history[1]
    assert isinstance(response, ModelResponse)
    calls = [p.tool_call_id for p in response.parts if isinstance(p, ToolCallPart)]
    assert calls == ["done"]
    returns = history[2]
    assert isinstance(returns, ModelRequest)
    assert [p.tool_call_id for p in returns.parts if isinstance(p, ToolReturnPart)] == ["done"]
    assert len(history) == 3  # the system notice is for people, not replayed


def test_extractive_summary_keeps_the_gist_and_stays_bounded() -> None:
    text = extractive_summary(
        "- The user asked: earlier things",
        [
            Msg("user", "Make a landmark proposal for Nike. Start in January."),
            Msg("assistant", "", tool_calls=[{"id": "1", "name": "create_separate_proposals"}]),
            Msg("tool", "Proposal ready: Nike - The Landmark.pdf"),
            Msg("assistant", "Here it is! Anything else?"),
        ],
    )
    assert text.splitlines() == [
        "- The user asked: earlier things",
        "- The user asked: Make a landmark proposal for Nike.",
        "- The assistant used: create_separate_proposals",
        "- Result: Proposal ready: Nike - The Landmark.pdf",
        "- The assistant said: Here it is!",
    ]
    long = extractive_summary(None, [Msg("user", f"request number {n}.") for n in range(500)])
    assert len(long) <= 2400 and long.endswith("request number 499.")


def test_titles() -> None:
    assert offline_title("please make me a landmark proposal") == "Make me a landmark proposal"
    assert offline_title("   ") == "New conversation"
    long = offline_title("word " * 40)
    assert len(long) <= 61 and long.endswith("…")
    assert clean_title('"Title: Nike landmark proposal."\n') == "Nike landmark proposal"
