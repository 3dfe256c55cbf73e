"""The offline FunctionModel around the grammar: tool calls, questions, results, permissions."""

from __future__ import annotations

from datetime import date

from pydantic_ai.messages import ModelMessage, ModelRequest, ToolReturnPart, UserPromptPart

from salesbot.assistant.offline.lexer import KnownLocation
from salesbot.assistant.offline.model import OfflineBrain, OfflineState, text_chunks

LOCATIONS = [
    KnownLocation("landmark", ("The Landmark",), "digital"),
    KnownLocation("uae21", ("UAE21",), "static"),
]
ALL = {"create_separate_proposals", "list_locations", "delete_location", "search_conversations"}


def brain(state: OfflineState | None = None) -> OfflineBrain:
    return OfflineBrain(
        LOCATIONS, state or OfflineState(), date(2025, 12, 1), known_tools=frozenset(ALL)
    )


def said(text: str) -> list[ModelMessage]:
    return [ModelRequest(parts=[UserPromptPart(text)])]


def test_complete_request_becomes_a_tool_call_and_is_remembered() -> None:
    b = brain()
    decision = b.decide(
        said(
            "make me a landmark proposal, start Jan 1st 2026, durations 2 weeks, 4 weeks, "
            "rates 1.5M, 2.8M, client Nike"
        ),
        ALL,
    )
    assert not isinstance(decision, str)
    assert decision.tool == "create_separate_proposals"
    assert decision.args["client_name"] == "Nike"
    assert b.state.client_name == "Nike" and b.state.pending is None


def test_missing_fields_are_asked_and_kept_pending_across_turns() -> None:
    state = OfflineState()
    question = brain(state).decide(said("landmark proposal"), ALL)
    assert isinstance(question, str) and "client" in question.lower()
    assert state.pending is not None and state.pending.tool == "create_separate_proposals"
    restored = OfflineState.from_json(state.to_json())
    assert restored.pending == state.pending


def test_tools_the_user_lacks_or_that_do_not_exist_yet() -> None:
    b = brain()
    denied = b.decide(said("list locations"), {"search_conversations"})
    assert denied == "Sorry, you don't have permission to list locations."
    missing = OfflineBrain(LOCATIONS, OfflineState(), date(2025, 12, 1)).decide(
        said("list locations"), set()
    )
    assert missing == "Sorry, I can't list locations yet."


def test_after_a_tool_the_reply_is_its_summary() -> None:
    state = OfflineState()
    messages: list[ModelMessage] = [
        ModelRequest(
            parts=[
                ToolReturnPart(
                    "find_booking_order",
                    {"summary": "BO DPD-1 is approved.", "data": {"booking_order": "DPD-1"}},
                    tool_call_id="c",
                )
            ]
        )
    ]
    assert brain(state).decide(messages, ALL) == "BO DPD-1 is approved."
    assert state.last_booking_order == "DPD-1"


def test_greeting_and_chunks() -> None:
    reply = brain().decide(said("hi"), ALL)
    assert isinstance(reply, str) and reply.startswith("Hello!")
    chunks = text_chunks(reply)
    assert "".join(chunks) == reply and len(chunks) > 3
    assert OfflineState.from_json("garbage") == OfflineState()
