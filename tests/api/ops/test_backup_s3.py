"""Backup and restore with the file storage in an S3-compatible bucket (moto's server)."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3
import pytest

from salesbot.files.service import storage_from_settings
from salesbot.migrations.runner import upgrade
from salesbot.ops.backup import create_backup
from salesbot.ops.restore import restore_backup
from salesbot.settings import Settings
from tests.api.ops.conftest import counts, stored_checksums
from tests.conftest import Stack, make_settings
from tests.unit.storage.conftest import ACCESS_KEY, REGION, SECRET_KEY, moto_endpoint

__all__ = ["moto_endpoint"]  # the module-scoped moto server fixture


def _s3_settings(tmp_path: Path, endpoint: str, name: str) -> Settings:
    bucket = f"{name}-{uuid.uuid4().hex[:16]}"
    boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    ).create_bucket(Bucket=bucket)
    stack = Stack("sqlite", f"sqlite+aiosqlite:///{tmp_path / name}.db", None)
    settings = make_settings(
        stack,
        tmp_path / name,
        storage_backend="s3",
        storage_s3_endpoint=endpoint,
        storage_s3_bucket=bucket,
        storage_s3_region=REGION,
        storage_s3_access_key=ACCESS_KEY,
        storage_s3_secret_key=SECRET_KEY,
    )
    upgrade(stack.database_url)
    return settings


@pytest.fixture
def source(tmp_path: Path, moto_endpoint: str) -> Settings:
    return _s3_settings(tmp_path, moto_endpoint, "source")


@pytest.fixture
def target(tmp_path: Path, moto_endpoint: str) -> Settings:
    return _s3_settings(tmp_path, moto_endpoint, "target")


async def test_bucket_backup_restores_into_an_empty_bucket(
    tmp_path: Path, source: Settings, target: Settings
) -> None:
    storage = storage_from_settings(source)
    for n in range(3):
        blob = tmp_path / f"blob{n}"
        blob.write_bytes(bytes([n]) * (1000 + n))
        await storage.put(f"files/2026/12/object-{n}", blob, "application/octet-stream")
    archive = (await create_backup(source, tmp_path / "s3.tar.gz")).path

    report = await restore_backup(target, archive)

    assert report.objects == 3
    assert await stored_checksums(storage_from_settings(target)) == await stored_checksums(storage)
    assert await counts(target.effective_database_url) == await counts(
        source.effective_database_url
    )
