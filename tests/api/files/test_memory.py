"""A 1 GB upload through POST /api/files stays in bounded memory (a memory bound, not timing)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from salesbot.settings import Settings
from tests.conftest import Stack, make_settings

from .conftest import BOUNDARY, MULTIPART_TYPE, People, stored_files

pytestmark = pytest.mark.slow

MIB = 1024 * 1024
GIB = 1024 * MIB


@pytest.fixture
def stack(sqlite_template: Path, tmp_path: Path) -> Stack:
    # Memory use does not depend on the database; one run of 1 GB is enough.
    db_file = tmp_path / "salesbot.db"
    shutil.copy(sqlite_template, db_file)
    return Stack("sqlite", f"sqlite+aiosqlite:///{db_file}", None)


@pytest.fixture
def settings(stack: Stack, tmp_path: Path) -> Settings:
    return make_settings(stack, tmp_path / "data", max_upload_mb=2048)


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """Samples resident memory from a side thread, so every phase of the upload is covered."""

    def __init__(self) -> None:
        self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


async def pdf_upload_body(size: int) -> AsyncIterator[bytes]:
    """A multipart body holding a `size`-byte PDF, generated lazily from one reused chunk."""
    yield (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="files"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    # A real PDF (uploads are parsed): one page whose content stream holds the bulk.
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    offsets.append(len(out))
    tail_size = 400  # the xref and trailer written after the stream, padded to this size
    length = size - len(out) - len(b"4 0 obj\n<< /Length  >>\nstream\n") - 10 - tail_size
    length += 10 - len(str(length))  # the digits of the length itself
    out += f"4 0 obj\n<< /Length {length} >>\nstream\n".encode()
    yield bytes(out)
    written = len(out)
    block = b"0" * MIB
    remaining = length
    while remaining > 0:
        yield block[: min(MIB, remaining)]
        remaining -= MIB
    written += length
    tail = b"\nendstream\nendobj\n"
    xref = written + len(tail)
    tail += b"xref\n0 5\n0000000000 65535 f \n"
    tail += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    tail += f"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    yield tail + b"\n" * (tail_size - len(tail))
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


async def post(client: httpx.AsyncClient, people: People, size: int) -> httpx.Response:
    return await client.post(
        "/api/files",
        content=pdf_upload_body(size),
        headers={**people.owner.headers, "Content-Type": MULTIPART_TYPE},
        timeout=None,
    )


async def test_a_1gb_upload_streams_in_bounded_memory(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    # Warm up: libmagic's database, worker threads, SQL statements and code paths load once.
    warm = await post(client, people, 8 * MIB)
    assert warm.status_code == 201, warm.text
    await client.delete(f"/api/files/{warm.json()[0]['id']}", headers=people.owner.headers)

    baseline = rss_bytes()
    with PeakRss() as rss:
        response = await post(client, people, GIB)
    assert response.status_code == 201, response.text
    item = response.json()[0]
    try:
        assert item["size"] == GIB and item["kind"] == "pdf"
        grown = rss.peak - baseline
        assert grown < 8 * MIB, f"RSS grew by {grown / MIB:.1f} MiB"
        assert [Path(p).name for p in stored_files(app)] == [item["id"]]  # no temp file left
    finally:
        await client.delete(f"/api/files/{item['id']}", headers=people.owner.headers)
