"""`send it to nike@example.com` in chat (offline model → share_proposal), and the e-mail."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.api.locations.support import make_team, seed_catalogue
from tests.api.notifications.test_notifications import (
    _app,
    _bound_socket,
    _BoundController,
    _client,
    _Inbox,
)
from tests.api.sharing.conftest import make_proposal
from tests.conftest import Stack

pytestmark = pytest.mark.jobs


def _events(stream: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for block in stream.split("\n\n"):
        event = re.search(r"^event: (.+)$", block, re.M)
        data = re.search(r"^data: (.+)$", block, re.M)
        if event and data:
            found.append((event.group(1), json.loads(data.group(1))))
    return found


@pytest.fixture
def inbox() -> Iterator[tuple[int, _Inbox]]:
    box = _Inbox()
    sock = _bound_socket()
    controller = _BoundController(box, sock)
    controller.start()
    try:
        yield sock.getsockname()[1], box
    finally:
        controller.stop()


async def test_send_it_in_chat_makes_and_emails_the_link(
    stack: Stack, tmp_path: Path, inbox: tuple[int, _Inbox]
) -> None:
    port, box = inbox
    overrides = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    async for app in _app(stack, tmp_path, **overrides):
        async with _client(app) as client:
            team = await make_team(app)
            await seed_catalogue(client, team.admin)
            proposal = await make_proposal(client, team.sales)
            chat = await client.post(
                "/api/chat",
                json={"message": "send it to Buyer@Nike.example, pin 4821"},
                headers=team.sales.headers,
            )
            assert chat.status_code == 200, chat.text
            results = [d for e, d in _events(chat.text) if e == "tool_result"]
            assert [r["tool"] for r in results] == ["share_proposal"], chat.text
            data = results[0]["data"]
            assert data["proposal_id"] == proposal["id"] and data["emailed"] is True
            assert data["recipient_email"] == "buyer@nike.example"
            links = await client.get(
                f"/api/proposals/{proposal['id']}/shares", headers=team.sales.headers
            )
            (link,) = links.json()
            assert link["has_pin"] is True and link["emailed_at"] is not None
            # The e-mail (sent by a job) carries the link (never the PIN); it opens the PIN form.
            await box.delivered()
            (recipients, message), *_ = box.messages
            assert recipients == ["buyer@nike.example"]
            payload = message.get_payload(decode=True)
            assert isinstance(payload, bytes)
            body = payload.decode()
            assert data["url"] in body and "4821" not in body and "PIN" in body
            path = urlsplit(data["url"]).path
            page = await client.get(path)
            assert page.status_code == 200 and "Enter the PIN" in page.text

            viewer = await client.post(
                "/api/chat",
                json={"message": "send it to x@nike.example"},
                headers=team.viewer.headers,
            )
            assert "share_proposal" not in [
                d.get("tool") for e, d in _events(viewer.text) if e == "tool_result"
            ]
            still = await client.get(
                f"/api/proposals/{proposal['id']}/shares", headers=team.sales.headers
            )
            assert len(still.json()) == 1
