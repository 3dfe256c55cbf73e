"""The agent against a local OpenAI-compatible server, through the real openai SDK and PydanticAI:
streamed text, streamed tool calls, usage and cost, errors and timeouts (offline fallback), and
the response cache."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from salesbot.assistant.metrics import LLM_CACHE
from salesbot.assistant.models import UsageRecord
from salesbot.settings import Settings
from tests.api.assistant.conftest import Users, chat, conversation_of, stored, text_of
from tests.api.assistant.fake_openai import (
    Error,
    FakeOpenAI,
    Silent,
    Text,
    ToolCall,
    Usage,
    fake_openai,
    openai_settings,
)
from tests.conftest import Stack


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with fake_openai() as fake:
        yield fake


@pytest.fixture
def llm_timeout_s() -> float:
    # Generous: a loaded machine must not turn a normal answer into a timeout. The timeout
    # test sets a short one and a server that never answers.
    return 30.0


@pytest.fixture
def settings(stack: Stack, tmp_path: Path, server: FakeOpenAI, llm_timeout_s: float) -> Settings:
    return openai_settings(stack, tmp_path / "data", server, timeout_s=llm_timeout_s)


async def usage_rows(app: FastAPI) -> list[UsageRecord]:
    async with app.state.db.sessions() as session:
        stmt = select(UsageRecord).order_by(UsageRecord.created_at, UsageRecord.id)
        return list((await session.execute(stmt)).scalars())


async def test_streamed_text_with_usage_and_cost(
    client: httpx.AsyncClient, users: Users, app: FastAPI, server: FakeOpenAI
) -> None:
    server.script(
        Text(
            ("Hello", " from", " the model."),
            Usage(prompt=120, completion=8, cached=100, reasoning=2),
        ),
        Text(("Friendly greeting",), Usage(prompt=40, completion=3)),
    )
    events = await chat(client, users.sales, "hello there")
    deltas = [e.data["text"] for e in events if e.event == "delta"]
    assert deltas == ["Hello", " from", " the model."]
    end = events[-1].data
    assert end["model"] == "openai:gpt-4.1-mini" and end["notice"] is None
    assert end["title"] == "Friendly greeting"
    # Chat call + title call; cost from the price table (per million tokens).
    assert end["usage"]["input_tokens"] == 160 and end["usage"]["output_tokens"] == 11
    rows = await usage_rows(app)
    assert [(r.call_type, r.model) for r in rows] == [
        ("chat", "openai:gpt-4.1-mini"),
        ("title", "openai:gpt-4.1-mini"),
    ]
    chat_row = rows[0]
    assert (chat_row.input_tokens, chat_row.cached_tokens, chat_row.output_tokens) == (120, 100, 8)
    assert chat_row.reasoning_tokens == 2
    # 20 × 0.40 + 100 × 0.10 + 8 × 1.60, per million: reasoning tokens are not priced twice.
    assert chat_row.cost == Decimal("0.0000308")
    request = server.requests[0]
    assert request["model"] == "gpt-4.1-mini" and request["stream"] is True
    assert request["messages"][0]["role"] in ("system", "developer")
    assert "Sales" in request["messages"][0]["content"]
    assert "The Landmark [landmark]" in request["messages"][0]["content"]
    assert request["messages"][-1] == {"role": "user", "content": "hello there"}
    offered = {t["function"]["name"] for t in request["tools"]}
    assert {"search_conversations", "list_conversations", "list_locations"} <= offered
    assert "delete_location" not in offered  # salespeople are never offered admin tools
    assert server.headers[0]["authorization"] == "Bearer sk-test-key"
    messages = await stored(app, conversation_of(events))
    assert messages[-1].content == "Hello from the model."
    assert messages[-1].meta["model"] == "openai:gpt-4.1-mini"


async def test_streamed_tool_call_then_answer(
    client: httpx.AsyncClient, users: Users, app: FastAPI, server: FakeOpenAI
) -> None:
    server.script(
        ToolCall("list_conversations", ('{"li', 'mit": ', "5}"), call_id="call_abc"),
        Text(("You have ", "one chat.")),
        Text(("Chats",)),
    )
    events = await chat(client, users.sales, "what chats do I have?")
    started = next(e for e in events if e.event == "tool_started").data
    assert started == {
        "tool_call_id": "call_abc",
        "tool": "list_conversations",
        "args": {"limit": 5},
    }
    result = next(e for e in events if e.event == "tool_result").data
    assert result["summary"].startswith("Your recent conversations")
    assert text_of(events) == "You have one chat."
    follow_up = server.requests[1]["messages"]
    assistant_turn = next(m for m in follow_up if m["role"] == "assistant")
    assert assistant_turn["tool_calls"][0]["id"] == "call_abc"
    tool_turn = next(m for m in follow_up if m["role"] == "tool")
    assert tool_turn["tool_call_id"] == "call_abc"
    assert "Your recent conversations" in tool_turn["content"]
    # The next message replays the stored history, tool call and result included.
    server.script(Text(("Sure.",)))
    await chat(client, users.sales, "thanks", conversation_id=conversation_of(events))
    replayed = server.requests[-1]["messages"]
    roles = [m["role"] for m in replayed[1:]]
    assert roles == ["user", "assistant", "tool", "assistant", "user"]
    assert replayed[2]["tool_calls"][0]["function"]["arguments"] == '{"limit":5}'


@pytest.mark.parametrize(
    ("failure", "llm_timeout_s"),
    [(Error(500), 30.0), (Error(401, "Invalid API key"), 30.0), (Silent(), 0.5)],
    ids=["error-500", "error-401", "timeout"],
)
async def test_provider_failure_falls_back_to_offline(
    client: httpx.AsyncClient,
    users: Users,
    app: FastAPI,
    server: FakeOpenAI,
    failure: Error | Silent,
) -> None:
    server.script(failure)
    events = await chat(client, users.sales, "hello")
    reply = text_of(events)
    assert reply.startswith("_The AI service is not answering right now")
    assert "Hello! I can build proposals" in reply
    assert events[-1].data["model"] == "offline"
    assert len(server.requests) == 1  # no title call to a provider that just failed
    rows = await usage_rows(app)
    assert [r.model for r in rows] == ["offline"]


async def test_identical_requests_are_served_from_the_cache(
    client: httpx.AsyncClient, users: Users, app: FastAPI, server: FakeOpenAI
) -> None:
    server.script(Text(("Hi!",)), Text(("Greeting",)))
    hits_before = LLM_CACHE.labels("hit")._value.get()
    first = await chat(client, users.sales, "hello")
    second = await chat(client, users.sales, "hello")  # a new conversation, same request
    assert text_of(second) == text_of(first) == "Hi!"
    assert len(server.requests) == 2  # chat + title once; the second time both come from cache
    assert LLM_CACHE.labels("hit")._value.get() - hits_before == 2
    rows = await usage_rows(app)
    assert [r.call_type for r in rows] == ["chat", "title"]
    messages = await stored(app, conversation_of(second))
    assert messages[-1].meta["cached"] is True
    assert second[-1].data["title"] == "Greeting"
