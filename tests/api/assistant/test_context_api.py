"""Context management end to end: over the token budget, older turns become a stored summary."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    SystemPromptPart,
    TextPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from sqlalchemy import select

from salesbot.assistant.models import UsageRecord
from salesbot.conversations.models import ConversationSummary
from salesbot.settings import Settings
from tests.api.assistant.conftest import Users, assistant_of, chat, conversation_of
from tests.conftest import Stack, make_settings


@pytest.fixture
def settings(stack: Stack, tmp_path: Path) -> Settings:
    return make_settings(stack, tmp_path / "data", llm_context_tokens=1500)


def recorder(seen: list[list[ModelMessage]]) -> FunctionModel:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        seen.append(messages)
        yield "Noted."

    def plain(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        text = "- Summary written by the model" if "Summarise" in (info.instructions or "") else "T"
        return ModelResponse(parts=[TextPart(text)])

    return FunctionModel(plain, stream_function=stream, model_name="scripted")


async def summaries(app: FastAPI) -> list[ConversationSummary]:
    async with app.state.db.sessions() as session:
        stmt = select(ConversationSummary).order_by(ConversationSummary.id)
        return list((await session.execute(stmt)).scalars())


async def test_offline_long_chat_is_summarised_extractively(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    first = await chat(client, users.sales, "hello " + "word " * 400)
    conversation = conversation_of(first)
    for n in range(3):
        await chat(
            client, users.sales, f"message {n} " + "filler " * 300, conversation_id=conversation
        )
    stored = await summaries(app)
    assert stored, "the budget was exceeded, so a summary was stored"
    assert stored[-1].model == "offline"
    assert "The user asked: hello word" in stored[-1].content


async def test_provider_writes_the_summary_and_replay_uses_it(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    seen: list[list[ModelMessage]] = []
    assistant = assistant_of(app)
    assistant.provider = recorder(seen)
    assistant.model_name = "test:scripted"
    conversation = conversation_of(await chat(client, users.sales, "first " + "long " * 500))
    await chat(client, users.sales, "second " + "long " * 500, conversation_id=conversation)
    await chat(client, users.sales, "third question", conversation_id=conversation)
    last = seen[-1]
    head = last[0]
    assert isinstance(head, ModelRequest) and isinstance(head.parts[0], SystemPromptPart)
    assert "Summary written by the model" in head.parts[0].content
    prompts = [
        p.content
        for m in last
        if isinstance(m, ModelRequest)
        for p in m.parts
        if isinstance(p, UserPromptPart)
    ]
    assert prompts[-1] == "third question"
    assert not any(str(p).startswith("first") for p in prompts), "older turns were replaced"
    stored = await summaries(app)
    assert stored[-1].model == "test:scripted"
    async with app.state.db.sessions() as session:
        kinds = (await session.execute(select(UsageRecord.call_type))).scalars().all()
    assert "summary" in kinds and "title" in kinds
