"""Conversation API: ownership, paging, rename/pin/archive, soft delete, messages, export."""

from __future__ import annotations

import json
import uuid

import httpx
from fastapi import FastAPI

from tests.api.conversations.conftest import Users, add_messages, new_conversation


async def test_create_get_and_list_newest_first(client: httpx.AsyncClient, users: Users) -> None:
    first = await new_conversation(client, users.sales, "Nike landmark")
    second = await new_conversation(client, users.sales, "Adidas package")
    got = await client.get(f"/api/conversations/{first}", headers=users.sales)
    assert got.status_code == 200
    assert got.json()["title"] == "Nike landmark"
    assert got.json()["pinned"] is False and got.json()["archived"] is False
    listed = (await client.get("/api/conversations", headers=users.sales)).json()
    assert [c["id"] for c in listed["items"]] == [second, first]
    assert listed["has_more"] is False and listed["next_cursor"] is None


async def test_untitled_conversation_gets_the_default_title(
    client: httpx.AsyncClient, users: Users
) -> None:
    response = await client.post("/api/conversations", json={}, headers=users.sales)
    assert response.status_code == 201
    assert response.json()["title"] == "New conversation"


async def test_users_only_see_their_own_conversations(
    client: httpx.AsyncClient, users: Users
) -> None:
    mine = await new_conversation(client, users.sales, "Mine")
    assert (await client.get(f"/api/conversations/{mine}", headers=users.admin)).status_code == 404
    assert (
        await client.patch(f"/api/conversations/{mine}", json={"title": "x"}, headers=users.admin)
    ).status_code == 404
    assert (
        await client.get(f"/api/conversations/{mine}/messages", headers=users.admin)
    ).status_code == 404
    assert (await client.get("/api/conversations", headers=users.admin)).json()["items"] == []


async def test_viewer_reads_but_cannot_create(client: httpx.AsyncClient, users: Users) -> None:
    assert (await client.get("/api/conversations", headers=users.viewer)).status_code == 200
    response = await client.post("/api/conversations", json={}, headers=users.viewer)
    assert response.status_code == 403
    assert (await client.get("/api/conversations")).status_code == 401


async def test_cursor_pagination_walks_every_conversation_once(
    client: httpx.AsyncClient, users: Users
) -> None:
    created = [await new_conversation(client, users.sales, f"Chat {n}") for n in range(7)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/conversations", params=params, headers=users.sales)).json()
        seen += [c["id"] for c in page["items"]]
        pages += 1
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert pages == 3
    assert seen == list(reversed(created))


async def test_garbage_cursor_is_a_clear_422(client: httpx.AsyncClient, users: Users) -> None:
    for cursor in ("not-a-cursor!!", "eyJ4IjoxfQ"):  # the second decodes to {"x": 1}
        response = await client.get(
            "/api/conversations", params={"cursor": cursor}, headers=users.sales
        )
        assert response.status_code == 422
        assert "cursor" in response.json()["error"]["message"]


async def test_rename_pin_archive_and_filters(client: httpx.AsyncClient, users: Users) -> None:
    a = await new_conversation(client, users.sales, "A")
    b = await new_conversation(client, users.sales, "B")
    renamed = await client.patch(
        f"/api/conversations/{a}",
        json={"title": "  Nike   Q1 plan ", "pinned": True},
        headers=users.sales,
    )
    assert renamed.status_code == 200
    assert renamed.json()["title"] == "Nike Q1 plan"
    assert renamed.json()["pinned"] is True
    archived = await client.patch(
        f"/api/conversations/{b}", json={"archived": True}, headers=users.sales
    )
    assert archived.json()["archived"] is True and archived.json()["archived_at"]

    async def ids(**params: bool) -> list[str]:
        page = await client.get("/api/conversations", params=params, headers=users.sales)
        return [c["id"] for c in page.json()["items"]]

    assert await ids(pinned=True) == [a]
    assert await ids(pinned=False) == [b]
    assert await ids(archived=True) == [b]
    assert await ids(archived=False) == [a]
    unarchived = await client.patch(
        f"/api/conversations/{b}", json={"archived": False}, headers=users.sales
    )
    assert unarchived.json()["archived"] is False and unarchived.json()["archived_at"] is None


async def test_soft_delete_hides_everywhere(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    doomed = await new_conversation(client, users.sales, "Doomed")
    await add_messages(app, doomed, ["zebra crossing billboard"])
    deleted = await client.delete(f"/api/conversations/{doomed}", headers=users.sales)
    assert deleted.status_code == 204
    assert (
        await client.get(f"/api/conversations/{doomed}", headers=users.sales)
    ).status_code == 404
    assert (await client.get("/api/conversations", headers=users.sales)).json()["items"] == []
    hits = await client.get("/api/conversations/search", params={"q": "zebra"}, headers=users.sales)
    assert hits.json()["items"] == []
    again = await client.delete(f"/api/conversations/{doomed}", headers=users.sales)
    assert again.status_code == 404


async def test_messages_latest_first_with_opaque_cursor(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    conversation = await new_conversation(client, users.sales, "Long")
    ids = await add_messages(app, conversation, [f"message {n}" for n in range(25)])
    url = f"/api/conversations/{conversation}/messages"
    first = (await client.get(url, params={"limit": 10}, headers=users.sales)).json()
    assert [m["content"] for m in first["items"]][:2] == ["message 24", "message 23"]
    assert first["has_more"] is True
    assert str(ids[-1]) not in first["next_cursor"]  # opaque, not the raw id
    collected = [m["id"] for m in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = (
            await client.get(url, params={"limit": 10, "before": cursor}, headers=users.sales)
        ).json()
        collected += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
    assert collected == [str(i) for i in reversed(ids)]


async def test_appending_touches_updated_at_and_reorders_the_list(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    older = await new_conversation(client, users.sales, "Older")
    await new_conversation(client, users.sales, "Newer")
    async with app.state.db.sessions() as session:
        from salesbot.conversations import service
        from salesbot.kit.db import utcnow

        await service.append(session, uuid.UUID(older), role="user", content="hi", now=utcnow())
    listed = (await client.get("/api/conversations", headers=users.sales)).json()
    assert listed["items"][0]["id"] == older


async def test_export_json_and_markdown(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    conversation = await new_conversation(client, users.sales, "Export me")
    await add_messages(app, conversation, ["Make a proposal for Nike", 'Quote "this" & <that>'])
    as_json = await client.get(
        f"/api/conversations/{conversation}/export", params={"format": "json"}, headers=users.sales
    )
    assert as_json.status_code == 200
    assert "attachment" in as_json.headers["content-disposition"]
    body = json.loads(as_json.text)
    assert body["conversation"]["title"] == "Export me"
    assert [m["content"] for m in body["messages"]] == [
        "Make a proposal for Nike",
        'Quote "this" & <that>',
    ]
    as_md = await client.get(
        f"/api/conversations/{conversation}/export", params={"format": "md"}, headers=users.sales
    )
    assert as_md.status_code == 200
    assert as_md.headers["content-type"].startswith("text/markdown")
    assert as_md.text.startswith("# Export me")
    assert "**You**" in as_md.text and "Make a proposal for Nike" in as_md.text
    other = await client.get(f"/api/conversations/{conversation}/export", headers=users.admin)
    assert other.status_code == 404
