"""`salesbot backup`: the database and the file storage in one archive with a manifest.

The archive is a gzip'd tar:

    database/salesbot.sqlite3 | database/salesbot.pgdump   the database snapshot
    storage/<key>                                           every stored object
    manifest.json                                           written last (see `Manifest`)

The database is copied first, then the storage: an object deleted in between could be missing,
one uploaded in between is only an unreferenced extra. The archive is written under a
`.partial` name and renamed when complete, readable by its owner only (it holds everything).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, BinaryIO, Literal

from anyio import to_thread
from pydantic import BaseModel, Field, StringConstraints

from salesbot import __version__
from salesbot.files.service import storage_from_settings
from salesbot.kit.db import utcnow
from salesbot.kit.storage import Storage
from salesbot.ops.dumps import DbSnapshot, dump_database
from salesbot.settings import Settings

MANIFEST = "manifest.json"
STORAGE_PREFIX = "storage/"
DB_MEMBERS = {"sqlite": "database/salesbot.sqlite3", "postgresql": "database/salesbot.pgdump"}
ARCHIVE_PREFIX = "salesbot-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
_CHUNK = 1024 * 1024


# Table names and revisions go into the restore's checking SQL: a manifest (which a damaged or
# forged archive could carry) may hold nothing but plain identifiers there.
Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
Revision = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,64}$")]


class DatabaseEntry(BaseModel):
    dialect: Literal["sqlite", "postgresql"]
    revision: list[Revision]
    tables: dict[Identifier, Annotated[int, Field(ge=0)]]
    member: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class ObjectEntry(BaseModel):
    key: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class Manifest(BaseModel):
    format: Literal["salesbot-backup"] = "salesbot-backup"
    version: Literal[1] = 1
    created_at: datetime
    app_version: str
    database: DatabaseEntry
    storage_backend: str
    objects: list[ObjectEntry]

    def snapshot(self) -> DbSnapshot:
        db = self.database
        return DbSnapshot(db.dialect, list(db.revision), dict(db.tables))


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    manifest: Manifest


def default_archive_path(settings: Settings, now: datetime) -> Path:
    return settings.backups_dir / f"{ARCHIVE_PREFIX}{now:%Y%m%dT%H%M%SZ}{ARCHIVE_SUFFIX}"


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _open_private(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "wb")


async def _copy_object(storage: Storage, key: str, target: Path) -> tuple[str, int]:
    """Download one object to a temp file, hashing it on the way."""
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as fh:
        async for chunk in await storage.open(key):
            digest.update(chunk)
            size += len(chunk)
            await to_thread.run_sync(fh.write, chunk)
    return digest.hexdigest(), size


async def _add_storage(tar: tarfile.TarFile, storage: Storage, tmp: Path) -> list[ObjectEntry]:
    entries: list[ObjectEntry] = []
    keys = sorted([key async for key in storage.list_keys()])
    spool = tmp / "object"
    for key in keys:
        sha256, size = await _copy_object(storage, key, spool)
        await to_thread.run_sync(functools.partial(tar.add, spool, arcname=STORAGE_PREFIX + key))
        entries.append(ObjectEntry(key=key, sha256=sha256, size=size))
    spool.unlink(missing_ok=True)
    return entries


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


async def create_backup(settings: Settings, output: Path | None = None) -> BackupReport:
    """Write one archive: database snapshot, every stored object, then the manifest."""
    now = utcnow()
    path = output or default_archive_path(settings, now)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    storage = storage_from_settings(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="salesbot-backup-") as tmp_name:
            tmp = Path(tmp_name)
            dump = tmp / "database"
            snapshot = await dump_database(settings.effective_database_url, dump)
            member = DB_MEMBERS[snapshot.dialect]
            sha256, size = await to_thread.run_sync(_hash_file, dump)
            with (
                _open_private(partial) as raw,
                tarfile.open(fileobj=raw, mode="w:gz", compresslevel=3) as tar,
            ):
                await to_thread.run_sync(lambda: tar.add(dump, arcname=member))
                dump.unlink()
                objects = await _add_storage(tar, storage, tmp)
                manifest = Manifest(
                    created_at=now,
                    app_version=__version__,
                    database=DatabaseEntry(
                        dialect=snapshot.dialect,
                        revision=snapshot.revision,
                        tables=snapshot.tables,
                        member=member,
                        sha256=sha256,
                        size=size,
                    ),
                    storage_backend=settings.storage_backend,
                    objects=objects,
                )
                body = json.dumps(manifest.model_dump(mode="json"), indent=2).encode()
                _add_bytes(tar, MANIFEST, body, now.timestamp())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupReport(path=path, size=path.stat().st_size, manifest=manifest)


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives this tool wrote in `directory`."""
    archives = sorted(
        p
        for p in directory.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}")
        if p.is_file() and not p.name.endswith(".partial")
    )
    doomed = archives[:-keep] if keep > 0 else archives
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
