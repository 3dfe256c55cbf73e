"""The off-site copy of backups: archives uploaded to an S3-compatible bucket.

A local folder on a host with an ephemeral disk (Render) is no backup, so when
`SALESBOT_BACKUP_S3_BUCKET` is set every archive `salesbot backup` writes is uploaded there
under `SALESBOT_BACKUP_S3_PREFIX`, the newest `SALESBOT_BACKUP_S3_KEEP` are kept, and
`salesbot restore --from-offsite latest|NAME` downloads one before restoring it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from anyio import to_thread

from salesbot.kit.storage import Storage, make_storage
from salesbot.ops.backup import ARCHIVE_PREFIX, ARCHIVE_SUFFIX
from salesbot.settings import Settings

ARCHIVE_TYPE = "application/gzip"
# What `salesbot backup` names its archives (a UTC timestamp, so names sort by age).
_NAME = re.compile(
    re.escape(ARCHIVE_PREFIX) + r"[0-9]{8}T[0-9]{6}Z(-[A-Za-z0-9_.-]+)?" + re.escape(ARCHIVE_SUFFIX)
)


class OffsiteError(Exception):
    """The off-site copy is not configured, or the asked-for archive is not there."""


def offsite_storage(settings: Settings) -> Storage | None:
    """The backup bucket, or None when no off-site copy is configured."""
    if not settings.backup_s3_bucket:
        return None
    secret = settings.backup_s3_secret_key or settings.storage_s3_secret_key
    return make_storage(
        "s3",
        bucket=settings.backup_s3_bucket,
        endpoint_url=settings.backup_s3_endpoint or settings.storage_s3_endpoint,
        region=settings.backup_s3_region or settings.storage_s3_region,
        access_key=settings.backup_s3_access_key or settings.storage_s3_access_key,
        secret_key=secret.get_secret_value() if secret else None,
    )


def _required(settings: Settings) -> Storage:
    storage = offsite_storage(settings)
    if storage is None:
        raise OffsiteError("No off-site copy is configured (set SALESBOT_BACKUP_S3_BUCKET).")
    return storage


async def upload_archive(settings: Settings, archive: Path) -> str | None:
    """Upload one archive; its key, or None when no off-site copy is configured."""
    storage = offsite_storage(settings)
    if storage is None:
        return None
    key = settings.backup_s3_prefix + archive.name
    await storage.put(key, archive, ARCHIVE_TYPE)
    return key


async def list_archives(settings: Settings) -> list[str]:
    """The archive names under the prefix, oldest first (other objects are left alone)."""
    storage = _required(settings)
    prefix = settings.backup_s3_prefix
    names = [
        key[len(prefix) :]
        async for key in storage.list_keys()
        if key.startswith(prefix) and _NAME.fullmatch(key[len(prefix) :])
    ]
    return sorted(names)


async def prune_archives(settings: Settings) -> list[str]:
    """Delete all but the newest `backup_s3_keep` archives; the names deleted."""
    storage = _required(settings)
    names = await list_archives(settings)
    doomed = names[: -settings.backup_s3_keep]
    for name in doomed:
        await storage.delete(settings.backup_s3_prefix + name)
    return doomed


async def download_archive(settings: Settings, which: str, directory: Path) -> Path:
    """Fetch `which` (an archive name, or `latest`) into `directory`; the local path."""
    storage = _required(settings)
    names = await list_archives(settings)
    if which == "latest":
        if not names:
            raise OffsiteError("There is no archive in the off-site copy yet.")
        which = names[-1]
    if which not in names:
        raise OffsiteError(f"No archive named {which!r} in the off-site copy.")
    await to_thread.run_sync(lambda: directory.mkdir(parents=True, exist_ok=True))
    target = directory / which
    partial = target.with_name(target.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            async for chunk in await storage.open(settings.backup_s3_prefix + which):
                await to_thread.run_sync(fh.write, chunk)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target
