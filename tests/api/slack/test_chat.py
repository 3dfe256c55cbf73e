"""DMs and mentions reach the assistant; files go both ways; unlinked users are told how to link."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from salesbot.conversations.models import Conversation, Message
from salesbot.files import service as files
from salesbot.files.models import FileRecord
from tests.api.assistant.conftest import seed_locations
from tests.api.booking_orders.conftest import BO_PDF_LINES, World, make_world, text_pdf
from tests.api.slack.conftest import SlackSender, dm, slack_user
from tests.support.fake_slack import FakeSlack


async def _world(app: FastAPI, fake: FakeSlack) -> World:
    world = await make_world(app)
    await seed_locations(app)
    for key in ("sales", "coord", "hos", "finance", "viewer"):
        fake.users[f"U{key.upper()}"] = slack_user(f"U{key.upper()}", f"{key}@example.com")
    return world


def _start(app: FastAPI) -> str:
    zone = ZoneInfo(app.state.settings.timezone)
    return (datetime.now(zone).date() + timedelta(days=30)).strftime("%d %B %Y")


@pytest.mark.jobs
async def test_dm_makes_a_proposal_with_files_in_the_thread(
    app: FastAPI, client: httpx.AsyncClient, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    world = await _world(app, fake_slack)
    text = f"landmark proposal for Nike, {_start(app)}, 2 weeks, 1.5M"
    response = await sender.event(dm("USALES", text, ts="1700000100.000100"))
    assert response.status_code == 200
    # One status message in the thread, updated as work progresses, ending as the answer.
    (posted,) = fake_slack.called("chat.postMessage")
    assert posted.args["thread_ts"] == "1700000100.000100"
    assert posted.args["channel"] == "DSALES"
    updates = fake_slack.called("chat.update")
    assert len(updates) >= 2
    assert all(u.args["ts"] == updates[0].args["ts"] for u in updates)
    assert "create separate proposals" in updates[0].args["text"]
    assert "Nike" in updates[-1].args["text"]
    # files_upload_v2: get an upload URL, send the bytes there, complete into the thread.
    sequence = [
        m
        for m in fake_slack.sequence()
        if m in ("files.getUploadURLExternal", "upload", "files.completeUploadExternal")
    ]
    assert sequence[:3] == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    completes = fake_slack.called("files.completeUploadExternal")
    assert {c.args["thread_ts"] for c in completes} == {"1700000100.000100"}
    assert {c.args["channel_id"] for c in completes} == {"DSALES"}
    names = [c.args["filename"] for c in fake_slack.called("files.getUploadURLExternal")]
    assert any(n.endswith(".pptx") for n in names) and any(n.endswith(".pdf") for n in names)
    # The uploaded bytes are the stored proposal files, byte for byte.
    async with app.state.db.sessions() as session:
        records = (
            await session.execute(select(FileRecord).where(FileRecord.owner_id == world.sales.id))
        ).scalars()
        stored = {r.safe_name: await files.read_bytes(app.state.storage, r) for r in records}
    for call, data in zip(
        fake_slack.called("files.getUploadURLExternal"), fake_slack.uploads.values(), strict=True
    ):
        assert stored[call.args["filename"]] == data
    # The thread is a conversation the web UI lists.
    listed = await client.get("/api/conversations", headers=world.sales.headers)
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 1


async def test_slack_retries_are_not_handled_twice(
    app: FastAPI, client: httpx.AsyncClient, fake_slack: FakeSlack
) -> None:
    import json
    import time

    from tests.api.slack.conftest import TEAM, signed_headers

    await _world(app, fake_slack)
    payload = {
        "team_id": TEAM,
        "type": "event_callback",
        "event_id": "Ev9",
        "event": dm("USALES", "hello"),
    }
    body = json.dumps(payload).encode()
    headers = signed_headers(body, "application/json", timestamp=int(time.time()))
    retry = {**headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    response = await client.post("/slack/events", content=body, headers=retry)
    await app.state.slack.idle()
    assert response.status_code == 200
    assert fake_slack.called("chat.postMessage") == []


async def test_a_reply_in_the_thread_continues_the_conversation(
    app: FastAPI, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    world = await _world(app, fake_slack)
    await sender.event(dm("USALES", "hello", ts="1700000200.000100"))
    await sender.event(
        dm("USALES", "thanks", ts="1700000300.000100", thread_ts="1700000200.000100")
    )
    async with app.state.db.sessions() as session:
        conversations = (
            (
                await session.execute(
                    select(Conversation).where(Conversation.user_id == world.sales.id)
                )
            )
            .scalars()
            .all()
        )
        assert len(conversations) == 1
        messages = (
            (
                await session.execute(
                    select(Message.content)
                    .where(Message.conversation_id == conversations[0].id, Message.role == "user")
                    .order_by(Message.created_at)
                )
            )
            .scalars()
            .all()
        )
    assert list(messages) == ["hello", "thanks"]


async def test_an_unlinked_user_gets_a_one_time_link_and_nothing_else(
    app: FastAPI, client: httpx.AsyncClient, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    world = await _world(app, fake_slack)
    # Slack has not confirmed this address: it proves nothing.
    fake_slack.users["UNEW"] = slack_user("UNEW", "sales2@example.com", confirmed=False)
    await sender.event(dm("UNEW", "hello", ts="1700000400.000100"))
    (told,) = fake_slack.called("chat.postMessage")
    assert told.args["channel"] == "UNEW"
    assert "connect your Slack account" in told.args["text"]
    assert fake_slack.called("chat.update") == []
    async with app.state.db.sessions() as session:
        assert (await session.execute(select(Conversation))).first() is None
    code = re.search(r"#slack-link=(\S+?)[ )]", told.args["text"])
    assert code is not None
    confirm = await client.post(
        "/api/me/slack/link", json={"code": code.group(1)}, headers=world.sales2.headers
    )
    assert confirm.status_code == 200, confirm.text
    assert confirm.json()["slack_user_id"] == "UNEW"
    again = await client.post(
        "/api/me/slack/link", json={"code": code.group(1)}, headers=world.sales.headers
    )
    assert again.status_code == 422  # one time only
    assert code.group(1) not in again.text
    mine = await client.get("/api/me/slack", headers=world.sales2.headers)
    assert [i["slack_user_id"] for i in mine.json()["items"]] == ["UNEW"]
    await sender.event(dm("UNEW", "hello", ts="1700000500.000100"))
    async with app.state.db.sessions() as session:
        owner = (await session.execute(select(Conversation.user_id))).scalar_one()
    assert owner == world.sales2.id
    gone = await client.delete("/api/me/slack", headers=world.sales2.headers)
    assert gone.status_code == 204
    assert (await client.get("/api/me/slack", headers=world.sales2.headers)).json()["items"] == []


async def test_a_booking_order_pdf_dropped_in_becomes_a_draft(
    app: FastAPI, client: httpx.AsyncClient, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    world = await _world(app, fake_slack)
    pdf = fake_slack.serve_file("bo.pdf", text_pdf(BO_PDF_LINES), "application/pdf")
    await sender.event(
        dm(
            "USALES",
            "booking order for Viola",
            ts="1700000600.000100",
            subtype="file_share",
            files=[pdf],
        )
    )
    listed = await client.get("/api/booking-orders", headers=world.sales.headers)
    (bo,) = listed.json()["items"]
    assert (bo["state"], bo["client"], bo["company"]["code"]) == ("draft", "Nike", "viola")
    final = fake_slack.called("chat.update")[-1].args["text"]
    assert "Draft booking order for Nike (Viola)" in final
    assert f"/booking-orders/{bo['id']}" in final


async def test_a_dropped_file_goes_through_upload_validation(
    app: FastAPI, client: httpx.AsyncClient, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    world = await _world(app, fake_slack)
    fake = fake_slack.serve_file("bo.pdf", b"MZ\x90\x00 not a pdf at all" * 50, "application/pdf")
    await sender.event(
        dm(
            "USALES",
            "booking order for Viola",
            ts="1700000700.000100",
            subtype="file_share",
            files=[fake],
        )
    )
    final = fake_slack.called("chat.update")[-1].args["text"]
    assert final == "File type not allowed: Windows program in a .pdf file"
    async with app.state.db.sessions() as session:
        assert (
            await session.execute(select(FileRecord).where(FileRecord.owner_id == world.sales.id))
        ).first() is None
    listed = await client.get("/api/booking-orders", headers=world.sales.headers)
    assert listed.json()["items"] == []


async def test_a_viewer_cannot_chat_from_slack_either(
    app: FastAPI, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    await _world(app, fake_slack)
    await sender.event(dm("UVIEWER", "hello", ts="1700000800.000100"))
    final = fake_slack.called("chat.update")[-1].args["text"]
    assert final == "You do not have permission to do this."
    async with app.state.db.sessions() as session:
        assert (await session.execute(select(Conversation))).first() is None


async def test_a_dropped_creative_reaches_the_assistant_as_an_attachment(
    app: FastAPI, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    from tests.api.booking_orders.conftest import png_bytes

    world = await _world(app, fake_slack)
    image = fake_slack.serve_file("creative.png", png_bytes(), "image/png")
    await sender.event(
        dm("USALES", "hello", ts="1700000900.000100", subtype="file_share", files=[image])
    )
    async with app.state.db.sessions() as session:
        (record,) = (
            await session.execute(select(FileRecord).where(FileRecord.owner_id == world.sales.id))
        ).scalars()
        (asked,) = (await session.execute(select(Message).where(Message.role == "user"))).scalars()
    assert record.kind == "png" and record.original_name == "creative.png"
    assert [a["file_id"] for a in asked.attachments or []] == [str(record.id)]
    assert fake_slack.called("chat.update")[-1].args["text"] != "Working on it…"


async def test_a_role_that_must_set_up_two_step_sign_in_is_sent_to_settings_first(
    app: FastAPI, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    await _world(app, fake_slack)
    app.state.settings.mfa_required_roles = ["coordinator"]
    await sender.event(dm("UCOORD", "hello", ts="1700001000.000100"))
    (told,) = fake_slack.called("chat.postMessage")
    assert told.args["text"] == "Your role needs two-step sign-in. Set it up under Settings first."
    async with app.state.db.sessions() as session:
        assert (await session.execute(select(Conversation))).first() is None
    await sender.event(dm("USALES", "hello", ts="1700001100.000100"))
    assert fake_slack.called("chat.update")  # other roles carry on


async def test_a_colleague_cannot_continue_someone_elses_thread(
    app: FastAPI, sender: SlackSender, fake_slack: FakeSlack
) -> None:
    world = await _world(app, fake_slack)
    mention = {
        "type": "app_mention",
        "channel": "CSALES",
        "user": "USALES",
        "text": "<@UBOT> hello",
    }
    await sender.event(mention | {"ts": "1700002000.000100"})
    await sender.event(
        mention
        | {"user": "UCOORD", "text": "<@UBOT> thanks", "ts": "1700002100.000100"}
        | {"thread_ts": "1700002000.000100"}
    )
    final = fake_slack.called("chat.update")[-1]
    assert final.args["text"].startswith("This thread is a colleague's conversation")
    async with app.state.db.sessions() as session:
        (conversation,) = (await session.execute(select(Conversation))).scalars()
        contents = (
            (await session.execute(select(Message.content).where(Message.role == "user")))
            .scalars()
            .all()
        )
    assert conversation.user_id == world.sales.id
    assert list(contents) == ["hello"]
