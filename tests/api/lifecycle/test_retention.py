"""Retention deletes exactly the policy's set: nothing held, nothing newer, nothing of another
company; files in storage go with their rows; a dry run lists exactly that set and keeps it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import select

from salesbot.conversations.models import Conversation
from salesbot.files.models import FileRecord
from salesbot.kit.db import utcnow
from salesbot.lifecycle import holds, policies
from salesbot.lifecycle.retention import run_retention
from salesbot.users import audit
from salesbot.users import service as users
from salesbot.users.models import AuditEvent
from salesbot.users.roles import Role
from tests.api.lifecycle.support import add_conversation, add_file, make_user
from tests.conftest import Stack


@dataclass
class Scene:
    now: datetime
    expected: set[tuple[str, uuid.UUID]] = field(default_factory=set)
    kept_conversations: set[uuid.UUID] = field(default_factory=set)
    gone_files: list[FileRecord] = field(default_factory=list)
    kept_files: list[FileRecord] = field(default_factory=list)


async def _scene(app: FastAPI) -> Scene:
    """Backlite purges after 10 days and orphans after 3; Viola keeps the defaults (30 / 7)."""
    now = utcnow() + timedelta(days=400)  # the run's clock, well ahead of everything made now
    scene = Scene(now)
    admin = await make_user(app, "boss", Role.admin)
    backlite = await make_user(app, "bella", Role.coordinator, company="backlite")
    held = await make_user(app, "hal", Role.coordinator, company="backlite")
    viola = await make_user(app, "vic", Role.coordinator, company="viola")
    async with app.state.db.sessions() as session:
        company = await users.company_by_ref(session, "backlite")
        assert company is not None
        await policies.set_policy(
            session,
            audit.ActorRef(admin.id),
            company.id,
            {"purge_deleted_days": 10, "orphan_upload_days": 3, "archive_idle_days": 0},
            now,
        )
        await holds.place(
            session, audit.ActorRef(admin.id), scope="user", target_id=held.id, reason="Case 1"
        )

    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    attached = await add_file(app, backlite.id, "brief.txt", created_at=ago(1))
    gone_talk = await add_conversation(
        app, backlite.id, attachment=attached, deleted_at=ago(11), updated_at=ago(12)
    )
    scene.expected |= {("conversation", gone_talk), ("attachment", attached.id)}
    scene.gone_files.append(attached)
    for person, deleted in ((backlite, 9), (held, 40), (viola, 11)):
        scene.kept_conversations.add(
            await add_conversation(app, person.id, deleted_at=ago(deleted), updated_at=ago(41))
        )
    orphan = await add_file(app, backlite.id, "old.txt", created_at=ago(4))
    old_deleted = await add_file(app, viola.id, "gone.txt", created_at=ago(50), deleted_at=ago(31))
    scene.expected |= {("orphan_upload", orphan.id), ("deleted_file", old_deleted.id)}
    scene.gone_files += [orphan, old_deleted]
    young = await add_file(app, backlite.id, "young.txt", created_at=ago(2))
    viola_orphan = await add_file(app, viola.id, "viola.txt", created_at=ago(5))
    held_orphan = await add_file(app, held.id, "held.txt", created_at=ago(40))
    used = await add_file(app, viola.id, "used.txt", created_at=ago(40))
    scene.kept_conversations.add(
        await add_conversation(app, viola.id, attachment=used, updated_at=ago(1))
    )
    scene.kept_files += [young, viola_orphan, held_orphan, used]
    return scene


async def _live(app: FastAPI) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    async with app.state.db.sessions() as session:
        talks = set((await session.scalars(select(Conversation.id))).all())
        files = set((await session.scalars(select(FileRecord.id))).all())
    return talks, files


async def test_retention_deletes_exactly_the_policys_set(app: FastAPI) -> None:
    scene = await _scene(app)
    before = await _live(app)
    sessions, storage = app.state.db.sessions, app.state.storage
    settings = app.state.settings

    dry = await run_retention(sessions, storage, settings, now=scene.now, dry_run=True)

    assert {
        (i.kind, i.id) for i in dry.items if i.kind != "archived_conversation"
    } == scene.expected
    assert await _live(app) == before
    assert all([await storage.exists(f.storage_key) for f in scene.gone_files])

    real = await run_retention(sessions, storage, settings, now=scene.now, dry_run=False)

    assert [(i.kind, i.id) for i in real.items] == [(i.kind, i.id) for i in dry.items]
    talks, files = await _live(app)
    assert scene.kept_conversations <= talks
    assert not {cid for kind, cid in scene.expected if kind == "conversation"} & talks
    assert not {f.id for f in scene.gone_files} & files
    assert {f.id for f in scene.kept_files} <= files
    assert not any([await storage.exists(f.storage_key) for f in scene.gone_files])
    assert all([await storage.exists(f.storage_key) for f in scene.kept_files])
    async with app.state.db.sessions() as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "retention_purged")
        )
    assert event is not None and event.details["counts"] == real.counts
    assert real.counts["conversation"] == 1 and real.counts["attachment"] == 1
    again = await run_retention(sessions, storage, settings, now=scene.now, dry_run=False)
    assert [i for i in again.items if i.kind != "archived_conversation"] == []


async def test_idle_conversations_are_archived_not_deleted(app: FastAPI) -> None:
    person = await make_user(app, "pat")
    now = utcnow() + timedelta(days=200)
    idle = await add_conversation(app, person.id, updated_at=now - timedelta(days=91))
    busy = await add_conversation(app, person.id, updated_at=now - timedelta(days=89))
    report = await run_retention(
        app.state.db.sessions, app.state.storage, app.state.settings, now=now, dry_run=False
    )
    assert [(i.kind, i.id) for i in report.items] == [("archived_conversation", idle)]
    async with app.state.db.sessions() as session:
        rows = {c.id: c for c in (await session.scalars(select(Conversation))).all()}
    assert rows[idle].archived_at == now and rows[busy].archived_at is None


async def test_business_records_go_after_their_own_period_unless_held(app: FastAPI) -> None:
    from decimal import Decimal

    from salesbot.booking_orders.models import BookingOrderRow

    admin = await make_user(app, "boss", Role.admin)
    person = await make_user(app, "bella", Role.coordinator, company="backlite")
    await make_user(app, "vic", Role.coordinator, company="viola")
    now = utcnow() + timedelta(days=30)
    async with app.state.db.sessions() as session:
        backlite = await users.company_by_ref(session, "backlite")
        viola = await users.company_by_ref(session, "viola")
    assert backlite is not None and viola is not None
    made: dict[str, tuple[uuid.UUID, FileRecord]] = {}
    for name, company, years in (
        ("old", backlite.id, 11),
        ("young", backlite.id, 9),
        ("held", viola.id, 11),
    ):
        document = await add_file(app, person.id, f"{name}.txt", purpose="generated")
        async with app.state.db.sessions() as session:
            bo = BookingOrderRow(
                company_id=company,
                owner_id=person.id,
                state="approved",
                reference=name,
                data={},
                gross=Decimal("1.00"),
                final_pdf_file_id=document.id,
                approved_at=now - timedelta(days=365 * years + 3),
            )
            session.add(bo)
            await session.commit()
            made[name] = (bo.id, document)
    async with app.state.db.sessions() as session:
        await holds.place(
            session, audit.ActorRef(admin.id), scope="company", target_id=viola.id, reason="Tax"
        )

    report = await run_retention(
        app.state.db.sessions, app.state.storage, app.state.settings, now=now, dry_run=False
    )

    old_bo, old_file = made["old"]
    assert {(i.kind, i.id) for i in report.items} == {
        ("booking_order", old_bo),
        ("business_document", old_file.id),
    }
    assert not await app.state.storage.exists(old_file.storage_key)
    for name in ("young", "held"):
        assert await app.state.storage.exists(made[name][1].storage_key)
        async with app.state.db.sessions() as session:
            assert await session.get(BookingOrderRow, made[name][0]) is not None


async def test_the_cli_dry_run_lists_and_keeps(app: FastAPI, stack: Stack, tmp_path: Path) -> None:
    person = await make_user(app, "pat")
    # Deleted 31 days ago by the real clock: the default purges after 30.
    gone = await add_conversation(app, person.id, deleted_at=utcnow() - timedelta(days=31))
    kept = await add_conversation(app, person.id, deleted_at=utcnow() - timedelta(days=29))
    settings = app.state.settings
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "test",
        "SALESBOT_DATA_DIR": str(settings.data_dir),
        "SALESBOT_DATABASE_URL": stack.database_url,
        "SALESBOT_SECRET_KEY": settings.secret_key.get_secret_value(),
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "salesbot.cli", "retention", "run", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    dry = await asyncio.to_thread(cli, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would delete conversation {gone}" in dry.stdout
    assert f"delete conversation {kept}" not in dry.stdout and "conversation: 1" in dry.stdout
    assert f"conversation {kept} will be deleted" in dry.stdout  # due in a day: its notice
    assert gone in (await _live(app))[0]
    real = await asyncio.to_thread(cli)
    assert real.returncode == 0, real.stderr
    assert f"did delete conversation {gone}" in real.stdout
    talks = (await _live(app))[0]
    assert gone not in talks and kept in talks


async def test_people_are_told_once_before_a_deleted_conversation_goes(app: FastAPI) -> None:
    from salesbot.notifications.models import Notification

    person = await make_user(app, "pat")
    now = utcnow() + timedelta(days=100)
    # The default purges after 30 days and tells 7 days before.
    soon = await add_conversation(app, person.id, deleted_at=now - timedelta(days=25))
    await add_conversation(app, person.id, deleted_at=now - timedelta(days=20))
    sessions, storage, settings = app.state.db.sessions, app.state.storage, app.state.settings

    async def told() -> list[Notification]:
        async with sessions() as session:
            stmt = select(Notification).where(Notification.kind == "retention_notice")
            return list((await session.scalars(stmt)).all())

    dry = await run_retention(sessions, storage, settings, now=now, dry_run=True)
    assert [n.id for n in dry.notices] == [soon] and await told() == []
    first = await run_retention(sessions, storage, settings, now=now, dry_run=False)
    assert [n.id for n in first.notices] == [soon]
    notices = await told()
    assert len(notices) == 1 and notices[0].user_id == person.id
    assert (now + timedelta(days=5)).strftime("%Y-%m-%d") in notices[0].title
    again = await run_retention(sessions, storage, settings, now=now, dry_run=False)
    assert again.notices == [] and len(await told()) == 1


async def test_the_scheduled_job_applies_the_policies_at_its_tick(app: FastAPI) -> None:
    from salesbot.jobs.scheduler import JobContext
    from salesbot.ops.schedules import SCHEDULES, retention

    scene = await _scene(app)
    schedule = next(s for s in SCHEDULES if s.name == "retention")
    assert schedule.trigger(app.state.settings) is not None  # on by default, daily
    # The job's storage is the one the settings name, which is the app's in these tests.
    summary = await retention(JobContext(app.state.settings, app.state.db, scene.now))
    assert summary["conversation"] == 1 and summary["attachment"] == 1
    assert summary["orphan_upload"] == 1 and summary["deleted_file"] == 1
    talks, files = await _live(app)
    assert scene.kept_conversations <= talks
    assert not {f.id for f in scene.gone_files} & files
