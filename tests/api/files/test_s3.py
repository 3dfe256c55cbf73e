"""The files API end to end on S3-compatible storage (moto's server, through boto3)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from fastapi import FastAPI
from moto.server import ThreadedMotoServer

from salesbot.settings import Settings
from tests.conftest import Stack, make_settings
from tests.unit.files.samples import image_bytes, pdf_bytes

from .conftest import People, row_count, stored_files, upload

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"
REGION = "us-east-1"


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
def bucket(moto_endpoint: str) -> str:
    name = f"files-{uuid.uuid4().hex[:20]}"
    s3_client(moto_endpoint).create_bucket(Bucket=name)
    return name


def s3_client(endpoint: str) -> Any:
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture
def settings(stack: Stack, tmp_path: Path, moto_endpoint: str, bucket: str) -> Settings:
    return make_settings(
        stack,
        tmp_path / "data",
        storage_backend="s3",
        storage_s3_endpoint=moto_endpoint,
        storage_s3_bucket=bucket,
        storage_s3_region=REGION,
        storage_s3_access_key=ACCESS_KEY,
        storage_s3_secret_key=SECRET_KEY,
        storage_s3_presign_seconds=600,
    )


def objects(moto_endpoint: str, bucket: str) -> dict[str, Any]:
    client = s3_client(moto_endpoint)
    listing = client.list_objects_v2(Bucket=bucket)
    return {
        item["Key"]: client.head_object(Bucket=bucket, Key=item["Key"])
        for item in listing.get("Contents", [])
    }


async def test_upload_and_presigned_download(
    app: FastAPI, client: httpx.AsyncClient, people: People, moto_endpoint: str, bucket: str
):
    pdf = pdf_bytes(["Proposal for Nike"])
    png = image_bytes("PNG", (30, 20))
    response = await upload(
        client, people.owner, ("Nike – proposal.pdf", pdf, None), ("photo.png", png, None)
    )
    assert response.status_code == 201, response.text
    pdf_item, png_item = response.json()

    stored = objects(moto_endpoint, bucket)
    assert sorted(stored) == sorted(
        f"files/{pdf_item['created_at'][:4]}/{pdf_item['created_at'][5:7]}/{item['id']}"
        for item in (pdf_item, png_item)
    )
    assert {head["ContentType"] for head in stored.values()} == {"application/pdf", "image/png"}
    assert stored_files(app) == []  # nothing on local disk: no temp files, no local store

    download = await client.get(str(pdf_item["download_url"]), headers=people.owner.headers)
    assert download.status_code == 307
    assert download.headers["cache-control"] == "no-store"
    location = download.headers["location"]
    assert location.startswith(moto_endpoint)
    query = parse_qs(urlsplit(location).query)
    assert int(query["X-Amz-Expires"][0]) == 600 <= 3600
    # The signed URL works without our credentials, and names the file safely.
    async with httpx.AsyncClient() as outside:
        fetched = await outside.get(location)
    assert fetched.status_code == 200
    assert fetched.content == pdf
    assert fetched.headers["content-type"] == "application/pdf"
    disposition = fetched.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Nike  proposal.pdf"')  # ASCII fallback
    assert "filename*=UTF-8''Nike%20%E2%80%93%20proposal.pdf" in disposition

    # Inline previews are served through the app, ranges included.
    preview = await client.get(
        str(png_item["preview_url"]), headers={**people.owner.headers, "Range": "bytes=0-7"}
    )
    assert preview.status_code == 206
    assert preview.content == png[:8]
    assert preview.headers["content-disposition"].startswith("inline;")

    # Someone else gets no redirect, no URL: a plain 404.
    theirs = await client.get(str(pdf_item["download_url"]), headers=people.other.headers)
    assert theirs.status_code == 404 and "location" not in theirs.headers


async def test_refused_uploads_leave_the_bucket_empty(
    app: FastAPI, client: httpx.AsyncClient, people: People, moto_endpoint: str, bucket: str
):
    html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    response = await upload(
        client,
        people.owner,
        ("good.png", image_bytes("PNG"), None),
        ("invoice.pdf", html, "application/pdf"),
    )
    assert response.status_code == 415
    assert (
        response.json()["error"]["message"] == "File type not allowed: HTML content in a .pdf file"
    )
    assert objects(moto_endpoint, bucket) == {}  # the good file stored first was removed
    assert stored_files(app) == []
    assert await row_count(app) == 0


async def test_delete_removes_the_object(
    client: httpx.AsyncClient, people: People, moto_endpoint: str, bucket: str
):
    response = await upload(client, people.owner, ("notes.txt", b"hello\n", None))
    item = response.json()[0]
    assert len(objects(moto_endpoint, bucket)) == 1
    deleted = await client.delete(f"/api/files/{item['id']}", headers=people.owner.headers)
    assert deleted.status_code == 204
    assert objects(moto_endpoint, bucket) == {}
