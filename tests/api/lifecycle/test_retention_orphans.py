"""Stored objects no row names are found by listing the storage, and go after a grace period."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import select

from salesbot.files.models import FileRecord
from salesbot.kit.db import utcnow
from salesbot.kit.ids import new_id
from salesbot.lifecycle.commands import print_report
from salesbot.lifecycle.retention import run_retention
from salesbot.users.models import AuditEvent
from tests.api.lifecycle.support import add_file, make_user


async def _bytes(text: str) -> AsyncIterator[bytes]:
    yield text.encode()


async def test_orphaned_objects_are_swept_after_the_grace_period(app: FastAPI) -> None:
    storage, sessions, settings = app.state.storage, app.state.db.sessions, app.state.settings
    person = await make_user(app, "owner")
    kept = await add_file(app, person.id, "kept.txt")
    # A row deleted while its object's removal failed: the object is left with no row.
    lost = await add_file(app, person.id, "lost.txt")
    async with sessions() as session:
        await session.delete(await session.get_one(FileRecord, lost.id))
        await session.commit()
    stray = f"files/{utcnow():%Y/%m}/{new_id()}"  # a crash between storing and committing
    export = f"exports/{person.id}/{new_id()}.zip"
    foreign = "someone-else/report.pdf"  # not the product's key space (a shared bucket)
    for key in (stray, export, foreign):
        await storage.put(key, _bytes(key), "application/octet-stream")
    orphans = sorted([lost.storage_key, stray, export])
    grace = settings.retention_orphan_object_hours
    assert grace > 0

    young = await run_retention(
        sessions, storage, settings, now=utcnow() + timedelta(hours=grace - 1), dry_run=True
    )
    assert young.orphan_objects == [] and "orphan_object" not in young.counts

    later = utcnow() + timedelta(hours=grace + 1)
    dry = await run_retention(sessions, storage, settings, now=later, dry_run=True)
    assert [o.key for o in dry.orphan_objects] == orphans
    assert dry.counts["orphan_object"] == 3
    assert all([await storage.exists(key) for key in orphans])
    lines: list[str] = []
    print_report(dry, lines.append)
    assert all(
        any(f"would delete orphan_object {key}" in line for line in lines) for key in orphans
    )

    real = await run_retention(sessions, storage, settings, now=later, dry_run=False)

    assert [o.key for o in real.orphan_objects] == orphans and real.objects_failed == 0
    assert not any([await storage.exists(key) for key in orphans])
    assert await storage.exists(kept.storage_key) and await storage.exists(foreign)
    async with sessions() as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "retention_purged")
        )
        assert await session.get(FileRecord, kept.id) is not None
    assert event is not None and event.details["counts"]["orphan_object"] == 3
    again = await run_retention(sessions, storage, settings, now=later, dry_run=False)
    assert again.orphan_objects == []


async def test_the_sweep_can_be_turned_off(app: FastAPI) -> None:
    storage = app.state.storage
    stray = f"files/{utcnow():%Y/%m}/{new_id()}"
    await storage.put(stray, _bytes("stray"), "application/octet-stream")
    settings = app.state.settings.model_copy(update={"retention_orphan_object_hours": 0})
    report = await run_retention(
        app.state.db.sessions, storage, settings, now=utcnow() + timedelta(days=400), dry_run=False
    )
    assert report.orphan_objects == [] and await storage.exists(stray)


async def test_generated_files_nothing_uses_go_after_the_orphan_period(app: FastAPI) -> None:
    """A mockup output or preview left behind (its mockup deleted) goes; one still shown stays."""
    from salesbot.mockups.models import Mockup

    storage, sessions, settings = app.state.storage, app.state.db.sessions, app.state.settings
    person = await make_user(app, "maker")
    now = utcnow() + timedelta(days=settings.retention_orphan_upload_days + 1)
    left = await add_file(app, person.id, "left.txt", purpose="generated")
    shown = await add_file(app, person.id, "shown.txt", purpose="generated")
    async with sessions() as session:
        session.add(
            Mockup(
                owner_id=person.id,
                location_key="uae21",
                location_name="UAE 21",
                photo_name="uae21_1.jpg",
                time_of_day="day",
                finish="gold",
                creative_source="upload",
                status="done",
                output_file_id=shown.id,
            )
        )
        await session.commit()

    report = await run_retention(sessions, storage, settings, now=now, dry_run=False)

    assert [(i.kind, i.id) for i in report.items if i.kind.startswith("orphan")] == [
        ("orphan_generated", left.id)
    ]
    assert not await storage.exists(left.storage_key) and await storage.exists(shown.storage_key)
