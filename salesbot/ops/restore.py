"""`salesbot restore`: check an archive completely, then restore it all or nothing.

1. The archive is read once into a staging directory: every member is hashed on the way and
   checked against the manifest (a damaged, cut-short or tampered archive stops here, with the
   reason, before anything is touched).
2. The target must be empty (no rows, no stored objects) unless `force` is given.
3. The objects are stored and read back against their checksums; then the database is
   replaced in one step (SQLite: a checked copy renamed into place; PostgreSQL: one transaction
   that also checks every table's count). If either fails, the objects it added are removed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from alembic.script import ScriptDirectory
from anyio import to_thread
from pydantic import ValidationError

from salesbot.files.service import storage_from_settings
from salesbot.kit.db import is_sqlite
from salesbot.kit.storage import InvalidKey, Storage, validate_key
from salesbot.migrations.runner import alembic_config
from salesbot.ops.backup import DB_MEMBERS, MANIFEST, STORAGE_PREFIX, Manifest
from salesbot.ops.dumps import DumpError, live_snapshot, restore_database
from salesbot.settings import Settings

_CHUNK = 1024 * 1024
_MAX_MANIFEST = 64 * 1024 * 1024


class RestoreRefused(Exception):
    """The restore did not start or was undone; the message says why (safe to show)."""


@dataclass(frozen=True)
class Staged:
    manifest: Manifest
    database: Path
    objects: dict[str, Path]


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    objects: int
    revision: list[str]


def _copy_member(source: IO[bytes], target: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _member_path(name: str, staging: Path, objects: dict[str, Path]) -> Path:
    """Where a member is staged; anything but the known names is refused."""
    if name in DB_MEMBERS.values():
        return staging / "database"
    if name.startswith(STORAGE_PREFIX):
        key = name[len(STORAGE_PREFIX) :]
        try:
            validate_key(key)
        except InvalidKey as exc:
            raise RestoreRefused(f"The archive holds an unsafe file name ({exc}).") from exc
        if key in objects:
            raise RestoreRefused("The archive holds the same file twice.")
        path = staging / "objects" / str(len(objects))
        objects[key] = path
        return path
    raise RestoreRefused("The archive holds a file a backup never contains.")


def _read_archive(
    archive: Path, staging: Path
) -> tuple[bytes, dict[str, tuple[str, int]], dict[str, Path]]:
    """Stream every member into staging, hashing each one."""
    (staging / "objects").mkdir()
    hashes: dict[str, tuple[str, int]] = {}
    objects: dict[str, Path] = {}
    manifest: bytes | None = None
    # gzip's own reader checks the CRC and length at the end (tarfile's stream mode does not).
    with gzip.open(archive, "rb") as raw, tarfile.open(fileobj=raw, mode="r|") as tar:
        for member in tar:
            if not member.isfile():
                raise RestoreRefused("The archive holds something other than regular files.")
            source = tar.extractfile(member)
            if source is None:
                raise RestoreRefused("The archive holds an unreadable entry.")
            if member.name == MANIFEST:
                if member.size > _MAX_MANIFEST:
                    raise RestoreRefused("The archive's manifest is implausibly large.")
                manifest = source.read()
                continue
            target = _member_path(member.name, staging, objects)
            if member.name in hashes:
                raise RestoreRefused("The archive holds the same file twice.")
            hashes[member.name] = _copy_member(source, target)
        # Read to the very end so gzip checks its CRC and length: damage past the last
        # readable header must not pass for the end of the archive.
        while raw.read(_CHUNK):
            pass
    if manifest is None:
        raise RestoreRefused("The archive has no manifest: it is incomplete or not a backup.")
    return manifest, hashes, objects


def stage_archive(archive: Path, staging: Path) -> Staged:
    """Read and check the whole archive (blocking); RestoreRefused says what is wrong."""
    if not archive.is_file():
        raise RestoreRefused("The archive does not exist.")
    try:
        raw, hashes, objects = _read_archive(archive, staging)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise RestoreRefused(
            f"The archive is damaged or cut short ({type(exc).__name__}: {str(exc)[:120]})."
        ) from exc
    try:
        manifest = Manifest.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        raise RestoreRefused("The archive's manifest is not a valid backup manifest.") from exc
    db = manifest.database
    if db.member != DB_MEMBERS[db.dialect] or hashes.get(db.member) != (db.sha256, db.size):
        raise RestoreRefused("The database in the archive does not match its manifest checksum.")
    listed = {entry.key: entry for entry in manifest.objects}
    if set(listed) != set(objects):
        raise RestoreRefused("The archive's files differ from the list in its manifest.")
    for key, entry in listed.items():
        if hashes.get(STORAGE_PREFIX + key) != (entry.sha256, entry.size):
            raise RestoreRefused("A file in the archive does not match its manifest checksum.")
    return Staged(manifest, staging / "database", objects)


def _check_revision_known(settings: Settings, manifest: Manifest) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(settings.effective_database_url))
    for revision in manifest.database.revision:
        try:
            scripts.get_revision(revision)
        except Exception as exc:
            raise RestoreRefused(
                "The backup was made by a newer version of Sales Proposal Bot (unknown schema "
                "revision): restore it with that version."
            ) from exc


async def _check_target(
    settings: Settings, staged: Staged, storage: Storage, force: bool
) -> set[str]:
    url = settings.effective_database_url
    dialect = "sqlite" if is_sqlite(url) else "postgresql"
    if staged.manifest.database.dialect != dialect:
        raise RestoreRefused(
            f"The archive holds a {staged.manifest.database.dialect} database; "
            f"the configured database is {dialect}."
        )
    existing = {key async for key in storage.list_keys()}
    if force:
        return existing
    current = await live_snapshot(url)
    busy = current.non_empty_tables() if current else []
    if busy:
        raise RestoreRefused(
            "The target database is not empty (" + ", ".join(busy[:5]) + "): "
            "restore into an empty database, or pass --force to replace it."
        )
    if existing:
        raise RestoreRefused(
            f"The file storage is not empty ({len(existing)} objects): restore into empty "
            "storage, or pass --force to replace it."
        )
    return existing


async def _hash_stored(storage: Storage, key: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    async for chunk in await storage.open(key):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


async def _put_objects(storage: Storage, staged: Staged, added: list[str]) -> None:
    for entry in staged.manifest.objects:
        await storage.put(entry.key, staged.objects[entry.key], "application/octet-stream")
        added.append(entry.key)
        if await _hash_stored(storage, entry.key) != (entry.sha256, entry.size):
            raise RestoreRefused("A restored file did not read back as archived.")


async def restore_backup(
    settings: Settings, archive: Path, *, force: bool = False
) -> RestoreReport:
    """Restore `archive` into the configured database and storage, all or nothing."""
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    storage = storage_from_settings(settings)
    with tempfile.TemporaryDirectory(prefix="restore-", dir=settings.tmp_dir) as tmp:
        staged = await to_thread.run_sync(stage_archive, archive, Path(tmp))
        _check_revision_known(settings, staged.manifest)
        existing = await _check_target(settings, staged, storage, force)
        added: list[str] = []
        try:
            await _put_objects(storage, staged, added)
            await restore_database(
                settings.effective_database_url, staged.database, staged.manifest.snapshot()
            )
        except BaseException as exc:
            for key in added:
                if key not in existing:
                    await storage.delete(key)
            if isinstance(exc, DumpError):
                raise RestoreRefused(str(exc)) from exc
            raise
        for key in existing - {entry.key for entry in staged.manifest.objects}:
            await storage.delete(key)
    tables = staged.manifest.database.tables
    return RestoreReport(
        tables=len(tables),
        rows=sum(tables.values()),
        objects=len(staged.manifest.objects),
        revision=staged.manifest.database.revision,
    )
