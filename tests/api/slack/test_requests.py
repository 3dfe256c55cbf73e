"""Slack's requests are verified: signature, fresh timestamp, never twice; no payload echoed."""

from __future__ import annotations

import json
import time

import httpx
from fastapi import FastAPI

from tests.api.slack.conftest import TEAM, SlackSender, signature, signed_headers
from tests.support.fake_slack import FakeSlack

CHALLENGE = {"token": "x", "challenge": "challenge-token-42", "type": "url_verification"}


def _body(marker: str = "secret-marker-in-payload") -> bytes:
    return json.dumps(
        {
            "team_id": TEAM,
            "type": "event_callback",
            "event_id": "Ev1",
            "event": {
                "type": "app_mention",
                "user": "U1",
                "text": marker,
                "ts": "1.1",
                "channel": "C1",
            },
        }
    ).encode()


async def test_a_signed_url_verification_is_answered(client: httpx.AsyncClient) -> None:
    body = json.dumps(CHALLENGE).encode()
    response = await client.post(
        "/slack/events", content=body, headers=signed_headers(body, "application/json")
    )
    assert response.status_code == 200
    assert response.json() == {"challenge": "challenge-token-42"}


async def test_a_bad_signature_is_refused_without_echo(
    client: httpx.AsyncClient, app: FastAPI, fake_slack: FakeSlack
) -> None:
    body = _body()
    ts = int(time.time())
    wrong = signature(body, ts, secret="not-the-signing-secret")
    for headers in (
        {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": wrong},
        {"X-Slack-Request-Timestamp": str(ts)},
        {},
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": wrong},
    ):
        response = await client.post(
            "/slack/events", content=body, headers={"Content-Type": "application/json", **headers}
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "slack_signature"
        assert "secret-marker-in-payload" not in response.text
    # A body changed after signing fails too.
    headers = signed_headers(body, "application/json")
    tampered = body.replace(b"secret-marker", b"other-marker!")
    response = await client.post("/slack/events", content=tampered, headers=headers)
    assert response.status_code == 401
    await app.state.slack.idle()
    assert fake_slack.calls == []  # nothing reached the Bolt app


async def test_an_old_timestamp_is_refused(client: httpx.AsyncClient) -> None:
    body = _body()
    old = int(time.time()) - 10 * 60
    response = await client.post(
        "/slack/events",
        content=body,
        headers=signed_headers(body, "application/json", timestamp=old),
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "slack_replay"


async def test_a_replayed_request_is_refused(client: httpx.AsyncClient, app: FastAPI) -> None:
    body = json.dumps(CHALLENGE).encode()
    headers = signed_headers(body, "application/json")
    first = await client.post("/slack/events", content=body, headers=headers)
    assert first.status_code == 200
    again = await client.post("/slack/events", content=body, headers=headers)
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "slack_replay"
    assert "challenge-token-42" not in again.text


async def test_requests_are_rate_limited(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.settings.rate_limit_slack = "3/minute"
    codes = []
    for _ in range(4):
        body = json.dumps(CHALLENGE).encode()
        response = await client.post(
            "/slack/events", content=body, headers=signed_headers(body, "application/json")
        )
        codes.append(response.status_code)
        time.sleep(1.01)  # a new timestamp, so a new signature: not a replay
    assert codes == [200, 200, 200, 429]


async def test_off_without_both_settings_or_a_public_url(sender: SlackSender) -> None:
    from salesbot.app import create_app
    from salesbot.settings import Settings

    settings: Settings = sender.app.state.settings
    for change in ({"slack_signing_secret": None}, {"slack_bot_token": None}, {"public_url": None}):
        off = create_app(settings.model_copy(update=change))
        async with off.router.lifespan_context(off):
            transport = httpx.ASGITransport(app=off)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                body = json.dumps(CHALLENGE).encode()
                response = await client.post(
                    "/slack/events", content=body, headers=signed_headers(body, "application/json")
                )
        assert response.status_code == 404, change
        assert response.json()["error"]["code"] == "slack_off"
