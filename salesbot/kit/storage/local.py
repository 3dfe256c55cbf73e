"""Storage in a local directory: atomic writes, chunked reads, blocking I/O kept off the loop."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from anyio import to_thread

from salesbot.kit.storage.base import (
    CHUNK_SIZE,
    DEFAULT_PRESIGN_SECONDS,
    InvalidKey,
    ObjectNotFound,
    Source,
    Storage,
    check_expiry,
    resolve_range,
    validate_key,
)

# Valid keys never start with a dot, so this directory cannot collide with an object.
_TMP_DIR = ".tmp"


class LocalStorage(Storage):
    """Objects are files under `root`; each put lands via a temp file and os.replace."""

    def __init__(self, root: Path | str, chunk_size: int = CHUNK_SIZE) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self.root = Path(root).resolve()
        self._chunk_size = chunk_size

    def _path(self, key: str) -> Path:
        path = self.root / validate_key(key)
        # A symlink planted under the root must not lead outside it.
        if not path.resolve().is_relative_to(self.root):
            raise InvalidKey("storage key points outside the storage root")
        return path

    async def put(self, key: str, source: Source, content_type: str) -> None:
        target = self._path(key)
        tmp_dir = self.root / _TMP_DIR
        await to_thread.run_sync(_make_dirs, target.parent, tmp_dir)
        # Created on the loop thread: a cancelled worker thread could otherwise lose the name.
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="put-", suffix=".part")
        tmp = Path(tmp_name)
        try:
            fh = os.fdopen(fd, "wb")
            with fh:
                if isinstance(source, Path):
                    await to_thread.run_sync(_copy_into, source, fh, self._chunk_size)
                else:
                    await _stream_into(source, fh)
                await to_thread.run_sync(_sync, fh)
            await to_thread.run_sync(os.replace, tmp, target)
        except BaseException:
            # Synchronous on purpose: after a cancellation no further await would run.
            tmp.unlink(missing_ok=True)  # noqa: ASYNC240
            raise

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self._path(key)
        lo, hi = resolve_range(start, end, await self._size(path, key))
        return self._read(path, key, lo, hi)

    async def _read(self, path: Path, key: str, lo: int, hi: int) -> AsyncIterator[bytes]:
        try:
            fh = await to_thread.run_sync(_open_at, path, lo)
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"no stored object for key {key}") from exc
        try:
            remaining = hi - lo
            while remaining > 0:
                chunk = await to_thread.run_sync(fh.read, min(self._chunk_size, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk
        finally:
            fh.close()

    async def size(self, key: str) -> int:
        return await self._size(self._path(key), key)

    async def _size(self, path: Path, key: str) -> int:
        try:
            return await to_thread.run_sync(_file_size, path)
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"no stored object for key {key}") from exc

    async def modified_at(self, key: str) -> datetime:
        path = self._path(key)
        try:
            stamp = await to_thread.run_sync(lambda: path.stat().st_mtime)
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"no stored object for key {key}") from exc
        return datetime.fromtimestamp(stamp, UTC)

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    async def exists(self, key: str) -> bool:
        path = self._path(key)
        return await to_thread.run_sync(path.is_file)

    async def list_keys(self) -> AsyncIterator[str]:
        paths = await to_thread.run_sync(_walk, self.root)
        for key in paths:
            yield key

    async def presigned_url(
        self,
        key: str,
        filename: str,
        content_type: str,
        expires_s: int = DEFAULT_PRESIGN_SECONDS,
    ) -> str | None:
        """Always None: a local store has no URL of its own, the app streams the file."""
        self._path(key)
        check_expiry(expires_s)
        return None


def _walk(root: Path) -> list[str]:
    """Keys of the files under root, skipping the temp directory and anything not a valid key."""
    found: list[str] = []
    if not root.is_dir():
        return found
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        for name in files:
            key = (Path(directory) / name).relative_to(root).as_posix()
            try:
                found.append(validate_key(key))
            except InvalidKey:
                continue
    return found


def _make_dirs(*dirs: Path) -> None:
    for directory in dirs:
        directory.mkdir(parents=True, exist_ok=True)


def _copy_into(source: Path, fh: BinaryIO, chunk_size: int) -> None:
    with source.open("rb") as src:
        shutil.copyfileobj(src, fh, chunk_size)


async def _stream_into(source: AsyncIterable[bytes], fh: BinaryIO) -> None:
    async for chunk in source:
        if chunk:
            await to_thread.run_sync(fh.write, chunk)


def _sync(fh: BinaryIO) -> None:
    # Flushed and fsynced before the rename so a crash never exposes a half-written object.
    fh.flush()
    os.fsync(fh.fileno())


def _open_at(path: Path, offset: int) -> BinaryIO:
    fh = path.open("rb")
    fh.seek(offset)
    return fh


def _file_size(path: Path) -> int:
    if not path.is_file():
        raise FileNotFoundError(str(path))
    return path.stat().st_size
