"""A 1 GB upload must stream through in bounded memory (a memory bound, not a timing test)."""

import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from salesbot.files.validation import receive_upload

from .samples import stream_of

pytestmark = pytest.mark.slow

MIB = 1024 * 1024
GIB = 1024 * MIB


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRss:
    """Samples resident memory from a side thread, so the validation phase is covered too."""

    def __init__(self) -> None:
        self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


async def test_a_1gb_upload_does_not_grow_memory(tmp_path: Path):
    # Warm up first: the libmagic database, worker threads and code paths load once.
    warm = await receive_upload(stream_of(b"warm up\n"), "w.txt", None, tmp_path, MIB)
    warm.path.unlink()

    block = b"Dubai Mall, 1000\n" * (MIB // 17) + b"x" * (MIB % 17)  # one reused 1 MiB chunk
    assert len(block) == MIB

    async def one_gigabyte() -> AsyncIterator[bytes]:
        for _ in range(GIB // MIB):
            yield block  # generated lazily: nothing accumulates in the test itself

    baseline = rss_bytes()
    with PeakRss() as rss:
        result = await receive_upload(one_gigabyte(), "big.csv", None, tmp_path, 2 * GIB)
    try:
        assert result.size == GIB
        assert result.kind == "csv"
        assert rss.peak - baseline < 8 * MIB, f"RSS grew by {(rss.peak - baseline) / MIB:.1f} MiB"
    finally:
        result.path.unlink()
