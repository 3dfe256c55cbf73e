"""The off-site copy: archives go to an S3-compatible bucket (moto's server), are pruned there,
and `salesbot restore --from-offsite` brings one back after the local disk is gone."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from pydantic import ValidationError

from salesbot.jobs.scheduler import JobContext
from salesbot.kit.db import Database, make_engine
from salesbot.migrations.runner import upgrade
from salesbot.ops.backup import ARCHIVE_PREFIX, ARCHIVE_SUFFIX
from salesbot.ops.schedules import scheduled_backup
from salesbot.settings import Settings
from tests.conftest import Stack, make_settings
from tests.unit.storage.conftest import ACCESS_KEY, REGION, SECRET_KEY, moto_endpoint

__all__ = ["moto_endpoint"]  # the module-scoped moto server fixture

PREFIX = "nightly/"


def _client(endpoint: str) -> Any:
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture
def bucket(moto_endpoint: str) -> str:
    name = f"backups-{uuid.uuid4().hex[:16]}"
    _client(moto_endpoint).create_bucket(Bucket=name)
    return name


def _keys(endpoint: str, bucket: str) -> list[str]:
    listed = _client(endpoint).list_objects_v2(Bucket=bucket).get("Contents", [])
    return sorted(str(item["Key"]) for item in listed)


def _archive_name(when: datetime) -> str:
    return f"{ARCHIVE_PREFIX}{when:%Y%m%dT%H%M%SZ}{ARCHIVE_SUFFIX}"


def _offsite_env(endpoint: str, bucket: str, keep: int) -> dict[str, str]:
    return {
        "SALESBOT_BACKUP_S3_BUCKET": bucket,
        "SALESBOT_BACKUP_S3_PREFIX": PREFIX,
        "SALESBOT_BACKUP_S3_KEEP": str(keep),
        "SALESBOT_BACKUP_S3_ENDPOINT": endpoint,
        "SALESBOT_BACKUP_S3_ACCESS_KEY": ACCESS_KEY,
        "SALESBOT_BACKUP_S3_SECRET_KEY": SECRET_KEY,
    }


def _cli(data_dir: Path, extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "test",
        "SALESBOT_DATA_DIR": str(data_dir),
        "SALESBOT_LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("SALESBOT_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "salesbot.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


def test_cli_backup_is_copied_off_site_pruned_there_and_restored_from_there(
    tmp_path: Path, moto_endpoint: str, bucket: str
) -> None:
    client = _client(moto_endpoint)
    now = datetime.now(UTC)
    oldest, older = _archive_name(now - timedelta(days=2)), _archive_name(now - timedelta(days=1))
    for name in (oldest, older):
        client.put_object(Bucket=bucket, Key=PREFIX + name, Body=b"an older archive")
    # Objects that are not this tool's archives are never pruned.
    client.put_object(Bucket=bucket, Key=PREFIX + "README.txt", Body=b"hands off")
    client.put_object(Bucket=bucket, Key=_archive_name(now - timedelta(days=9)), Body=b"x")
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    upgrade(f"sqlite+aiosqlite:///{source / 'salesbot.db'}")
    (source / "files" / "files").mkdir(parents=True)
    (source / "files" / "files" / "note").write_bytes(b"a stored file")
    offsite = _offsite_env(moto_endpoint, bucket, keep=2)

    made = _cli(source, offsite, "backup")

    assert made.returncode == 0, made.stderr
    local = next((source / "backups").glob(f"{ARCHIVE_PREFIX}*"))
    assert f"Off-site copy: s3://{bucket}/{PREFIX}{local.name} (1 pruned)" in made.stdout
    assert _keys(moto_endpoint, bucket) == sorted(
        [
            PREFIX + "README.txt",
            PREFIX + older,
            PREFIX + local.name,
            _archive_name(now - timedelta(days=9)),
        ]
    )
    uploaded = client.get_object(Bucket=bucket, Key=PREFIX + local.name)["Body"].read()
    assert hashlib.sha256(uploaded).digest() == hashlib.sha256(local.read_bytes()).digest()
    shutil.rmtree(source / "backups")  # the ephemeral disk is gone with the instance

    restored = _cli(target, offsite, "restore", "--from-offsite", "latest")

    assert restored.returncode == 0, restored.stderr
    assert f"Downloaded {local.name}" in restored.stdout
    assert (target / "files" / "files" / "note").read_bytes() == b"a stored file"
    missing = _cli(tmp_path / "elsewhere", offsite, "restore", "--from-offsite", "nope.tar.gz")
    assert missing.returncode == 2 and "No archive named" in missing.stderr
    both = _cli(tmp_path / "elsewhere", offsite, "restore", str(local), "--from-offsite", "latest")
    assert both.returncode == 2 and "either" in both.stderr
    unset = _cli(tmp_path / "elsewhere", {}, "restore", "--from-offsite", "latest")
    assert unset.returncode == 2 and "SALESBOT_BACKUP_S3_BUCKET" in unset.stderr


async def test_scheduled_backup_uploads_and_keeps_the_newest_off_site(
    sqlite_template: Path, tmp_path: Path, moto_endpoint: str, bucket: str
) -> None:
    db_file = tmp_path / "salesbot.db"
    shutil.copy(sqlite_template, db_file)
    stack = Stack("sqlite", f"sqlite+aiosqlite:///{db_file}", None)
    client = _client(moto_endpoint)
    now = datetime.now(UTC)
    stale = [_archive_name(now - timedelta(days=d)) for d in (3, 2, 1)]
    for name in stale:
        client.put_object(Bucket=bucket, Key=PREFIX + name, Body=b"an older archive")
    settings = make_settings(
        stack,
        tmp_path / "data",
        backup_s3_bucket=bucket,
        backup_s3_prefix=PREFIX,
        backup_s3_keep=2,
        backup_s3_endpoint=moto_endpoint,
        backup_s3_access_key=ACCESS_KEY,
        backup_s3_secret_key=SECRET_KEY,
    )
    db = Database(make_engine(stack.database_url))
    try:
        summary = await scheduled_backup(JobContext(settings, db, now))
    finally:
        await db.dispose()

    assert summary["offsite_pruned"] == 2
    assert _keys(moto_endpoint, bucket) == [PREFIX + stale[-1], PREFIX + summary["archive"]]
    local = settings.backups_dir / summary["archive"]
    uploaded = client.get_object(Bucket=bucket, Key=PREFIX + summary["archive"])["Body"].read()
    assert uploaded == local.read_bytes()


def test_the_backup_bucket_cannot_be_the_files_bucket(tmp_path: Path) -> None:
    stack = Stack("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", None)
    shared = {
        "storage_backend": "s3",
        "storage_s3_bucket": "files",
        "storage_s3_endpoint": "http://127.0.0.1:9",
    }
    with pytest.raises(ValidationError, match="another bucket"):
        make_settings(stack, tmp_path, backup_s3_bucket="files", **shared)
    elsewhere = make_settings(stack, tmp_path, backup_s3_bucket="files-backups", **shared)
    assert isinstance(elsewhere, Settings)
