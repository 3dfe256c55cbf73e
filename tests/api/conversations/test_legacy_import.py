"""Legacy `chat_sessions` import: one conversation per user, idempotent, order and data kept."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from typer.testing import CliRunner

from salesbot.conversations.legacy import LegacyRow, derived_id, import_rows, rows_from_json
from tests.api.conversations.conftest import Users


def legacy_messages() -> list[Any]:
    return [
        {
            "id": "m1",
            "role": "user",
            "content": "Landmark proposal for Nike",
            "timestamp": "2024-03-01T09:00:00Z",
        },
        {
            "id": "m2",
            "role": "assistant",
            "content": "",
            "timestamp": 1709283605000,  # epoch milliseconds
            "tool_call": {
                "name": "create_separate_proposals",
                "arguments": '{"client_name": "Nike"}',
            },
        },
        {
            "id": "m3",
            "role": "tool",
            "content": "Proposal ready",
            "tool_call_id": "m2-0",
            "timestamp": "2024-03-01T09:00:06Z",
        },
        {
            "id": "m4",
            "role": "bot",
            "content": "Here is the Nike proposal",
            "timestamp": "2024-03-01T09:00:06Z",  # same second as m3: legacy order is kept
            "attachments": [{"name": "Nike.pdf", "url": "https://legacy/files/1"}],
        },
        "not a message",
        {"id": "m5", "role": "narrator", "content": "unknown role"},
    ]


async def run_import(app: FastAPI, rows: list[LegacyRow]) -> Any:
    async with app.state.db.sessions() as session:
        return await import_rows(session, rows)


async def test_import_creates_one_conversation_per_user_once(
    client: httpx.AsyncClient, users: Users, app: FastAPI
) -> None:
    rows = rows_from_json(
        [
            {"user_email": "SALES@example.com", "messages": legacy_messages()},
            {
                "user_id": str(users.seeded.admin.id),
                "messages": json.dumps([{"role": "user", "content": "hi"}]),
            },
            {"user_email": "stranger@example.com", "messages": []},
        ]
    )
    first = await run_import(app, rows)
    assert (first.rows, first.conversations_created, first.messages_created) == (3, 2, 5)
    assert first.messages_skipped == 2 and len(first.rows_skipped) == 1
    again = await run_import(app, rows)
    assert (again.conversations_created, again.messages_created, again.messages_existing) == (
        0,
        0,
        5,
    )

    listed = (await client.get("/api/conversations", headers=users.sales)).json()["items"]
    assert [c["title"] for c in listed] == ["Imported chat history"]
    conversation = listed[0]["id"]
    page = await client.get(f"/api/conversations/{conversation}/messages", headers=users.sales)
    items = list(reversed(page.json()["items"]))
    assert [(m["role"], m["content"]) for m in items] == [
        ("user", "Landmark proposal for Nike"),
        ("assistant", ""),
        ("tool", "Proposal ready"),
        ("assistant", "Here is the Nike proposal"),
    ]
    assert items[1]["tool_calls"] == [
        {"id": "m2-0", "name": "create_separate_proposals", "args": {"client_name": "Nike"}}
    ]
    assert items[2]["tool_call_id"] == "m2-0"
    assert items[3]["attachments"] == [{"name": "Nike.pdf", "url": "https://legacy/files/1"}]
    assert items[0]["created_at"].startswith("2024-03-01T09:00:00")
    assert listed[0]["updated_at"].startswith("2024-03-01T09:00:06")
    hits = await client.get(
        "/api/conversations/search", params={"q": "nike proposal"}, headers=users.sales
    )
    assert len(hits.json()["items"]) >= 2


async def test_reimport_adds_only_new_messages(users: Users, app: FastAPI) -> None:
    messages = legacy_messages()
    await run_import(app, [LegacyRow("sales@example.com", messages)])
    messages.append(
        {"id": "m6", "role": "user", "content": "thanks", "timestamp": "2024-03-02T10:00:00Z"}
    )
    report = await run_import(app, [LegacyRow("sales@example.com", messages)])
    assert (report.conversations_created, report.messages_created, report.messages_existing) == (
        0,
        1,
        4,
    )


def test_derived_ids_are_time_ordered_uuid7() -> None:
    from datetime import UTC, datetime

    early = derived_id(datetime(2024, 1, 1, tzinfo=UTC), "a")
    late = derived_id(datetime(2024, 1, 2, tzinfo=UTC), "a")
    assert early.version == 7 and early < late
    assert derived_id(datetime(2024, 1, 1, tzinfo=UTC), "a") == early


def test_cli_imports_from_a_json_export_and_a_legacy_table(
    sqlite_template: Path, tmp_path: Path
) -> None:
    from salesbot.cli import app as cli
    from salesbot.kit.db import Database, make_engine
    from salesbot.users import service
    from salesbot.users.roles import Role

    db_file = tmp_path / "app.db"
    shutil.copy(sqlite_template, db_file)
    url = f"sqlite+aiosqlite:///{db_file}"

    async def seed() -> None:
        db = Database(make_engine(url))
        async with db.sessions() as session:
            await service.ensure_user(
                session,
                email="sales@example.com",
                name="Sales",
                password="correct-horse-battery",
                roles=[(Role.sales_person, None)],
            )
            await session.commit()
        await db.dispose()

    asyncio.run(seed())
    export = tmp_path / "chat_sessions.json"
    export.write_text(
        json.dumps([{"user_email": "sales@example.com", "messages": legacy_messages()}])
    )
    env = {
        "SALESBOT_DATABASE_URL": url,
        "SALESBOT_DATA_DIR": str(tmp_path),
        "SALESBOT_ENVIRONMENT": "test",
    }
    runner = CliRunner()
    first = runner.invoke(cli, ["import-chat-sessions", "--json", str(export)], env=env)
    assert first.exit_code == 0, first.output
    assert "conversations created: 1; messages created: 4" in first.output
    second = runner.invoke(cli, ["import-chat-sessions", "--json", str(export)], env=env)
    assert "conversations created: 0; messages created: 0, already there: 4" in second.output

    legacy = tmp_path / "legacy.db"
    with sqlite3.connect(legacy) as conn:
        conn.execute("CREATE TABLE chat_sessions (user_email TEXT, messages TEXT)")
        conn.execute(
            "INSERT INTO chat_sessions VALUES (?, ?)",
            (
                "sales@example.com",
                json.dumps(
                    [
                        *legacy_messages(),
                        {
                            "id": "m9",
                            "role": "user",
                            "content": "later",
                            "timestamp": "2024-04-01T00:00:00Z",
                        },
                    ]
                ),
            ),
        )
    from_table = runner.invoke(
        cli,
        ["import-chat-sessions", "--source-url", f"sqlite+aiosqlite:///{legacy}"],
        env=env,
    )
    assert from_table.exit_code == 0, from_table.output
    assert "messages created: 1, already there: 4" in from_table.output
    missing = runner.invoke(
        cli,
        [
            "import-chat-sessions",
            "--table",
            "nope",
            "--source-url",
            f"sqlite+aiosqlite:///{legacy}",
        ],
        env=env,
    )
    assert missing.exit_code == 2 and "Could not read the table nope" in missing.output
    bad_name = runner.invoke(cli, ["import-chat-sessions", "--table", "x; DROP"], env=env)
    assert bad_name.exit_code == 2
