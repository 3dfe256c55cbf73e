"""A ClamAV daemon client: clamd's INSTREAM command over TCP, for scanning uploads.

Protocol (clamd(8)): send `zINSTREAM\\0`, then the file as chunks each prefixed with its length
as a 4-byte big-endian integer, then a zero-length chunk; clamd answers one NUL-terminated line:
`stream: OK`, `stream: <signature> FOUND`, or `... ERROR` (such as its StreamMaxLength).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from anyio import to_thread

_CHUNK = 256 * 1024


class ScannerUnavailable(Exception):
    """clamd did not answer, closed the connection or reported an error of its own."""


@dataclass(frozen=True)
class ClamdClient:
    host: str
    port: int
    timeout_s: float = 60.0

    @classmethod
    def from_url(cls, url: str, *, timeout_s: float = 60.0) -> ClamdClient:
        """`tcp://host:3310` → a client (ValueError for anything else)."""
        parts = urlsplit(url)
        if parts.scheme != "tcp" or not parts.hostname or not parts.port:
            raise ValueError("the clamd URL must look like tcp://host:3310")
        return cls(parts.hostname, parts.port, timeout_s)

    async def scan_file(self, path: Path) -> str | None:
        """The signature clamd found in the file, or None when it is clean."""
        try:
            async with asyncio.timeout(self.timeout_s):
                reply = await self._instream(path)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise ScannerUnavailable(f"clamd at {self.host}:{self.port}: {exc!r}") from exc
        return _verdict(reply)

    async def _instream(self, path: Path) -> str:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(b"zINSTREAM\0")
            with path.open("rb") as fh:
                while chunk := await to_thread.run_sync(fh.read, _CHUNK):
                    writer.write(struct.pack(">I", len(chunk)) + chunk)
                    await writer.drain()
            writer.write(struct.pack(">I", 0))
            await writer.drain()
            raw = await reader.readuntil(b"\0")
        finally:
            writer.close()
            await _closed(writer)
        return raw.rstrip(b"\0").decode("utf-8", "replace").strip()


async def _closed(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):  # the scanner hung up first; the verdict is read
        await writer.wait_closed()


def _verdict(reply: str) -> str | None:
    if reply == "stream: OK":
        return None
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return reply.removeprefix("stream: ").removesuffix(" FOUND").strip() or "unnamed"
    raise ScannerUnavailable(f"clamd answered: {reply[:200]}")
