"""uvicorn's HTTP protocol with TCP_NODELAY on every TCP connection, however the socket came.

asyncio turns Nagle's algorithm off for the TCP connections it accepts, but it decides by the
listening socket object's family. uvicorn wraps an inherited socket (`--fd`: socket activation,
a supervisor, the tests' live servers) as `AF_UNIX` whatever it really is, so its connections
keep Nagle on. uvicorn writes a response's head and its body (or each streamed event) as separate
writes, Nagle holds the second until the first is acknowledged, and the client's delayed ACK
makes that 40 ms on Linux: every response on a kept-alive connection, and the first event of
every chat stream, arrived 40 ms late. Setting the option here covers every way of binding.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once on a TCP transport.

    The socket object's `family` cannot be trusted (an accepted connection inherits the wrapped
    listener's `AF_UNIX`), so the option is simply tried: a real Unix socket refuses it.
    """
    sock = transport.get_extra_info("socket")
    if sock is None:
        return
    with contextlib.suppress(OSError):  # a Unix socket, or a peer already gone
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHTTPProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """The HTTP protocol uvicorn would pick (httptools, else h11), with TCP_NODELAY set."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        no_delay(transport)
        super().connection_made(transport)
