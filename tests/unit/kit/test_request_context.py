"""The request middleware resolves the client IP once; audit rows read it from the context."""

from __future__ import annotations

import asyncio
import contextvars
import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Receive, Scope, Send

from salesbot.kit.client_ip import parse_networks
from salesbot.kit.middleware import RequestContextMiddleware
from salesbot.kit.request_context import current_client_ip, set_client_ip
from salesbot.users import audit
from salesbot.users.models import AuditEvent


async def _seen_ip(peer: str, forwarded: str, trusted: list[str]) -> str | None:
    seen: list[str | None] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(current_client_ip())
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    networks = parse_networks(trusted)
    middleware = RequestContextMiddleware(app, trusted_networks=lambda: networks)
    scope: Scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "client": (peer, 5000),
        "headers": [(b"x-forwarded-for", forwarded.encode())],
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    async def send(message: object) -> None:
        return None

    # A task of its own, so the IP set inside does not leak into this test's context.
    await asyncio.create_task(middleware(scope, receive, send))
    return seen[0]


async def test_the_middleware_believes_forwarded_for_only_from_a_trusted_proxy() -> None:
    assert await _seen_ip("10.1.2.3", "198.51.100.20", ["10.0.0.0/8"]) == "198.51.100.20"
    assert await _seen_ip("198.51.100.7", "203.0.113.9", ["10.0.0.0/8"]) == "198.51.100.7"
    assert await _seen_ip("10.1.2.3", "203.0.113.9", []) == "10.1.2.3"


def _recorded_in(ip: str | None) -> AuditEvent:
    def run() -> AuditEvent:
        set_client_ip(ip)
        actor = audit.ActorRef(uuid.UUID(int=1), "a@example.com")
        target = audit.Target("invite", uuid.UUID(int=2))
        return audit.record(AsyncSession(), actor, "invite_created", target, {"n": 1})

    return contextvars.copy_context().run(run)


def test_record_stores_the_actor_target_and_the_request_ip() -> None:
    event = _recorded_in("198.51.100.20")
    assert (event.actor_id, event.actor_email) == (uuid.UUID(int=1), "a@example.com")
    assert (event.target_type, event.target_id) == ("invite", str(uuid.UUID(int=2)))
    assert (event.action, event.ip, event.details) == ("invite_created", "198.51.100.20", {"n": 1})


def test_record_outside_a_request_stores_no_ip_and_anonymous_events_no_actor() -> None:
    assert _recorded_in(None).ip is None
    event = audit.record(AsyncSession(), None, "login_failed")
    assert (event.actor_id, event.actor_email, event.target_type, event.target_id) == (
        None,
        None,
        None,
        None,
    )
