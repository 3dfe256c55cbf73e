"""Attachments on POST /api/chat: stored with the message, given to tools, shown to the model."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from PIL import Image
from pydantic_ai.messages import BinaryContent, ModelMessage, ModelRequest, UserPromptPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from tests.api.assistant.conftest import Users, assistant_of, chat, conversation_of, stored


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


async def upload(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    response = await client.post(
        "/api/files",
        files=[
            ("files", ("creative.png", png(), "image/png")),
            ("files", ("brief.txt", b"Client Viola wants the landmark in May.", "text/plain")),
        ],
        headers=headers,
    )
    assert response.status_code in (200, 201), response.text
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return [str(item["id"]) for item in items]


async def test_attachments_reach_the_model_and_are_stored(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    file_ids = await upload(client, users.sales)
    seen: list[list[ModelMessage]] = []

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        seen.append(messages)
        yield "Got your files."

    assistant = assistant_of(app)
    assistant.provider = FunctionModel(stream_function=stream, model_name="scripted")
    events = await chat(client, users.sales, "please look at these", file_ids=file_ids)
    assert events[-1].event == "message_end"
    request = seen[0][-1]
    assert isinstance(request, ModelRequest)
    prompt = next(p for p in request.parts if isinstance(p, UserPromptPart))
    content = list(prompt.content)
    assert content[0] == "please look at these"
    image = next(c for c in content if isinstance(c, BinaryContent))
    assert image.media_type.startswith("image/")
    document = next(c for c in content[1:] if isinstance(c, str))
    assert document.startswith("Attached document brief.txt:")
    assert "Client Viola wants the landmark in May." in document
    messages = await stored(app, conversation_of(events))
    attached = messages[0].attachments or []
    assert [a["name"] for a in attached] == ["creative.png", "brief.txt"]
    assert [a["file_id"] for a in attached] == file_ids


async def test_someone_elses_file_cannot_be_attached(
    client: httpx.AsyncClient, users: Users
) -> None:
    theirs = await upload(client, users.admin)
    response = await client.post(
        "/api/chat", json={"message": "hi", "file_ids": theirs[:1]}, headers=users.sales
    )
    assert response.status_code == 422
    assert "upload the file again" in response.json()["error"]["message"]


async def test_offline_booking_order_intake_sees_the_attachment(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    without = await chat(client, users.sales, "booking order for Viola, upload fee is 2000")
    file_ids = await upload(client, users.sales)
    with_file = await chat(
        client, users.sales, "booking order for Viola, upload fee is 2000", file_ids=file_ids[1:]
    )
    asked = "".join(e.data["text"] for e in without if e.event == "delta")
    answered = "".join(e.data["text"] for e in with_file if e.event == "delta")
    assert asked.startswith("Please attach the booking order")
    assert "Please attach" not in answered
    started = [e.data["tool"] for e in with_file if e.event == "tool_started"]
    assert started == ["parse_booking_order"] or answered == (
        "Sorry, I can't read booking orders yet."
    )
