"""S3Storage against a real S3-compatible HTTP server (moto server mode, see conftest)."""

import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from salesbot.kit.storage import (
    InvalidExpiry,
    InvalidKey,
    InvalidRange,
    ObjectNotFound,
    content_disposition,
)
from salesbot.kit.storage.s3 import MIN_PART_SIZE

from .conftest import S3Env

MIB = 1024 * 1024


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def read_all(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


def etag(env: S3Env, key: str) -> str:
    return str(env.client.head_object(Bucket=env.bucket, Key=key)["ETag"]).strip('"')


async def test_put_small_file_and_read_back(s3: S3Env, tmp_path: Path):
    source = tmp_path / "a.pdf"
    source.write_bytes(b"%PDF-1.4 tiny")
    await s3.storage.put("files/a.pdf", source, "application/pdf")
    head = s3.client.head_object(Bucket=s3.bucket, Key="files/a.pdf")
    assert head["ContentType"] == "application/pdf"
    assert head["ContentLength"] == 13
    assert await read_all(await s3.storage.open("files/a.pdf")) == b"%PDF-1.4 tiny"
    assert await s3.storage.size("files/a.pdf") == 13
    assert await s3.storage.exists("files/a.pdf")


async def test_big_file_goes_up_in_multipart(s3: S3Env, tmp_path: Path):
    data = os.urandom(2 * MIN_PART_SIZE + 123)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    await s3.storage.put("big", source, "application/octet-stream")
    assert etag(s3, "big").endswith("-3"), "a multipart ETag names its part count"
    got = await read_all(await s3.storage.open("big"))
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()


async def test_stream_upload_uses_multipart_with_bounded_parts(s3: S3Env):
    block = os.urandom(MIB)
    await s3.storage.put("streamed", chunks(*[block] * 11), "application/octet-stream")
    assert etag(s3, "streamed").endswith("-3")  # 5 MiB + 5 MiB + 1 MiB
    assert await s3.storage.size("streamed") == 11 * MIB
    assert await read_all(await s3.storage.open("streamed", 5 * MIB - 2, 5 * MIB + 2)) == (
        block[-2:] + block[:2]
    )


async def test_small_stream_is_a_single_put(s3: S3Env):
    await s3.storage.put("small", chunks(b"ab", b"cd"), "text/csv")
    assert "-" not in etag(s3, "small")
    head = s3.client.head_object(Bucket=s3.bucket, Key="small")
    assert head["ContentType"] == "text/csv"
    assert await read_all(await s3.storage.open("small")) == b"abcd"


async def test_empty_stream_stores_an_empty_object(s3: S3Env):
    await s3.storage.put("empty", chunks(), "text/plain")
    assert await s3.storage.size("empty") == 0
    assert await read_all(await s3.storage.open("empty")) == b""


async def test_failed_stream_aborts_the_multipart_upload(s3: S3Env):
    async def broken() -> AsyncIterator[bytes]:
        yield os.urandom(MIN_PART_SIZE + 10)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await s3.storage.put("broken", broken(), "application/octet-stream")
    assert not await s3.storage.exists("broken")
    uploads = s3.client.list_multipart_uploads(Bucket=s3.bucket)
    assert uploads.get("Uploads", []) == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, None, b"0123456789"),
        (2, 5, b"234"),
        (5, None, b"56789"),
        (7, 100, b"789"),
        (3, 3, b""),
        (10, None, b""),
    ],
)
async def test_ranged_reads(s3: S3Env, start, end, expected):
    await s3.storage.put("r", chunks(b"0123456789"), "text/plain")
    assert await read_all(await s3.storage.open("r", start, end)) == expected


@pytest.mark.parametrize(("start", "end"), [(11, None), (-1, None), (5, 2)])
async def test_impossible_ranges_are_refused(s3: S3Env, start, end):
    await s3.storage.put("r", chunks(b"0123456789"), "text/plain")
    with pytest.raises(InvalidRange):
        await s3.storage.open("r", start, end)


async def test_reads_stream_in_chunks(s3: S3Env):
    data = os.urandom(200 * 1024)
    await s3.storage.put("c", chunks(data), "application/octet-stream")
    got = [chunk async for chunk in await s3.storage.open("c")]
    assert len(got) >= 4
    assert max(len(c) for c in got) <= 64 * 1024
    assert b"".join(got) == data


async def test_missing_objects_and_delete(s3: S3Env):
    with pytest.raises(ObjectNotFound):
        await s3.storage.open("missing")
    with pytest.raises(ObjectNotFound):
        await s3.storage.open("missing", 2, 2)
    with pytest.raises(ObjectNotFound):
        await s3.storage.size("missing")
    assert not await s3.storage.exists("missing")
    await s3.storage.delete("missing")
    await s3.storage.put("d", chunks(b"x"), "text/plain")
    await s3.storage.delete("d")
    assert not await s3.storage.exists("d")


async def test_presigned_url_downloads_with_safe_headers(s3: S3Env):
    await s3.storage.put("files/p.pdf", chunks(b"%PDF-1.7 body"), "application/pdf")
    filename = 'Dubaï "Mall" proposal.pdf'
    url = await s3.storage.presigned_url("files/p.pdf", filename, "application/pdf", 120)
    assert url is not None
    assert "X-Amz-Expires=120" in url
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 body"
    assert response.headers["content-disposition"] == content_disposition(filename)
    assert response.headers["content-type"] == "application/pdf"


async def test_presigned_lifetime_is_bounded(s3: S3Env):
    for bad in (0, -5, 3601, 86_400):
        with pytest.raises(InvalidExpiry):
            await s3.storage.presigned_url("k", "a.pdf", "application/pdf", bad)


@pytest.mark.parametrize("key", ["../x", "/abs", "a//b", ".hidden"])
async def test_unsafe_keys_are_refused(s3: S3Env, key):
    with pytest.raises(InvalidKey):
        await s3.storage.put(key, chunks(b"x"), "text/plain")
    with pytest.raises(InvalidKey):
        await s3.storage.open(key)
    with pytest.raises(InvalidKey):
        await s3.storage.presigned_url(key, "a", "text/plain")


async def test_list_keys_pages_through_the_bucket(s3: S3Env):
    s3.storage.list_page_size = 2  # several ListObjectsV2 pages for five objects
    keys = {f"files/2026/0{n}/k{n}" for n in range(5)}
    for key in keys:
        await s3.storage.put(key, chunks(key.encode()), "text/plain")
    assert {key async for key in s3.storage.list_keys()} == keys


async def test_modified_at_is_when_the_object_was_written(s3: S3Env):
    from datetime import UTC, datetime, timedelta

    before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    await s3.storage.put("files/2026/01/dated", chunks(b"x"), "text/plain")
    written = await s3.storage.modified_at("files/2026/01/dated")
    stated = s3.client.head_object(Bucket=s3.bucket, Key="files/2026/01/dated")["LastModified"]
    assert written == stated and written.tzinfo is not None
    assert before <= written <= datetime.now(UTC) + timedelta(seconds=1)
    with pytest.raises(ObjectNotFound):
        await s3.storage.modified_at("files/2026/01/never")
