"""Backup and restore: the drill (demo data + traffic → backup → wipe → restore → same counts,
same checksums, a working login over real HTTP) on SQLite and PostgreSQL, and the refusals."""

from __future__ import annotations

import asyncio
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, text

from salesbot.app import create_app
from salesbot.files.service import storage_from_settings
from salesbot.kit.db import make_engine, utcnow
from salesbot.kit.ids import new_id
from salesbot.ops.backup import create_backup, prune_backups
from salesbot.ops.demo import load_demo
from salesbot.ops.dumps import live_snapshot
from salesbot.ops.restore import RestoreRefused, restore_backup
from salesbot.settings import Settings
from salesbot.users.models import AuditEvent
from tests.api.ops.conftest import Drill, counts, stored_checksums
from tests.live_server import live_server_as_is

SALES = "sales@demo.salesbot.dev"
NOTE = b"Quarterly plan: Gateway in March, Landmark in April.\n" * 40


async def _traffic(settings: Settings) -> str:
    """A person signs in, uploads a file and chats; returns the file's id."""
    app = create_app(settings)
    password = settings.demo_password.get_secret_value()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            login = await client.post(
                "/api/auth/login", json={"email": SALES, "password": password}
            )
            assert login.status_code == 200
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            upload = await client.post(
                "/api/files", files={"files": ("plan.txt", NOTE, "text/plain")}, headers=headers
            )
            assert upload.status_code == 201, upload.text
            chat = await client.post(
                "/api/chat", json={"message": "list locations"}, headers=headers
            )
            assert chat.status_code == 200
    return str(upload.json()[0]["id"])


async def test_restore_drill(drill: Drill, tmp_path: Path) -> None:
    settings = drill.settings
    await load_demo(settings)
    file_id = await _traffic(settings)
    storage = storage_from_settings(settings)
    before_counts = await counts(drill.url)
    before_files = await stored_checksums(storage)
    assert before_counts["messages"] >= 2 and before_counts["files"] == len(before_files) > 1

    report = await create_backup(settings, tmp_path / "drill.tar.gz")
    assert report.manifest.database.tables == before_counts
    assert {o.key: o.sha256 for o in report.manifest.objects} == before_files
    assert report.path.stat().st_mode & 0o077 == 0  # readable by its owner only

    await drill.wipe()
    assert await counts(drill.url) == {}
    assert await stored_checksums(storage) == {}

    restored = await restore_backup(settings, report.path)
    assert restored.objects == len(before_files)
    assert await counts(drill.url) == before_counts
    assert await stored_checksums(storage) == before_files

    password = settings.demo_password.get_secret_value()
    with live_server_as_is(settings.data_dir, SALESBOT_DATABASE_URL=drill.url) as base:
        login = httpx.post(
            f"{base}/api/auth/login", json={"email": SALES, "password": password}, timeout=30
        )
        assert login.status_code == 200
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        content = httpx.get(f"{base}/api/files/{file_id}/content", headers=headers, timeout=30)
        assert content.status_code == 200 and content.content == NOTE


async def _write_audit_rows(url: str, stop: asyncio.Event) -> int:
    engine = make_engine(url)
    written = 0
    try:
        while not stop.is_set():
            async with engine.begin() as conn:
                await conn.execute(
                    insert(AuditEvent).values(
                        id=new_id(), action="load", created_at=utcnow(), details={}
                    )
                )
            written += 1
            await asyncio.sleep(0)
    finally:
        await engine.dispose()
    return written


async def test_backup_under_writes_matches_its_own_manifest(drill: Drill, tmp_path: Path) -> None:
    """Counts come from the dumped snapshot itself, so a busy database still restores clean."""
    settings = drill.settings
    await load_demo(settings)
    stop = asyncio.Event()
    writer = asyncio.create_task(_write_audit_rows(drill.url, stop))
    try:
        report = await create_backup(settings, tmp_path / "busy.tar.gz")
    finally:
        stop.set()
        written = await writer
    assert written > 0
    await drill.wipe()
    await restore_backup(settings, report.path)  # checks every count against the manifest
    assert (await counts(drill.url))["audit_events"] == report.manifest.database.tables[
        "audit_events"
    ]


# --- refusals -------------------------------------------------------------------------------


def _members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive, "r:gz") as tar:
        out = []
        for info in tar.getmembers():
            fh = tar.extractfile(info)
            out.append((info, fh.read() if fh else b""))
        return out


def _repack(members: list[tuple[tarfile.TarInfo, bytes]], target: Path) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        for info, data in members:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def _edit_manifest(archive: Path, target: Path, edit: Any) -> Path:
    members = _members(archive)
    edited = []
    for info, data in members:
        if info.name == "manifest.json":
            manifest = json.loads(data)
            edit(manifest)
            data = json.dumps(manifest).encode()
        edited.append((info, data))
    return _repack(edited, target)


_ARCHIVES: dict[str, Path] = {}


@pytest.fixture
async def archive(drill: Drill, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the demo data (made once per database kind) and an empty target."""
    made = _ARCHIVES.get(drill.stack.name)
    if made is None:
        await load_demo(drill.settings)
        folder = tmp_path_factory.mktemp("archives")
        report = await create_backup(drill.settings, folder / f"{drill.stack.name}.tar.gz")
        await drill.wipe()
        made = _ARCHIVES[drill.stack.name] = report.path
    return made


async def _empty_target(drill: Drill) -> dict[str, int]:
    """The target's counts, asserting it holds no data and no files."""
    snapshot = await live_snapshot(drill.url)
    assert snapshot is None or snapshot.non_empty_tables() == []
    found = await counts(drill.url)
    assert await stored_checksums(storage_from_settings(drill.settings)) == {}
    return found


def _wrong_object_checksum(manifest: dict[str, Any]) -> None:
    manifest["objects"][0]["sha256"] = "0" * 64


def _unlisted_object(manifest: dict[str, Any]) -> None:
    manifest["objects"].pop()


def _wrong_database_checksum(manifest: dict[str, Any]) -> None:
    manifest["database"]["sha256"] = "f" * 64


def _unknown_revision(manifest: dict[str, Any]) -> None:
    manifest["database"]["revision"] = ["9999_from_the_future"]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("truncate", "damaged or cut short"),
        ("flip", "damaged or cut short"),
        ("not_gzip", "damaged or cut short"),
        ("no_manifest", "no manifest"),
        ("unsafe_name", "unsafe file name"),
        ("link", "other than regular files"),
        (_wrong_object_checksum, "does not match its manifest checksum"),
        (_unlisted_object, "differ from the list in its manifest"),
        (_wrong_database_checksum, "does not match its manifest checksum"),
        (_unknown_revision, "newer version"),
    ],
    ids=lambda v: v if isinstance(v, str) else v.__name__,
)
async def test_damaged_archive_is_refused_and_nothing_restored(
    drill: Drill, archive: Path, tmp_path: Path, damage: Any, reason: str
) -> None:
    before = await _empty_target(drill)
    raw = archive.read_bytes()
    bad = tmp_path / "bad.tar.gz"
    if damage == "truncate":
        bad.write_bytes(raw[: len(raw) * 2 // 3])
    elif damage == "flip":
        middle = len(raw) // 2
        bad.write_bytes(
            raw[:middle] + bytes(b ^ 0xFF for b in raw[middle : middle + 8]) + raw[middle + 8 :]
        )
    elif damage == "not_gzip":
        bad.write_bytes(b"this is not an archive at all")
    elif damage == "no_manifest":
        _repack([m for m in _members(archive) if m[0].name != "manifest.json"], bad)
    elif damage == "unsafe_name":
        evil = tarfile.TarInfo("storage/../../etc/evil")
        _repack([(evil, b"x"), *_members(archive)], bad)
    elif damage == "link":
        link = tarfile.TarInfo("storage/files/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        _repack([(link, b""), *_members(archive)], bad)
    else:
        _edit_manifest(archive, bad, damage)
    with pytest.raises(RestoreRefused, match=reason):
        await restore_backup(drill.settings, bad)
    assert await _empty_target(drill) == before


async def test_non_empty_target_needs_force(drill: Drill, archive: Path) -> None:
    await restore_backup(drill.settings, archive)
    before = await counts(drill.url)
    with pytest.raises(RestoreRefused, match="not empty"):
        await restore_backup(drill.settings, archive)
    storage = storage_from_settings(drill.settings)
    extra = Path(drill.settings.data_dir) / "extra.txt"
    extra.write_bytes(b"not in the backup")
    await storage.put("files/extra", extra, "text/plain")
    await restore_backup(drill.settings, archive, force=True)
    assert await counts(drill.url) == before
    assert "files/extra" not in await stored_checksums(storage)


async def test_failed_database_check_rolls_everything_back(
    drill: Drill, archive: Path, tmp_path: Path
) -> None:
    """Checksums fine, counts wrong: the database check fails inside the restore and the
    target (restored once, then given an extra row) keeps exactly what it had."""
    await restore_backup(drill.settings, archive)
    engine = make_engine(drill.url)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE users SET name = 'Changed After Backup'"))
    await engine.dispose()
    before = await counts(drill.url)
    storage = storage_from_settings(drill.settings)
    files_before = await stored_checksums(storage)
    some_key = next(iter(files_before))
    await storage.delete(some_key)  # the restore will put it back, then must take it away

    def one_user_too_many(manifest: dict[str, Any]) -> None:
        manifest["database"]["tables"]["users"] += 1

    bad = _edit_manifest(archive, tmp_path / "miscounted.tar.gz", one_user_too_many)
    with pytest.raises(RestoreRefused, match=r"users|row counts"):
        await restore_backup(drill.settings, bad, force=True)
    assert await counts(drill.url) == before
    engine = make_engine(drill.url)
    async with engine.connect() as conn:
        names = set((await conn.execute(text("SELECT name FROM users"))).scalars())
    await engine.dispose()
    assert names == {"Changed After Backup"}
    assert some_key not in await stored_checksums(storage)


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    names = [f"salesbot-backup-2026010{n}T020000Z.tar.gz" for n in range(1, 6)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "unrelated.tar.gz").write_bytes(b"x")
    removed = prune_backups(tmp_path, keep=2)
    assert sorted(p.name for p in removed) == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == [*names[3:], "unrelated.tar.gz"]
