"""Runs with scripted models: progress, heartbeats, disconnect and resume, provider fallback."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel
from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel
from sqlalchemy import select

from salesbot.assistant.models import UsageRecord
from salesbot.assistant.runs import HEARTBEAT, RunEvent
from salesbot.kit.tools import FileCard, Tool, ToolContext, ToolResult
from salesbot.settings import Settings
from tests.api.assistant.conftest import (
    Sse,
    Users,
    assistant_of,
    chat,
    conversation_of,
    iter_sse,
    parse_sse,
    stored,
    text_of,
)
from tests.conftest import Stack, make_settings


@pytest.fixture
def settings(stack: Stack, tmp_path: Path) -> Settings:
    return make_settings(stack, tmp_path / "data", chat_heartbeat_s=0.2)


class NoArgs(BaseModel):
    pass


def install_slow_tool(app: FastAPI, gate: asyncio.Event) -> None:
    async def slow_work(ctx: ToolContext[Any], args: NoArgs) -> ToolResult:
        await ctx.progress(10, "Starting the slow work")
        await gate.wait()
        await ctx.progress(90, "Almost there")
        card = FileCard(
            file_id=uuid.uuid4(),
            name="result.pdf",
            content_type="application/pdf",
            size=1234,
            download_url="/api/files/x/content",
        )
        return ToolResult(summary="The slow work is done.", data={"pages": 3}, files=[card])

    assistant_of(app).registry["slow_work"] = Tool(
        "slow_work", "Does slow work", "conversations:read", NoArgs, slow_work
    )


def scripted(tool: str = "slow_work") -> FunctionModel:
    """Calls `tool` once, then answers with its summary."""

    async def stream(
        messages: list[ModelMessage], info: AgentInfo
    ) -> AsyncIterator[str | DeltaToolCalls]:
        returns = [p for p in messages[-1].parts if isinstance(p, ToolReturnPart)]
        if returns:
            yield "All done: "
            content: Any = returns[0].content
            yield str(content["summary"])
            return
        assert tool in [t.name for t in info.function_tools]
        yield {0: DeltaToolCall(name=tool, json_args="{}", tool_call_id="call-1")}

    def title(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart('"Title: Slow work."')])

    return FunctionModel(title, stream_function=stream, model_name="scripted")


def use_model(app: FastAPI, model: FunctionModel, label: str = "test:scripted") -> None:
    assistant = assistant_of(app)
    assistant.provider = model
    assistant.model_name = label


def open_on_heartbeat_during_tool(
    app: FastAPI, gate: asyncio.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Open `gate` once a follower has had a heartbeat after the tool's first progress: the
    tool then provably worked through a heartbeat, however slow the machine is."""
    runs = assistant_of(app).runs
    follow = runs.follow

    async def watched(
        run_id: str, *, after: str | None, heartbeat_s: float
    ) -> AsyncIterator[RunEvent]:
        working = False
        async for item in follow(run_id, after=after, heartbeat_s=heartbeat_s):
            working = working or item.event == "tool_progress"
            if working and item.event == HEARTBEAT:
                gate.set()
            yield item

    monkeypatch.setattr(runs, "follow", watched)


async def test_progress_heartbeats_and_file_cards(
    client: httpx.AsyncClient, users: Users, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = asyncio.Event()
    install_slow_tool(app, gate)
    open_on_heartbeat_during_tool(app, gate, monkeypatch)
    use_model(app, scripted())

    events = await chat(client, users.sales, "do the slow work")
    kinds = [e.event for e in events]
    # Heartbeats may come between any two events (e.g. while the model thinks on a slow
    # machine); the real events keep their order.
    real = [kind for kind in kinds if kind != "heartbeat"]
    assert real[:2] == ["message_start", "tool_started"]
    progress = [e.data for e in events if e.event == "tool_progress"]
    assert [(p["percent"], p["message"]) for p in progress] == [
        (10, "Starting the slow work"),
        (90, "Almost there"),
    ]
    assert all(p["tool_call_id"] == "call-1" and p["tool"] == "slow_work" for p in progress)
    beats = [n for n, kind in enumerate(kinds) if kind == "heartbeat"]
    first_progress = kinds.index("tool_progress")
    assert [n for n in beats if n > first_progress], "heartbeats flow while the tool works"
    # A heartbeat repeats the last real id, so resuming after one loses nothing.
    for n in beats:
        last_real = next(e for e in reversed(events[:n]) if e.event != "heartbeat")
        assert events[n].id == last_real.id
    result = next(e for e in events if e.event == "tool_result").data
    assert result["files"][0]["name"] == "result.pdf"
    assert result["data"] == {"pages": 3}
    assert text_of(events) == "All done: The slow work is done."
    assert events[-1].data["title"] == "Slow work"  # written by the model, cleaned
    messages = await stored(app, conversation_of(events))
    assert messages[2].attachments and messages[2].attachments[0]["name"] == "result.pdf"


async def test_provider_failure_falls_back_to_offline_with_a_notice(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    async def broken(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        raise ModelHTTPError(503, "scripted", body={"error": "overloaded"})
        yield ""  # pragma: no cover - makes this an async generator

    use_model(app, FunctionModel(stream_function=broken, model_name="scripted"))
    events = await chat(client, users.sales, "hello")
    reply = text_of(events)
    assert reply.startswith("_The AI service is not answering right now")
    assert "Hello! I can build proposals" in reply
    end = events[-1]
    assert end.event == "message_end"
    assert end.data["model"] == "offline"
    assert end.data["notice"].startswith("_The AI service")
    messages = await stored(app, conversation_of(events))
    assert [m.role for m in messages] == ["user", "system", "assistant"]
    assert messages[1].meta["kind"] == "notice"
    async with app.state.db.sessions() as session:
        models = (await session.execute(select(UsageRecord.model))).scalars().all()
    assert list(models) == ["offline"]


async def test_failure_after_a_tool_step_keeps_the_step(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    calls = 0

    async def flaky(
        messages: list[ModelMessage], info: AgentInfo
    ) -> AsyncIterator[str | DeltaToolCalls]:
        nonlocal calls
        calls += 1
        if calls == 1:
            yield {0: DeltaToolCall(name="list_conversations", json_args="{}", tool_call_id="c1")}
            return
        raise ModelHTTPError(500, "scripted")

    use_model(app, FunctionModel(stream_function=flaky, model_name="scripted"))
    events = await chat(client, users.sales, "list my chats")
    assert [e.event for e in events].count("tool_result") == 1
    reply = text_of(events)
    # The offline model answers from the stored tool result instead of redoing the step.
    assert "Your recent conversations" in reply
    messages = await stored(app, conversation_of(events))
    assert [m.role for m in messages] == ["user", "assistant", "tool", "system", "assistant"]


@asynccontextmanager
async def live(app: FastAPI) -> AsyncIterator[str]:
    """The app behind a real HTTP server on loopback (lifespan already running).

    The socket is bound here and handed to uvicorn, so no other process can take the port
    between choosing and binding it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            async with asyncio.timeout(60):  # guards against a hang only
                while not server.started:
                    if task.done():
                        task.result()  # raises what stopped the server
                        raise AssertionError("the server stopped before it started")
                    await asyncio.sleep(0.02)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            async with asyncio.timeout(60):
                await task


async def test_run_survives_disconnect_and_resumes_from_last_event_id(
    users: Users, app: FastAPI
) -> None:
    gate = asyncio.Event()
    install_slow_tool(app, gate)
    use_model(app, scripted())
    async with live(app) as base, httpx.AsyncClient(base_url=base, timeout=60) as client:
        seen: list[Sse] = []
        async with client.stream(
            "POST", "/api/chat", json={"message": "slow please"}, headers=users.sales
        ) as response:
            assert response.status_code == 200
            async for item in iter_sse(response):
                seen.append(item)
                if item.event == "tool_progress":
                    break  # the browser goes away mid-run
        run_id = seen[0].data["run_id"]
        conversation = conversation_of(seen)
        gate.set()
        resumed = await client.get(
            f"/api/chat/runs/{run_id}/events",
            headers={**users.sales, "Last-Event-ID": seen[-1].id or ""},
        )
        rest = [e for e in parse_sse(resumed.text) if e.event != "heartbeat"]
        assert rest[0].event == "tool_progress" and rest[0].data["percent"] == 90
        assert rest[-1].event == "message_end"
        assert not {e.id for e in rest} & {e.id for e in seen}, "nothing is sent twice"
        assert text_of(rest) == "All done: The slow work is done."
    messages = await stored(app, conversation)
    assert [m.role for m in messages] == ["user", "assistant", "tool", "assistant"]
    assert messages[-1].content == "All done: The slow work is done."
