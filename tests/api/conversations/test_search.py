"""Search: ranked hits with snippets over the user's own messages and titles; odd input is safe."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from salesbot.conversations import search
from salesbot.settings import Settings
from tests.api.conversations.conftest import Users, add_messages, new_conversation


async def _search(client: httpx.AsyncClient, headers: dict[str, str], q: str) -> httpx.Response:
    return await client.get("/api/conversations/search", params={"q": q}, headers=headers)


async def test_finds_messages_with_highlighted_snippets(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    nike = await new_conversation(client, users.sales, "Q1 planning")
    other = await new_conversation(client, users.sales, "Other")
    await add_messages(
        app,
        nike,
        ["Please build the landmark proposal for Nike, start in January", "thanks"],
    )
    await add_messages(app, other, ["mockup for the gateway at night"])
    response = await _search(client, users.sales, "landmark Nike")
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 1
    hit = items[0]
    assert hit["conversation_id"] == nike
    assert hit["conversation_title"] == "Q1 planning"
    assert hit["role"] == "user"
    marked = [hit["snippet"][s:e].lower() for s, e in hit["highlights"]]
    assert "landmark" in marked and "nike" in marked
    assert "<mark>" in hit["snippet_html"]


async def test_stemming_and_prefix(client: httpx.AsyncClient, users: Users, app: FastAPI) -> None:
    conversation = await new_conversation(client, users.sales, "Chat")
    await add_messages(app, conversation, ["We generated three proposals yesterday"])
    assert len((await _search(client, users.sales, "proposal")).json()["items"]) == 1
    assert len((await _search(client, users.sales, "yester*")).json()["items"]) == 1
    assert (await _search(client, users.sales, "yester")).json()["items"] == []


async def test_title_hits_and_ranking(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    titled = await new_conversation(client, users.sales, "Adidas renewal")
    chatty = await new_conversation(client, users.sales, "Misc")
    await add_messages(app, chatty, ["adidas adidas adidas adidas rates", "adidas"])
    items = (await _search(client, users.sales, "adidas")).json()["items"]
    kinds = {(i["conversation_id"], i["message_id"] is None) for i in items}
    assert (titled, True) in kinds
    assert (chatty, False) in kinds
    ranks = [i["rank"] for i in items]
    assert ranks == sorted(ranks, reverse=True)


async def test_never_finds_other_users_messages(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    theirs = await new_conversation(client, users.admin, "Secret plan")
    await add_messages(app, theirs, ["confidential budget for uae21"])
    assert (await _search(client, users.sales, "confidential")).json()["items"] == []
    assert (await _search(client, users.sales, "secret")).json()["items"] == []
    assert len((await _search(client, users.admin, "confidential")).json()["items"]) == 1


async def test_phrase_search(client: httpx.AsyncClient, users: Users, app: FastAPI) -> None:
    conversation = await new_conversation(client, users.sales, "Chat")
    await add_messages(app, conversation, ["payment terms 50% upfront", "upfront payment later"])
    items = (await _search(client, users.sales, '"payment terms"')).json()["items"]
    assert [i["snippet"] for i in items] == ["payment terms 50% upfront"]


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '"unbalanced',
        "a AND OR NOT",
        "NEAR(x y)",
        "*",
        "***",
        "foo*bar*",
        "(((",
        "'); DROP TABLE messages; --",
        "col:value",
        "^start",
        "-minus +plus",
        "\\",
        "😀 emoji",
        "the",
        "x" * 500,
        "ü ñ é",
        "a:* & !b | c <-> d",
    ],
)
async def test_odd_queries_never_fail(
    client: httpx.AsyncClient, users: Users, app: FastAPI, q: str
) -> None:
    conversation = await new_conversation(client, users.sales, "Chat")
    await add_messages(app, conversation, ["AND OR NOT words with col value and emoji 😀 über"])
    response = await _search(client, users.sales, q)
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["items"], list)


async def test_search_pages(client: httpx.AsyncClient, users: Users, app: FastAPI) -> None:
    conversation = await new_conversation(client, users.sales, "Chat")
    await add_messages(app, conversation, [f"billboard number {n}" for n in range(5)])
    first = await client.get(
        "/api/conversations/search",
        params={"q": "billboard", "limit": 3},
        headers=users.sales,
    )
    body = first.json()
    assert len(body["items"]) == 3 and body["has_more"] is True
    second = await client.get(
        "/api/conversations/search",
        params={"q": "billboard", "limit": 3, "cursor": body["next_cursor"]},
        headers=users.sales,
    )
    rest = second.json()
    assert len(rest["items"]) == 2 and rest["has_more"] is False
    ids = {i["message_id"] for i in body["items"]} | {i["message_id"] for i in rest["items"]}
    assert len(ids) == 5


async def test_short_prefix_is_searched_as_a_word_with_a_notice(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    conversation = await new_conversation(client, users.sales, "Chat")
    await add_messages(app, conversation, ["ka is a word here", "kalos rates for the gateway"])
    short = (await _search(client, users.sales, "ka*")).json()
    assert [i["snippet"] for i in short["items"]] == ["ka is a word here"]
    assert "at least 3 letters" in short["notice"] and "“ka”" in short["notice"]
    longer = (await _search(client, users.sales, "kal*")).json()
    assert [i["snippet"] for i in longer["items"]] == ["kalos rates for the gateway"]
    assert longer["notice"] is None


async def _all_pages(
    client: httpx.AsyncClient, headers: dict[str, str], q: str
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"q": q, "limit": 50}
        if cursor:
            params["cursor"] = cursor
        body = (
            await client.get("/api/conversations/search", params=params, headers=headers)
        ).json()
        items += body["items"]
        if not body["has_more"]:
            return items
        cursor = body["next_cursor"]


async def test_only_the_most_recent_matches_are_ranked(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    conversation = await new_conversation(client, users.sales, "Chat")
    older = ["billboard " * 6 + "old"] * 5  # would rank first, but are not among the recent
    best = ["billboard billboard billboard best"] * 3
    ids = await add_messages(
        app, conversation, older + best + ["billboard plain"] * (search.CANDIDATES - 3)
    )
    items = await _all_pages(client, users.sales, "billboard")
    found = [i["message_id"] for i in items]
    assert sorted(found) == sorted(str(i) for i in ids[5:])  # the most recent CANDIDATES
    assert {i["snippet"].split()[-1] for i in items[:3]} == {"best"}
    ranks = [i["rank"] for i in items]
    assert ranks == sorted(ranks, reverse=True)


async def test_other_users_matches_do_not_crowd_out_yours(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    mine = await new_conversation(client, users.sales, "Chat")
    theirs = await new_conversation(client, users.admin, "Theirs")
    ids = await add_messages(app, mine, ["billboard for me", "billboard again"])
    await add_messages(app, theirs, ["billboard elsewhere"] * (search.CANDIDATES + 10))
    found = await _all_pages(client, users.sales, "billboard")
    assert sorted(str(i["message_id"]) for i in found) == sorted(str(i) for i in ids)


async def test_deleted_conversations_do_not_crowd_out_the_rest(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    kept = await new_conversation(client, users.sales, "Kept")
    gone = await new_conversation(client, users.sales, "Gone")
    ids = await add_messages(app, kept, ["billboard kept"])
    await add_messages(app, gone, ["billboard gone"] * (search.CANDIDATES + 10))
    assert (
        await client.delete(f"/api/conversations/{gone}", headers=users.sales)
    ).status_code == 204
    found = await _all_pages(client, users.sales, "billboard")
    assert [str(i["message_id"]) for i in found] == [str(ids[0])]


async def test_matches_on_both_sides_of_the_newest_window_are_found_once(
    client: httpx.AsyncClient, users: Users, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL reads the newest WINDOW messages in time order, then older ones by the index:
    every match is found once, the one at the window's edge too (SQLite: the same answer)."""
    monkeypatch.setattr(search, "WINDOW", 5)
    chat = await new_conversation(client, users.sales, "Chat")
    gone = await new_conversation(client, users.sales, "Gone")
    await add_messages(app, gone, ["billboard gone"] * 3)
    assert (await client.delete(f"/api/conversations/{gone}", headers=users.sales)).status_code
    contents = ["billboard old"] * 4 + ["nothing here"] * 6 + ["billboard edge"]
    contents += ["nothing here"] * 2 + ["billboard new"] * 2
    ids = await add_messages(app, chat, contents)
    found = [i["message_id"] for i in await _all_pages(client, users.sales, "billboard")]
    expected = [str(i) for i, text in zip(ids, contents, strict=True) if "billboard" in text]
    assert sorted(found) == sorted(expected)


async def test_new_messages_carry_their_owner(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    import uuid

    from sqlalchemy import select

    from salesbot.conversations.models import Conversation, Message

    chat = await new_conversation(client, users.sales, "Chat")
    ids = await add_messages(app, chat, ["one", "two"])
    async with app.state.db.sessions() as session:
        owner = await session.scalar(
            select(Conversation.user_id).where(Conversation.id == uuid.UUID(chat))
        )
        stored = (
            await session.execute(select(Message.user_id).where(Message.id.in_(ids)))
        ).scalars()
        assert owner is not None and list(stored) == [owner, owner]


@pytest.mark.parametrize("stack", ["postgres"], indirect=True)  # PostgreSQL's statement_timeout
async def test_a_search_over_its_time_limit_answers_503_and_the_next_one_works(
    client: httpx.AsyncClient,
    users: Users,
    app: FastAPI,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL's statement timeout bounds a search; the user is told to narrow it down."""
    import asyncpg
    from sqlalchemy.engine import make_url

    conversation = await new_conversation(client, users.sales, "Chat")
    await add_messages(app, conversation, ["the landmark proposal for Nike"])
    monkeypatch.setattr(search, "TIME_LIMIT_MS", 300)
    url = make_url(settings.effective_database_url).set(drivername="postgresql")
    blocker = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        # Another transaction holds the table: the search waits past its limit.
        async with blocker.transaction():
            await blocker.execute("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
            slow = await _search(client, users.sales, "landmark")
        assert slow.status_code == 503
        body = slow.json()
        assert body["error"]["code"] == "search_timeout"
        assert body["error"]["message"] == search.SEARCH_TOO_SLOW
    finally:
        await blocker.close()
    fast = await _search(client, users.sales, "landmark")
    assert fast.status_code == 200
    assert len(fast.json()["items"]) == 1
