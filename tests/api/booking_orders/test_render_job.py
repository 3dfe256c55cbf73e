"""A storage outage during approval: the approval stands and the render job finishes the files."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesbot.booking_orders import flows
from salesbot.booking_orders.tasks import render_documents
from salesbot.kit.storage import StorageError
from tests.api.booking_orders.conftest import World, act, to_hos_review


async def test_documents_are_finished_by_the_job_after_a_storage_outage(
    client: httpx.AsyncClient,
    app: FastAPI,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bo = await to_hos_review(client, world)

    storage = app.state.storage
    real_put = storage.put

    async def broken_put(key: str, source: Any, content_type: str) -> None:
        raise StorageError("bucket unreachable")

    queued: list[tuple[str, tuple[Any, ...]]] = []

    async def record(name: str, *args: Any) -> str:
        queued.append((name, args))
        return "message-id"

    monkeypatch.setattr(flows, "enqueue", record)
    monkeypatch.setattr(storage, "put", broken_put)
    response = await act(client, world.hos, bo["id"], "approve")
    monkeypatch.setattr(storage, "put", real_put)
    assert response.status_code == 200, response.text
    approved = response.json()
    assert approved["state"] == "approved"
    assert approved["reference"] is not None
    assert approved["final_pdf_file"] is None

    assert queued == [("booking_orders.render", (bo["id"],))]

    # What the worker runs for that message (its own engine and storage, from its settings).
    await render_documents(bo["id"])
    after = await client.get(f"/api/booking-orders/{bo['id']}", headers=world.hos.headers)
    body = after.json()
    assert body["final_pdf_file"] is not None, body
    pdf = await client.get(body["final_pdf_file"]["download_url"], headers=world.finance.headers)
    assert pdf.content.startswith(b"%PDF")
