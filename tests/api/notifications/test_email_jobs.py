"""Notification e-mails go through the `notifications.email` job: retried while the SMTP server
refuses them, delivered once, dead-lettered when it never accepts (a local aiosmtpd server)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from salesbot.notifications.delivery import EMAIL_JOB
from tests.api.booking_orders.conftest import act, make_world, new_bo
from tests.api.notifications.test_notifications import (
    _app,
    _bound_socket,
    _BoundController,
    _client,
    _Inbox,
)
from tests.conftest import Stack

pytestmark = pytest.mark.jobs


class _Flaky(_Inbox):
    """Refuses the first `refusals` deliveries with a temporary error, then keeps messages."""

    def __init__(self, refusals: int) -> None:
        super().__init__()
        self.refusals = refusals
        self.attempts = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.attempts += 1
            if self.attempts <= self.refusals:
                return "451 Try again later"
        return await super().handle_DATA(server, session, envelope)


def _serve(inbox: _Inbox) -> Iterator[int]:
    sock = _bound_socket()
    controller = _BoundController(inbox, sock)
    controller.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        controller.stop()


@pytest.fixture
def flaky() -> Iterator[tuple[int, _Flaky]]:
    inbox = _Flaky(refusals=2)
    for port in _serve(inbox):
        yield port, inbox


def _count(outcome: str) -> float:
    labels = {"actor": EMAIL_JOB}
    return REGISTRY.get_sample_value(f"salesbot_jobs_{outcome}_total", labels) or 0.0


async def _settled(app: FastAPI, outcome: str, count: float) -> None:
    """Until `count` e-mail jobs ended with `outcome` (bounded: fails, never hangs)."""
    with anyio.fail_after(60):
        while _count(outcome) < count:
            await anyio.sleep(0.05)


def _smtp(port: int) -> dict[str, object]:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "smtp_from": "Sales Bot <bot@example.com>",
        "smtp_timeout_s": 5,
    }


async def test_a_refused_email_is_retried_and_delivered_once(
    stack: Stack, tmp_path: Path, flaky: tuple[int, _Flaky]
) -> None:
    port, inbox = flaky
    before = _count("succeeded")
    async for app in _app(stack, tmp_path, **_smtp(port)):
        world = await make_world(app)
        async with _client(app) as client:
            bo = await new_bo(client, world.sales)
            response = await act(client, world.sales, bo["id"], "submit")
            # The action does not wait for the e-mail: the server is still refusing it.
            assert response.status_code == 200
        await _settled(app, "succeeded", before + 1)
    assert inbox.attempts == 3  # refused twice, then accepted
    [(recipients, message)] = inbox.messages
    assert recipients == [world.coord.email]
    assert message["Subject"] == "Booking order to review: booking order DPD-112652"


async def test_an_email_never_accepted_ends_in_the_dead_letter_queue(
    stack: Stack, tmp_path: Path
) -> None:
    inbox = _Flaky(refusals=1_000)
    before = _count("dead_lettered")
    for port in _serve(inbox):
        async for app in _app(stack, tmp_path, **_smtp(port)):
            world = await make_world(app)
            async with _client(app) as client:
                bo = await new_bo(client, world.sales)
                assert (await act(client, world.sales, bo["id"], "submit")).status_code == 200
            await _settled(app, "dead_lettered", before + 1)
            dead = [m for m in app.state.jobs.dead_letters() if m["actor_name"] == EMAIL_JOB]
            assert len(dead) == 1
    assert inbox.messages == []
    assert inbox.attempts == 6  # the first try and MAX_RETRIES (5) retries
