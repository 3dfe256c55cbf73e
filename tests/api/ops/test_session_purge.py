"""The scheduled session purge forgets only sessions and devices that are over (a week ago), and
keeps reuse detection."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from salesbot.jobs.scheduler import JobContext
from salesbot.kit.db import Database, make_engine
from salesbot.kit.ids import new_id
from salesbot.ops.schedules import SCHEDULES, purge_expired_sessions
from salesbot.settings import Settings
from salesbot.users.models import AuthSession, RefreshToken, User
from tests.conftest import Stack, make_settings


async def test_purge_deletes_only_families_expired_for_a_week(
    stack: Stack, settings: Settings
) -> None:
    now = datetime.now(UTC)
    db = Database(make_engine(stack.database_url))
    families = {name: new_id() for name in ("long_dead", "recently_dead", "alive", "other_user")}
    devices: dict[str, uuid.UUID] = {}
    try:
        async with db.sessions() as session:
            user = User(email="p@example.com", name="P", password_hash=None)
            other = User(email="q@example.com", name="Q", password_hash=None)
            session.add_all([user, other])
            await session.flush()

            def token(family: uuid.UUID, expires: datetime, owner: User = user) -> None:
                session.add(
                    RefreshToken(
                        user_id=owner.id,
                        family_id=family,
                        token_hash=new_id().hex + new_id().hex,
                        expires_at=expires,
                    )
                )

            token(families["long_dead"], now - timedelta(days=30))
            token(families["long_dead"], now - timedelta(days=8))
            token(families["recently_dead"], now - timedelta(days=3))
            # A spent, long-expired token of a family that still has a live one: kept, so
            # presenting it still revokes the family.
            token(families["alive"], now - timedelta(days=40))
            token(families["alive"], now + timedelta(days=5))
            token(families["other_user"], now + timedelta(days=1), other)

            def device(name: str, expires: datetime, revoked: datetime | None = None) -> None:
                devices[name] = new_id()
                session.add(
                    AuthSession(
                        id=devices[name],
                        user_id=user.id,
                        last_seen_at=now - timedelta(days=20),
                        expires_at=expires,
                        revoked_at=revoked,
                    )
                )

            device("expired_long_ago", now - timedelta(days=8))
            device("signed_out_long_ago", now + timedelta(days=20), now - timedelta(days=8))
            device("signed_out_yesterday", now + timedelta(days=20), now - timedelta(days=1))
            device("expired_yesterday", now - timedelta(days=1))
            device("alive", now + timedelta(days=20))
            await session.commit()

        summary = await purge_expired_sessions(JobContext(settings, db, now))

        async with db.sessions() as session:
            left = [r.family_id for r in await session.scalars(select(RefreshToken))]
            kept = set(await session.scalars(select(AuthSession.id)))
    finally:
        await db.dispose()
    assert summary == {"deleted_refresh_tokens": 2, "deleted_devices": 2}
    assert kept == {devices[n] for n in ("signed_out_yesterday", "expired_yesterday", "alive")}
    assert sorted(map(str, left)) == sorted(
        str(families[name]) for name in ("recently_dead", "alive", "alive", "other_user")
    )


def test_registry_names_are_unique_and_the_purge_is_scheduled(settings: Settings) -> None:
    names = [schedule.name for schedule in SCHEDULES]
    assert len(names) == len(set(names))
    purge = next(s for s in SCHEDULES if s.name == "sessions.purge_expired")
    assert purge.trigger(settings) is not None
    backup = next(s for s in SCHEDULES if s.name == "backup")
    assert backup.trigger(settings) is None  # off until SALESBOT_BACKUP_SCHEDULE is set
    assert backup.trigger(settings.model_copy(update={"backup_schedule": "0 2 * * *"}))


async def test_scheduled_backup_writes_an_archive_and_keeps_the_newest(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """The archive itself is covered on both databases by the restore drill."""
    from salesbot.ops.schedules import scheduled_backup

    db_file = tmp_path / "salesbot.db"
    shutil.copy(sqlite_template, db_file)
    stack = Stack("sqlite", f"sqlite+aiosqlite:///{db_file}", None)
    folder = tmp_path / "backups"
    folder.mkdir()
    old = folder / "salesbot-backup-20000101T000000Z.tar.gz"
    old.write_bytes(b"an old archive")
    settings = make_settings(stack, tmp_path / "data", backup_dir=folder, backup_keep=1)
    db = Database(make_engine(stack.database_url))
    try:
        summary = await scheduled_backup(JobContext(settings, db, datetime.now(UTC)))
    finally:
        await db.dispose()
    assert summary["pruned"] == 1 and not old.exists()
    assert [p.name for p in folder.iterdir()] == [summary["archive"]]
