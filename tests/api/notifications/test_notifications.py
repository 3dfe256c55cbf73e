"""In-app notifications, and their e-mail (local SMTP server) and Slack (local receiver) copies."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI

from salesbot.notifications import service
from salesbot.notifications.delivery import slack_text
from salesbot.notifications.service import Recipient
from tests.api.booking_orders.conftest import World, act, make_world, new_bo
from tests.conftest import Stack, make_settings

pytestmark = pytest.mark.jobs


def _bound_socket() -> socket.socket:
    """A loopback socket bound here, so no other process can take its port meanwhile."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


class _BoundController(Controller):
    """aiosmtpd's threaded SMTP server, serving on a socket bound before it starts."""

    def __init__(self, handler: Any, sock: socket.socket) -> None:
        # A generous start-up wait: on a loaded machine the default can pass before it is up.
        super().__init__(
            handler, hostname="127.0.0.1", port=sock.getsockname()[1], ready_timeout=60
        )
        self._sock = sock

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


class _Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"

    async def delivered(self, count: int = 1, timeout_s: float = 60.0) -> None:
        """Wait until `count` messages arrived (mail sent by a job arrives after the request)."""
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} e-mails arrived"
            await asyncio.sleep(0.02)


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox()
    sock = _bound_socket()
    port: int = sock.getsockname()[1]
    controller = _BoundController(inbox, sock)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def slack() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            received.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/services/T000/B000/secret", received
    finally:
        server.shutdown()
        server.server_close()


async def _app(stack: Stack, tmp_path: Path, **overrides: object) -> AsyncIterator[FastAPI]:
    from salesbot.app import create_app

    application = create_app(make_settings(stack, tmp_path / "data", **overrides))
    async with application.router.lifespan_context(application):
        yield application


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_list_count_and_mark_read(client: httpx.AsyncClient, app: FastAPI) -> None:
    world = await make_world(app)
    async with app.state.db.sessions() as session:
        for n in range(3):
            service.notify(
                session,
                [Recipient(world.coord.id, world.coord.email, world.coord.name)],
                kind="test",
                title=f"Note {n}",
                body="Body",
                link=f"/booking-orders/{n}",
            )
        service.notify(
            session,
            [Recipient(world.sales.id, world.sales.email, world.sales.name)],
            kind="test",
            title="Someone else's",
            body="",
        )
        await session.commit()
    headers = world.coord.headers

    page = (await client.get("/api/notifications", params={"limit": 2}, headers=headers)).json()
    assert [n["title"] for n in page["items"]] == ["Note 2", "Note 1"]
    assert (page["unread_count"], page["has_more"]) == (3, True)
    rest = await client.get(
        "/api/notifications", params={"cursor": page["next_cursor"]}, headers=headers
    )
    assert [n["title"] for n in rest.json()["items"]] == ["Note 0"]

    first = page["items"][0]["id"]
    read = await client.post(f"/api/notifications/{first}/read", headers=headers)
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    count = await client.get("/api/notifications/unread-count", headers=headers)
    assert count.json() == {"unread_count": 2}
    unread = await client.get("/api/notifications", params={"unread": True}, headers=headers)
    assert [n["title"] for n in unread.json()["items"]] == ["Note 1", "Note 0"]

    theirs = (await client.get("/api/notifications", headers=world.sales.headers)).json()
    other = theirs["items"][0]["id"]
    assert (
        await client.post(f"/api/notifications/{other}/read", headers=headers)
    ).status_code == 404

    marked = await client.post("/api/notifications/read-all", headers=headers)
    assert marked.json() == {"marked": 2, "unread_count": 0}
    after = await client.get("/api/notifications/unread-count", headers=world.sales.headers)
    assert after.json() == {"unread_count": 1}
    assert (await client.get("/api/notifications")).status_code == 401


async def test_the_next_actor_gets_an_email_and_slack_hears_of_it(
    stack: Stack,
    tmp_path: Path,
    smtp: tuple[int, _Inbox],
    slack: tuple[str, list[dict[str, Any]]],
) -> None:
    port, inbox = smtp
    webhook, posts = slack
    async for app in _app(
        stack,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="Sales Bot <bot@example.com>",
        slack_webhook_url=webhook,
        public_url="https://sales.example.com",
    ):
        world = await make_world(app)
        async with _client(app) as client:
            bo = await new_bo(client, world.sales)
            response = await act(client, world.sales, bo["id"], "submit")
            assert response.status_code == 200

    [(recipients, message)] = inbox.messages
    assert recipients == [world.coord.email]
    assert message["Subject"] == "Booking order to review: booking order DPD-112652"
    assert message["From"] == "Sales Bot <bot@example.com>"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Hello Cora Coordinator," in body
    assert f"https://sales.example.com/booking-orders/{bo['id']}" in body

    [post] = posts
    assert post["path"] == "/services/T000/B000/secret"
    assert post["body"]["text"].startswith("*Booking order to review: booking order DPD-112652*")
    assert f"<https://sales.example.com/booking-orders/{bo['id']}|Open" in post["body"]["text"]


async def test_links_in_emails_follow_the_request_origin_without_a_public_url(
    stack: Stack, tmp_path: Path, smtp: tuple[int, _Inbox]
) -> None:
    port, inbox = smtp
    async for app in _app(
        stack,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="Sales Bot <bot@example.com>",
    ):
        assert app.state.settings.public_url is None
        world = await make_world(app)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bot.office.lan:8123"
        ) as client:
            bo = await new_bo(client, world.sales)
            response = await act(client, world.sales, bo["id"], "submit")
            assert response.status_code == 200

    [(_, message)] = inbox.messages
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"http://bot.office.lan:8123/booking-orders/{bo['id']}" in body


async def test_delivery_failures_never_fail_the_action(stack: Stack, tmp_path: Path) -> None:
    with _bound_socket() as refusing:  # bound but never listening: connections are refused
        closed: int = refusing.getsockname()[1]
        async for app in _app(
            stack,
            tmp_path,
            smtp_host="127.0.0.1",
            smtp_port=closed,
            smtp_starttls=False,
            smtp_timeout_s=2,
            slack_webhook_url=f"http://127.0.0.1:{closed}/hook",
        ):
            world: World = await make_world(app)
            async with _client(app) as client:
                bo = await new_bo(client, world.sales)
                response = await act(client, world.sales, bo["id"], "submit")
                assert response.status_code == 200
                notes = await client.get("/api/notifications", headers=world.coord.headers)
                assert notes.json()["unread_count"] == 1


def test_slack_text_escapes_markup() -> None:
    assert slack_text("A <b> & c", "x > y", None) == "*A &lt;b&gt; &amp; c*\nx &gt; y"
    assert slack_text("T", "B", "https://x/1") == "*T*\nB\n<https://x/1|Open in Sales Proposal Bot>"
