"""A local server speaking clamd's INSTREAM protocol, for the antivirus hook's tests.

It answers `stream: Eicar-Signature FOUND` when the streamed bytes hold the EICAR test string
(as clamd does) and `stream: OK` otherwise, and records every stream it received.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from salesbot.files.content import EICAR


@dataclass
class FakeClamd:
    port: int
    streams: list[bytes] = field(default_factory=list)
    protocol_errors: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"


def _read_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = conn.recv(size - len(data))
        if not part:
            raise ConnectionError("closed mid-message")
        data += part
    return data


def _serve_one(conn: socket.socket, fake: FakeClamd) -> None:
    with conn:
        command = _read_exactly(conn, len(b"zINSTREAM\0"))
        if command != b"zINSTREAM\0":
            fake.protocol_errors.append(f"unexpected command {command!r}")
            conn.sendall(b"UNKNOWN COMMAND\0")
            return
        received = bytearray()
        while size := struct.unpack(">I", _read_exactly(conn, 4))[0]:
            received += _read_exactly(conn, size)
        fake.streams.append(bytes(received))
        verdict = b"stream: Eicar-Signature FOUND" if EICAR in received else b"stream: OK"
        conn.sendall(verdict + b"\0")


@contextmanager
def fake_clamd() -> Iterator[FakeClamd]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        fake = FakeClamd(listener.getsockname()[1])
        stop = threading.Event()

        def loop() -> None:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                if stop.is_set():
                    conn.close()
                    return
                try:
                    _serve_one(conn, fake)
                except (ConnectionError, struct.error) as exc:
                    fake.protocol_errors.append(repr(exc))

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        try:
            yield fake
        finally:
            stop.set()
            # Wake the accept() so the thread sees the stop flag.
            with socket.create_connection(("127.0.0.1", fake.port)):
                pass
            thread.join(timeout=30)
