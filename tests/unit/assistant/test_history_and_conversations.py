"""Proposal history and conversation search."""

from __future__ import annotations

import pytest

from tests.unit.assistant.helpers import answer, ask


@pytest.mark.parametrize(
    ("message", "args"),
    [
        ("proposal history", {}),
        ("show my proposals", {}),
        ("show my last 5 proposals for Nike", {"limit": 5, "client": "Nike"}),
        ("what proposals did we send to Adidas", {"client": "Adidas"}),
        ("past proposals for client Emirates NBD", {"client": "Emirates NBD"}),
        ("last 10 proposals", {"limit": 10}),
    ],
)
def test_proposal_history(message: str, args: dict[str, object]) -> None:
    intent = ask(message)
    assert intent.tool == "proposal_history"
    assert intent.args == args


@pytest.mark.parametrize(
    ("message", "query"),
    [
        ("search conversations for gateway pricing", "gateway pricing"),
        ("find the chat where we discussed Nike", "Nike"),
        ("search my chats for 'landmark night'", "landmark night"),
        ("find Adidas in my conversations", "Adidas"),
    ],
)
def test_conversation_search(message: str, query: str) -> None:
    intent = ask(message)
    assert intent.tool == "search_conversations"
    assert intent.args == {"query": query}


def test_conversation_search_asks_what_to_look_for() -> None:
    intent = ask("search my chats")
    assert intent.missing == ("query",)
    assert answer(intent, "Nike rebrand").args == {"query": "Nike rebrand"}


@pytest.mark.parametrize("message", ["list my conversations", "show my chats", "conversations"])
def test_listing_conversations(message: str) -> None:
    intent = ask(message)
    assert intent.tool == "list_conversations"
    assert intent.args == {}
