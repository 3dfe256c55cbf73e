"""Tracing is off unless the standard OTLP variables are set; then spans reach an OTLP receiver.

The app runs in a child process so the process-wide tracing state of each case is its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from salesbot.kit.tracing import requested

ROOT = Path(__file__).resolve().parents[3]

# Starts the app on SQLite, serves a few requests, reports what tracing imported, then exits
# (which flushes the batched spans).
CHILD = r"""
import asyncio, json, sys
import httpx
from salesbot.app import create_app
from salesbot.settings import Settings

settings = Settings(_env_file=None, environment="test", data_dir=sys.argv[1],
    database_url="sqlite+aiosqlite:///" + sys.argv[1] + "/app.db",
    secret_key="test-secret-key-that-is-long-enough-0123456789")
app = create_app(settings)

async def main():
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            for path in ("/health", "/api/auth/me", "/api/locations"):
                await c.get(path)

asyncio.run(main())
loaded = sorted({m.split(".")[1] + "." + m.split(".")[2] for m in sys.modules
                 if m.startswith(("opentelemetry.sdk.", "opentelemetry.instrumentation.",
                                  "opentelemetry.exporter."))})
print(json.dumps(loaded))
"""


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[ExportTraceServiceRequest]]]:
    """A local OTLP/HTTP trace receiver: protobuf bodies posted to /v1/traces."""
    received: list[ExportTraceServiceRequest] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/v1/traces":
                received.append(ExportTraceServiceRequest.FromString(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def _run_app(tmp_path: Path, **otel: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    env.update(otel, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_requested_only_by_an_endpoint_and_not_when_disabled() -> None:
    assert not requested({})
    assert requested({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert requested({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"})
    on = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}
    assert not requested({**on, "OTEL_SDK_DISABLED": "true"})
    assert not requested({**on, "OTEL_TRACES_EXPORTER": "none"})


def test_off_by_default_imports_no_tracing_machinery(tmp_path: Path) -> None:
    loaded = _run_app(tmp_path)
    # (redis-py imports the SDK's metrics package for its own use; nothing traces.)
    tracing = [m for m in loaded if m == "sdk.trace" or not m.startswith("sdk.")]
    assert tracing == []


def test_spans_reach_an_otlp_receiver_when_the_endpoint_is_set(
    tmp_path: Path, receiver: tuple[str, list[ExportTraceServiceRequest]]
) -> None:
    url, received = receiver
    loaded = _run_app(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=url, OTEL_SERVICE_NAME="salesbot-t")
    assert "sdk.trace" in loaded and "instrumentation.fastapi" in loaded
    spans = [
        (span, resource.resource)
        for request in received
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    names = {span.name for span, _ in spans}
    assert {"GET /api/auth/me", "GET /api/locations"} <= names
    assert "GET /health" not in names  # probes are not traced by default
    services = {
        attr.value.string_value
        for _, resource in spans
        for attr in resource.attributes
        if attr.key == "service.name"
    }
    assert services == {"salesbot-t"}


def test_the_sampler_comes_from_the_standard_variables(
    tmp_path: Path, receiver: tuple[str, list[ExportTraceServiceRequest]]
) -> None:
    url, received = receiver
    _run_app(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=url, OTEL_TRACES_SAMPLER="always_off")
    assert [
        s for r in received for rs in r.resource_spans for ss in rs.scope_spans for s in ss.spans
    ] == []
