"""A real S3-compatible endpoint for the S3Storage tests: moto in server mode on localhost."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from salesbot.kit.storage.s3 import MIN_PART_SIZE, S3Storage

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Env:
    storage: S3Storage
    client: Any  # a raw boto3 client, to look at what really landed in the bucket
    bucket: str


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(moto_endpoint: str) -> S3Env:
    bucket = f"test-{uuid.uuid4().hex[:20]}"
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=bucket)
    storage = S3Storage(
        bucket,
        endpoint_url=moto_endpoint,
        region=REGION,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        part_size=MIN_PART_SIZE,
        chunk_size=64 * 1024,
    )
    return S3Env(storage=storage, client=client, bucket=bucket)
