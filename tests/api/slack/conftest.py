"""The app with its Slack channel on, a fake Slack Web API on loopback, and signed requests."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI

from salesbot.settings import Settings
from tests.conftest import Stack, make_settings
from tests.support.fake_slack import FakeSlack

TOKEN = "xoxb-test-bot-token"
SECRET = "test-signing-secret-0123456789abcdef"
TEAM = "T1"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(token=TOKEN)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def settings(stack: Stack, tmp_path: Path, fake_slack: FakeSlack) -> Settings:
    return make_settings(
        stack,
        tmp_path / "data",
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_base_url=fake_slack.api_url,
        public_url="http://salesbot.test",
    )


def slack_user(slack_id: str, email: str, *, confirmed: bool = True) -> dict[str, Any]:
    return {"id": slack_id, "is_email_confirmed": confirmed, "profile": {"email": email}}


def signature(body: bytes, timestamp: int, secret: str = SECRET) -> str:
    """What Slack sends: v0= HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: bytes, content_type: str, *, timestamp: int | None = None
) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(body, ts),
    }


class SlackSender:
    """Posts Events API, interactivity and slash-command requests as Slack does, then waits."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client
        self._n = 0

    async def post(self, body: bytes, content_type: str) -> httpx.Response:
        response = await self.client.post(
            "/slack/events", content=body, headers=signed_headers(body, content_type)
        )
        await self.app.state.slack.idle()
        return response

    async def event(self, event: dict[str, Any]) -> httpx.Response:
        self._n += 1
        payload = {
            "token": "unused",
            "team_id": TEAM,
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{self._n}",
            "event_time": int(time.time()),
            "event": event,
        }
        return await self.post(json.dumps(payload).encode(), "application/json")

    async def interaction(self, payload: dict[str, Any]) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self.post(body, "application/x-www-form-urlencoded")

    async def command(self, fields: dict[str, str]) -> httpx.Response:
        body = urlencode(fields).encode()
        return await self.post(body, "application/x-www-form-urlencoded")


@pytest.fixture
def sender(app: FastAPI, client: httpx.AsyncClient) -> SlackSender:
    return SlackSender(app, client)


def dm(user: str, text: str, *, ts: str = "1700000100.000100", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + user[1:],
        "user": user,
        "text": text,
        "ts": ts,
        **extra,
    }
