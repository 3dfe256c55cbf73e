"""Prometheus metrics without domain knowledge: declaring, HTTP middleware, exposition, access.

Every metric of the product is declared through `counter`/`histogram`/`gauge` below on the one
default registry, so names share the `salesbot_` prefix and gauges say how several processes
add up. With `PROMETHEUS_MULTIPROC_DIR` set (in the environment of every uvicorn worker and
`salesbot worker` before they start) each process writes its values to that directory and
`exposition()` reads them all: one scrape sees the whole machine.

Labels are bounded: route templates (`/api/conversations/{conversation_id}`), never raw paths,
ids or e-mail addresses.
"""

from __future__ import annotations

import atexit
import hmac
import ipaddress
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "salesbot_"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# How several processes' values of a gauge combine ("livesum": the sum over live processes).
GaugeMode = Literal[
    "all",
    "liveall",
    "min",
    "livemin",
    "max",
    "livemax",
    "sum",
    "livesum",
    "mostrecent",
    "livemostrecent",
]

# Request latency: fine below a second, then up to the p95 alert's 5 s and beyond.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _named(name: str) -> str:
    if not name.startswith(PREFIX):
        raise ValueError(f"metric names start with {PREFIX!r}: {name!r}")
    return name


def counter(name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
    """A counter; `name` ends in `_total` (prometheus_client adds it to the exposition)."""
    return Counter(_named(name).removesuffix("_total"), documentation, list(labels))


def histogram(
    name: str, documentation: str, labels: Sequence[str] = (), *, buckets: Sequence[float]
) -> Histogram:
    return Histogram(_named(name), documentation, list(labels), buckets=buckets)


def gauge(
    name: str, documentation: str, labels: Sequence[str] = (), *, mode: GaugeMode = "livesum"
) -> Gauge:
    """A gauge; `mode` says how several processes' values combine (default: their sum)."""
    return Gauge(_named(name), documentation, list(labels), multiprocess_mode=mode)


HTTP_DURATION = histogram(
    "salesbot_http_request_duration_seconds",
    "HTTP request duration (event streams: until the stream opened)",
    ["route", "method", "status"],
    buckets=HTTP_BUCKETS,
)
HTTP_IN_FLIGHT = gauge("salesbot_http_requests_in_flight", "HTTP requests being served")
HTTP_ERRORS = counter(
    "salesbot_http_errors_total",
    "HTTP error responses (status >= 400) by route and error code",
    ["route", "method", "status", "code"],
)

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_ERROR_BODY_LIMIT = 64 * 1024


def _error_code(body: bytes) -> str:
    """The standard error body's `error.code`, or "unknown" (never raw text as a label)."""
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return "unknown"
    return code if isinstance(code, str) and _CODE.fullmatch(code) else "unknown"


def _is_event_stream(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    return any(
        k.lower() == b"content-type" and v.startswith(b"text/event-stream") for k, v in headers
    )


class HttpMetricsMiddleware:
    """Pure-ASGI request metrics: duration by route template, in-flight, errors by code.

    Outermost, so the 500s other middleware produce are counted too. The labelled children are
    cached per (route, method, status class): the hot path is two dict lookups and an observe.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._children: dict[tuple[str, str, str], Any] = {}

    def _duration(self, route: str, method: str, status: int) -> Any:
        key = (route, method, f"{status // 100}xx")
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = HTTP_DURATION.labels(*key)
        return child

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        opened: float | None = None  # an event stream counts until it opened
        error_body = b""
        HTTP_IN_FLIGHT.inc()

        async def send_wrapper(message: Message) -> None:
            nonlocal status, opened, error_body
            if message["type"] == "http.response.start":
                status = message["status"]
                if _is_event_stream(message.get("headers", ())):
                    opened = time.perf_counter()
            elif status >= 400 and len(error_body) < _ERROR_BODY_LIMIT:
                error_body += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            HTTP_IN_FLIGHT.dec()
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            ended = opened if opened is not None else time.perf_counter()
            self._duration(route, method, status).observe(ended - started)
            if status >= 400:
                HTTP_ERRORS.labels(route, method, str(status), _error_code(error_body)).inc()


# --- exposition ----------------------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def _forget_live_gauges_at_exit() -> None:
    """A process that ends normally takes its live gauges (in flight, pool) with it."""
    if multiprocess_dir():
        atexit.register(lambda: mark_process_dead(os.getpid()))  # type: ignore[no-untyped-call]


_forget_live_gauges_at_exit()


def exposition(extra: Sequence[Collector] = ()) -> bytes:
    """The text format of every metric of this process, or of every process sharing the
    multiprocess directory, followed by `extra` collectors (computed by the caller)."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    if extra:
        own = CollectorRegistry()
        for collector in extra:
            own.register(collector)
        body += generate_latest(own)
    return body


CONTENT_TYPE = CONTENT_TYPE_LATEST

# --- access --------------------------------------------------------------------------------------

_FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def metrics_refusal(
    token: str | None,
    authorization: str | None,
    peer: str | None,
    forwarded: bool,
) -> tuple[int, str, str] | None:
    """Why this scrape is refused as (status, code, message), or None when it may proceed.

    With a token, only `Authorization: Bearer <token>` passes (from anywhere). Without one, only
    a direct loopback peer passes: a request relayed by a proxy (forwarding headers) never does,
    since a proxy on the same machine would otherwise make the internet look local.
    """
    if token:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return None
        return 401, "unauthorized", "A valid metrics token is required."
    if _is_loopback(peer) and not forwarded:
        return None
    return (
        403,
        "forbidden",
        "Metrics are only served to this machine; set SALESBOT_METRICS_TOKEN to scrape from "
        "elsewhere.",
    )


def is_forwarded(header_names: Iterable[str]) -> bool:
    return any(name.lower() in _FORWARDING_HEADERS for name in header_names)


# --- a metrics port for processes without a web server (`salesbot worker`) ------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Scrapes are not logged line by line."""


def metrics_wsgi_app(token: str | None) -> Callable[..., Iterable[bytes]]:
    """A WSGI app serving `exposition()` at /metrics under the same access rule as the API."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not found\n"]
        headers = [k[5:].replace("_", "-") for k in environ if k.startswith("HTTP_")]
        refusal = metrics_refusal(
            token,
            environ.get("HTTP_AUTHORIZATION"),
            environ.get("REMOTE_ADDR"),
            is_forwarded(headers),
        )
        if refusal is not None:
            status, code, message = refusal
            body = json.dumps({"error": {"code": code, "message": message, "details": None}})
            reason = "Unauthorized" if status == 401 else "Forbidden"
            start_response(f"{status} {reason}", [("Content-Type", "application/json")])
            return [body.encode()]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE)])
        return [exposition()]

    return app


class MetricsServer:
    """/metrics on host:port in a daemon thread (port 0 picks a free one: see `.port`)."""

    def __init__(self, host: str, port: int, token: str | None) -> None:
        self._server = make_server(
            host, port, metrics_wsgi_app(token), ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self.port = int(self._server.server_port)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
