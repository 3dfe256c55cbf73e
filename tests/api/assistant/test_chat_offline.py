"""POST /api/chat with the offline model: streamed events, persistence, tools, context, errors."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.assistant.conftest import (
    Users,
    assistant_of,
    chat,
    conversation_of,
    parse_sse,
    stored,
    text_of,
)


async def test_greeting_streams_and_is_persisted(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    events = await chat(client, users.sales, "hello")
    assert events[0].event == "message_start"
    assert events[-1].event == "message_end"
    assert all(e.id for e in events), "every event carries an id"
    assert len({e.id for e in events}) == len(events)
    assert [e.event for e in events[1:-1]] == ["delta"] * (len(events) - 2)
    reply = text_of(events)
    assert reply.startswith("Hello!") and "landmark proposal" in reply
    end = events[-1].data
    assert end["model"] == "offline"
    assert end["title"] == "Hello"
    # The offline model runs in-process: free, and no provider tokens to count (#15 item 18).
    assert end["usage"] == {"input_tokens": 0, "cached_tokens": 0, "output_tokens": 0, "cost": "0"}
    messages = await stored(app, conversation_of(events))
    assert [(m.role, m.content) for m in messages] == [("user", "hello"), ("assistant", reply)]
    assert str(messages[-1].id) == end["message_id"]
    listed = (await client.get("/api/conversations", headers=users.sales)).json()["items"]
    assert listed[0]["title"] == "Hello"


async def test_tool_call_round_trip_is_stored_structured(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    first = await chat(client, users.sales, "hello")
    events = await chat(client, users.sales, "search conversations for hello")
    kinds = [e.event for e in events]
    assert kinds[0] == "message_start" and kinds[-1] == "message_end"
    assert kinds.index("tool_started") < kinds.index("tool_result") < kinds.index("delta")
    started = next(e for e in events if e.event == "tool_started").data
    assert started["tool"] == "search_conversations"
    assert started["args"] == {"query": "hello"}
    result = next(e for e in events if e.event == "tool_result").data
    assert result["tool_call_id"] == started["tool_call_id"]
    assert result["is_error"] is False and result["files"] == []
    hit_ids = {h["conversation_id"] for h in result["data"]["hits"]}
    assert conversation_of(first) in hit_ids
    assert text_of(events) == result["summary"]
    messages = await stored(app, conversation_of(events))
    assert [m.role for m in messages] == ["user", "assistant", "tool", "assistant"]
    call = messages[1]
    assert call.content == ""
    assert call.tool_calls == [
        {"id": started["tool_call_id"], "name": "search_conversations", "args": {"query": "hello"}}
    ]
    tool = messages[2]
    assert tool.tool_call_id == started["tool_call_id"]
    assert tool.meta["tool"] == "search_conversations"
    assert tool.meta["result"]["summary"] == result["summary"]


async def test_missing_details_are_asked_for_and_merged(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    asked = await chat(client, users.sales, "make me a proposal for the landmark")
    question = text_of(asked)
    assert "Who is the client?" in question or "client" in question.lower()
    assert not any(e.event == "tool_started" for e in asked)
    conversation = conversation_of(asked)
    listed = await client.get(f"/api/conversations/{conversation}", headers=users.sales)
    assert listed.status_code == 200
    # The pending question is remembered with the conversation, not in the process.
    async with app.state.db.sessions() as session:
        from salesbot.conversations.models import Conversation

        row = await session.get(Conversation, uuid.UUID(conversation))
        assert row is not None
        assert row.meta["offline"]["pending"]["tool"] == "create_separate_proposals"


async def test_user_without_permission_is_told_so(client: httpx.AsyncClient, users: Users) -> None:
    asked = await chat(client, users.sales, "delete location landmark")
    assert "confirm" in text_of(asked)
    events = await chat(client, users.sales, "yes", conversation_id=conversation_of(asked))
    assert text_of(events) == "Sorry, you don't have permission to delete locations."
    assert not any(e.event == "tool_started" for e in events)


async def test_continues_an_existing_conversation(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    first = await chat(client, users.sales, "hello")
    conversation = conversation_of(first)
    second = await chat(client, users.sales, "thanks", conversation_id=conversation)
    assert conversation_of(second) == conversation
    assert second[-1].data["title"] is None  # named after the first exchange only
    messages = await stored(app, conversation)
    assert [m.role for m in messages] == ["user", "assistant", "user", "assistant"]


async def test_requests_are_validated_before_streaming(
    client: httpx.AsyncClient, users: Users
) -> None:
    too_long = await client.post("/api/chat", json={"message": "x" * 10_001}, headers=users.sales)
    assert too_long.status_code == 422
    empty = await client.post("/api/chat", json={"message": ""}, headers=users.sales)
    assert empty.status_code == 422
    many = [str(uuid.uuid4()) for _ in range(11)]
    too_many = await client.post(
        "/api/chat", json={"message": "hi", "file_ids": many}, headers=users.sales
    )
    assert too_many.status_code == 422
    unknown = await client.post(
        "/api/chat",
        json={"message": "hi", "conversation_id": str(uuid.uuid4())},
        headers=users.sales,
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "Conversation not found."
    missing_file = await client.post(
        "/api/chat", json={"message": "hi", "file_ids": [str(uuid.uuid4())]}, headers=users.sales
    )
    assert missing_file.status_code == 422
    assert (await client.post("/api/chat", json={"message": "hi"})).status_code == 401
    viewer = await client.post("/api/chat", json={"message": "hi"}, headers=users.viewer)
    assert viewer.status_code == 403


async def test_cannot_write_into_someone_elses_conversation(
    client: httpx.AsyncClient, users: Users
) -> None:
    mine = conversation_of(await chat(client, users.sales, "hello"))
    response = await client.post(
        "/api/chat", json={"message": "hi", "conversation_id": mine}, headers=users.admin
    )
    assert response.status_code == 404


async def test_one_run_per_conversation_at_a_time(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    conversation = conversation_of(await chat(client, users.sales, "hello"))
    runs = assistant_of(app).runs
    assert await runs.claim(uuid.UUID(conversation), "someone-else")
    busy = await client.post(
        "/api/chat",
        json={"message": "hi", "conversation_id": conversation},
        headers=users.sales,
    )
    assert busy.status_code == 409
    await runs.release(uuid.UUID(conversation), "someone-else")
    assert (await chat(client, users.sales, "hi", conversation_id=conversation))[-1].event == (
        "message_end"
    )


async def test_the_conversation_is_free_before_the_answer_is_heard_to_end(
    client: httpx.AsyncClient, users: Users, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A next message sent as soon as `message_end` arrives is not refused as "still answering":
    the run frees the conversation before it publishes its end (under load a client was refused
    with 409 when the end came first)."""
    runs = assistant_of(app).runs
    free_at_the_end: list[bool] = []
    publish = runs.publish

    async def watched(run_id: str, event: str, data: dict[str, Any]) -> None:
        if event == "message_end":
            conversation = uuid.UUID(data["conversation_id"])
            free_at_the_end.append(await runs.claim(conversation, "the-next-message"))
            await runs.release(conversation, "the-next-message")
        await publish(run_id, event, data)

    monkeypatch.setattr(runs, "publish", watched)
    first = await chat(client, users.sales, "hello")
    again = await chat(client, users.sales, "hi", conversation_id=conversation_of(first))
    assert [first[-1].event, again[-1].event] == ["message_end", "message_end"]
    assert free_at_the_end == [True, True]


async def test_resume_with_last_event_id(client: httpx.AsyncClient, users: Users) -> None:
    events = await chat(client, users.sales, "search conversations for anything")
    run_id = events[0].data["run_id"]
    url = f"/api/chat/runs/{run_id}/events"
    replay = await client.get(url, headers=users.sales)
    assert replay.status_code == 200
    assert parse_sse(replay.text) == events
    after = events[1].id
    assert after is not None
    tail = await client.get(url, headers={**users.sales, "Last-Event-ID": after})
    assert parse_sse(tail.text) == events[2:]
    done = await client.get(url, headers={**users.sales, "Last-Event-ID": events[-1].id or ""})
    assert parse_sse(done.text) == []
    bad = await client.get(url, headers={**users.sales, "Last-Event-ID": "not an id"})
    assert bad.status_code == 422
    other = await client.get(url, headers=users.admin)
    assert other.status_code == 404
    unknown = await client.get("/api/chat/runs/nope/events", headers=users.sales)
    assert unknown.status_code == 404
