"""TCP_NODELAY on connections served from an inherited socket (`salesbot serve --fd`).

uvicorn wraps an inherited socket as AF_UNIX, so asyncio leaves Nagle's algorithm on for its TCP
connections, and a response's second write (the body after the head, each chat event) waited for
the client's delayed ACK: 40 ms. These tests serve through uvicorn exactly that way and read the
option off the server's own end of the connection.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from salesbot.kit.http.nodelay import NoDelayHTTPProtocol, no_delay


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _server_end(client: socket.socket) -> socket.socket:
    """This process's socket whose peer is `client` (the server's end of the connection)."""
    wanted = client.getsockname()
    for name in os.listdir("/proc/self/fd"):
        try:
            sock = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue
        try:
            if sock.type == socket.SOCK_STREAM and sock.getpeername() == wanted:
                return sock
        except OSError:
            pass
        sock.close()
    raise AssertionError("the server's end of the connection was not found")


@contextmanager
def _served_from_fd(http: Any) -> Iterator[int]:
    """uvicorn on an inherited, already-listening TCP socket (`--fd`), in a thread; its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    config = uvicorn.Config(_app, fd=listener.fileno(), http=http, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(500):
            if server.started:
                break
            threading.Event().wait(0.01)
        assert server.started, "uvicorn did not start"
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()


def _nodelay_of_served_connection(http: Any) -> int:
    with _served_from_fd(http) as port, socket.create_connection(("127.0.0.1", port)) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert client.recv(4096).startswith(b"HTTP/1.1 200")  # the connection is being served
        server_end = _server_end(client)
        try:
            return server_end.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        finally:
            server_end.close()


def test_a_connection_served_from_an_inherited_socket_sends_small_writes_at_once() -> None:
    assert _nodelay_of_served_connection(NoDelayHTTPProtocol) != 0


def test_uvicorns_own_protocol_leaves_nagle_on_there() -> None:
    """Why the protocol exists: if this starts failing, uvicorn fixed it and ours can go."""
    assert _nodelay_of_served_connection("auto") == 0


def test_a_unix_socket_is_left_alone() -> None:
    class Transport(asyncio.BaseTransport):
        def __init__(self, sock: socket.socket) -> None:
            super().__init__()
            self.sock = sock

        def get_extra_info(self, name: str, default: Any = None) -> Any:
            return self.sock if name == "socket" else default

    left, right = socket.socketpair(socket.AF_UNIX)
    with left, right:
        no_delay(Transport(left))  # no error: a Unix socket has no TCP options
        left.sendall(b"x")
        assert right.recv(1) == b"x"


def test_serve_hands_uvicorn_the_no_delay_protocol(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from salesbot.cli import app

    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: captured.update(kw))
    monkeypatch.setenv("SALESBOT_ENVIRONMENT", "development")
    monkeypatch.setenv("SALESBOT_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert captured["http"] is NoDelayHTTPProtocol


def test_a_real_client_gets_its_answer_through_the_protocol() -> None:
    with _served_from_fd(NoDelayHTTPProtocol) as port:
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).text == "ok"
