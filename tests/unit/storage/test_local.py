import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesbot.kit.storage import (
    InvalidExpiry,
    InvalidKey,
    InvalidRange,
    LocalStorage,
    ObjectNotFound,
)


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def read_all(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


def leftovers(storage: LocalStorage) -> list[str]:
    tmp = storage.root / ".tmp"
    return sorted(os.listdir(tmp)) if tmp.exists() else []


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "store", chunk_size=4)


async def test_put_from_a_file_and_read_back(storage: LocalStorage, tmp_path: Path):
    source = tmp_path / "upload.bin"
    source.write_bytes(b"hello, storage")
    await storage.put("files/2025/a.bin", source, "application/octet-stream")
    assert (storage.root / "files/2025/a.bin").read_bytes() == b"hello, storage"
    assert source.exists(), "put copies; the caller decides what happens to its file"
    assert await read_all(await storage.open("files/2025/a.bin")) == b"hello, storage"
    assert await storage.size("files/2025/a.bin") == 14
    assert await storage.exists("files/2025/a.bin")
    assert leftovers(storage) == []


async def test_put_from_a_stream(storage: LocalStorage):
    await storage.put("k", chunks(b"ab", b"", b"cdef", b"g"), "text/plain")
    assert await read_all(await storage.open("k")) == b"abcdefg"


async def test_reads_come_in_bounded_chunks(storage: LocalStorage):
    await storage.put("k", chunks(b"0123456789"), "text/plain")
    got = [chunk async for chunk in await storage.open("k")]
    assert got == [b"0123", b"4567", b"89"]


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
async def test_ranged_reads(storage: LocalStorage, start, end, expected):
    await storage.put("k", chunks(b"0123456789"), "text/plain")
    assert await read_all(await storage.open("k", start, end)) == expected


@pytest.mark.parametrize(("start", "end"), [(11, None), (-1, None), (5, 2)])
async def test_impossible_ranges_are_refused_before_streaming(storage: LocalStorage, start, end):
    await storage.put("k", chunks(b"0123456789"), "text/plain")
    with pytest.raises(InvalidRange):
        await storage.open("k", start, end)


async def test_overwrite_replaces_the_object(storage: LocalStorage):
    await storage.put("k", chunks(b"first version"), "text/plain")
    await storage.put("k", chunks(b"second"), "text/plain")
    assert await read_all(await storage.open("k")) == b"second"


async def test_missing_objects(storage: LocalStorage):
    with pytest.raises(ObjectNotFound):
        await storage.open("nope")
    with pytest.raises(ObjectNotFound):
        await storage.size("nope")
    assert not await storage.exists("nope")
    await storage.delete("nope")


async def test_delete_removes_the_object(storage: LocalStorage):
    await storage.put("a/b", chunks(b"x"), "text/plain")
    await storage.delete("a/b")
    assert not await storage.exists("a/b")
    assert not (storage.root / "a/b").exists()


async def test_a_failing_stream_leaves_the_old_object_and_no_temp_file(storage: LocalStorage):
    await storage.put("k", chunks(b"original"), "text/plain")

    async def broken() -> AsyncIterator[bytes]:
        yield b"partial data"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.put("k", broken(), "text/plain")
    with pytest.raises(ConnectionResetError):
        await storage.put("new", broken(), "text/plain")
    assert await read_all(await storage.open("k")) == b"original"
    assert not await storage.exists("new")
    assert leftovers(storage) == []


async def test_a_cancelled_put_leaves_no_temp_file(storage: LocalStorage):
    started = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield b"some bytes"
        started.set()
        await asyncio.Event().wait()  # the client stops sending
        yield b"never"

    task = asyncio.create_task(storage.put("k", stalled(), "text/plain"))
    await started.wait()
    assert len(leftovers(storage)) == 1, "the write goes to a temp file first"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert leftovers(storage) == []
    assert not await storage.exists("k")


@pytest.mark.parametrize("key", ["../outside", "/etc/passwd", "a/../../b", ".tmp/x", "a b"])
async def test_every_operation_refuses_unsafe_keys(storage: LocalStorage, key, tmp_path: Path):
    with pytest.raises(InvalidKey):
        await storage.put(key, chunks(b"x"), "text/plain")
    with pytest.raises(InvalidKey):
        await storage.open(key)
    with pytest.raises(InvalidKey):
        await storage.size(key)
    with pytest.raises(InvalidKey):
        await storage.delete(key)
    with pytest.raises(InvalidKey):
        await storage.exists(key)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


async def test_a_symlink_out_of_the_root_is_not_followed(storage: LocalStorage, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    storage.root.mkdir(parents=True)
    (storage.root / "link").symlink_to(outside)
    with pytest.raises(InvalidKey):
        await storage.put("link/x", chunks(b"x"), "text/plain")
    assert list(outside.iterdir()) == []


async def test_local_storage_has_no_presigned_urls(storage: LocalStorage):
    assert await storage.presigned_url("k", "a.pdf", "application/pdf") is None
    assert await storage.presigned_url("k", "a.pdf", "application/pdf", expires_s=3600) is None
    for bad in (0, 3601):
        with pytest.raises(InvalidExpiry):
            await storage.presigned_url("k", "a.pdf", "application/pdf", expires_s=bad)


@settings(max_examples=40, deadline=None)
@given(
    data=st.binary(max_size=300),
    start=st.integers(min_value=0, max_value=300),
    length=st.none() | st.integers(min_value=0, max_value=300),
    chunk=st.integers(min_value=1, max_value=64),
)
def test_any_range_reads_exactly_the_slice(data, start, length, chunk):
    end = None if length is None else start + length

    async def scenario(root: str) -> bytes:
        storage = LocalStorage(root, chunk_size=chunk)
        await storage.put("k", chunks(data[:7], data[7:]), "application/octet-stream")
        return await read_all(await storage.open("k", start, end))

    with tempfile.TemporaryDirectory() as root:
        if start > len(data):
            with pytest.raises(InvalidRange):
                asyncio.run(scenario(root))
        else:
            assert asyncio.run(scenario(root)) == data[start:end]


async def test_list_keys_skips_temp_files_and_foreign_names(storage: LocalStorage):
    await storage.put("files/2026/01/a", chunks(b"a"), "text/plain")
    await storage.put("b", chunks(b"b"), "text/plain")
    (storage.root / ".tmp" / "put-x.part").write_bytes(b"half")
    (storage.root / "files" / "bad name").write_bytes(b"not ours")
    assert sorted([key async for key in storage.list_keys()]) == ["b", "files/2026/01/a"]


async def test_list_keys_of_a_missing_root_is_empty(tmp_path: Path):
    assert [key async for key in LocalStorage(tmp_path / "never-made").list_keys()] == []


async def test_modified_at_reads_the_files_time(storage: LocalStorage, tmp_path: Path):
    from datetime import UTC, datetime, timedelta

    source = tmp_path / "src"
    source.write_bytes(b"x")
    await storage.put("files/2026/01/dated", source, "text/plain")
    past = datetime.now(UTC) - timedelta(days=3)
    os.utime(storage.root / "files/2026/01/dated", (past.timestamp(), past.timestamp()))
    written = await storage.modified_at("files/2026/01/dated")
    assert written.tzinfo is not None and abs((written - past).total_seconds()) < 1
    with pytest.raises(ObjectNotFound):
        await storage.modified_at("files/2026/01/never")
