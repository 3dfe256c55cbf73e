"""Signed-in users, an SSE reader and scripted models for the assistant tests."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from salesbot.assistant.chat import Assistant
from salesbot.conversations.models import Message
from tests.api.auth.conftest import Seeded, seed_accounts
from tests.support.auth import bearer


@dataclass(frozen=True)
class Users:
    seeded: Seeded
    sales: dict[str, str]
    admin: dict[str, str]
    viewer: dict[str, str]


@pytest.fixture
async def users(app: FastAPI) -> Users:
    seeded = await seed_accounts(app)
    await seed_locations(app)
    return Users(
        seeded,
        sales=bearer(app, seeded.sales.id),
        admin=bearer(app, seeded.admin.id),
        viewer=bearer(app, seeded.viewer.id),
    )


async def seed_locations(app: FastAPI) -> None:
    """The Landmark (digital) and UAE21 (static) in the seeded company's catalogue."""
    from salesbot.locations import service as locations
    from salesbot.users import repository as users_repository

    async with app.state.db.sessions() as session:
        company = await users_repository.company_by_code(session, "backlite")
        assert company is not None
        for key, name, kind in (
            ("landmark", "The Landmark", "digital"),
            ("uae21", "UAE21", "static"),
        ):
            await locations.upsert_location(
                session, company_id=company.id, key=key, display_name=name, display_type=kind
            )
        await session.commit()


@dataclass(frozen=True)
class Sse:
    id: str | None
    event: str
    data: dict[str, Any]


def parse_sse(text: str) -> list[Sse]:
    """Events of a text/event-stream body (comments such as keep-alive pings are skipped)."""
    events: list[Sse] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value
        if "event" in fields or "data" in fields:
            data = json.loads(fields["data"]) if fields.get("data") else {}
            events.append(Sse(fields.get("id"), fields.get("event", "message"), data))
    return events


async def iter_sse(response: httpx.Response) -> AsyncIterator[Sse]:
    """Events as they arrive on a streamed response."""
    buffer = ""
    async for chunk in response.aiter_text():
        buffer += chunk.replace("\r\n", "\n")
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            for item in parse_sse(block + "\n\n"):
                yield item


async def chat(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    message: str,
    *,
    conversation_id: str | None = None,
    file_ids: list[str] | None = None,
) -> list[Sse]:
    body: dict[str, Any] = {"message": message}
    if conversation_id:
        body["conversation_id"] = conversation_id
    if file_ids:
        body["file_ids"] = file_ids
    response = await client.post("/api/chat", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_sse(response.text)


def text_of(events: list[Sse]) -> str:
    return "".join(e.data["text"] for e in events if e.event == "delta")


def conversation_of(events: list[Sse]) -> str:
    return str(events[0].data["conversation_id"])


def assistant_of(app: FastAPI) -> Assistant:
    assistant: Assistant = app.state.assistant
    return assistant


async def stored(app: FastAPI, conversation_id: str) -> list[Message]:
    async with app.state.db.sessions() as session:
        stmt = (
            select(Message)
            .where(Message.conversation_id == uuid.UUID(conversation_id))
            .order_by(Message.id)
        )
        return list((await session.execute(stmt)).scalars())
