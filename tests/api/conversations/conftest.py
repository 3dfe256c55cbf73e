"""Signed-in clients and direct message seeding for the conversation tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from salesbot.conversations import repository
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
    return Users(
        seeded,
        sales=bearer(app, seeded.sales.id),
        admin=bearer(app, seeded.admin.id),
        viewer=bearer(app, seeded.viewer.id),
    )


async def new_conversation(client: httpx.AsyncClient, headers: dict[str, str], title: str) -> str:
    response = await client.post("/api/conversations", json={"title": title}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def add_messages(
    app: FastAPI, conversation_id: str, contents: list[str], *, role: str = "user"
) -> list[uuid.UUID]:
    """Append messages straight through the repository (one INSERT each)."""
    ids = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with app.state.db.sessions() as session:
        for n, content in enumerate(contents):
            message = await repository.append_message(
                session,
                conversation_id=uuid.UUID(conversation_id),
                role=role,
                content=content,
                now=start + timedelta(seconds=n),
            )
            ids.append(message.id)
        await session.commit()
    return ids
