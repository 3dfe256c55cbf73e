"""kit.metrics: the access rule, error codes as labels, multiprocess exposition, the worker port."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from salesbot.kit.metrics import MetricsServer, _error_code, counter, metrics_refusal

TOKEN = "worker-token-0123456789abcdef"


@pytest.mark.parametrize(
    ("authorization", "allowed"),
    [
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),
        (f"Bearer {TOKEN}x", False),
        (f"Basic {TOKEN}", False),
        (TOKEN, False),
        ("Bearer ", False),
        (None, False),
    ],
)
def test_with_a_token_only_that_bearer_token_passes(
    authorization: str | None, allowed: bool
) -> None:
    refusal = metrics_refusal(TOKEN, authorization, "127.0.0.1", forwarded=False)
    assert (refusal is None) is allowed
    if not allowed:
        assert refusal is not None and refusal[:2] == (401, "unauthorized")


@pytest.mark.parametrize(
    ("peer", "forwarded", "allowed"),
    [
        ("127.0.0.1", False, True),
        ("127.8.9.10", False, True),
        ("::1", False, True),
        ("127.0.0.1", True, False),  # relayed by a proxy on this machine
        ("10.0.0.4", False, False),
        ("203.0.113.9", False, False),
        ("testclient", False, False),
        (None, False, False),
    ],
)
def test_without_a_token_only_direct_loopback_passes(
    peer: str | None, forwarded: bool, allowed: bool
) -> None:
    refusal = metrics_refusal(None, None, peer, forwarded)
    assert (refusal is None) is allowed
    if not allowed:
        assert refusal is not None and refusal[:2] == (403, "forbidden")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"error": {"code": "not_found", "message": "x"}}', "not_found"),
        (b'{"error": {"code": "Robert\'); DROP", "message": "x"}}', "unknown"),
        (b'{"error": {"code": 42}}', "unknown"),
        (b'{"detail": "x"}', "unknown"),
        (b"<html>oops</html>", "unknown"),
        (b"", "unknown"),
    ],
)
def test_the_error_code_label_is_the_bodys_code_or_unknown(body: bytes, code: str) -> None:
    assert _error_code(body) == code


def test_metric_names_carry_the_product_prefix() -> None:
    with pytest.raises(ValueError, match="salesbot_"):
        counter("requests_total", "no prefix")


def _python(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_processes_sharing_the_multiprocess_dir_add_up(tmp_path: Path) -> None:
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    work = """
        from salesbot.kit.metrics import HTTP_ERRORS, HTTP_IN_FLIGHT
        HTTP_ERRORS.labels("/api/x", "GET", "404", "not_found").inc({n})
        HTTP_IN_FLIGHT.inc({n})
    """
    _python(work.format(n=2), env)
    _python(work.format(n=3), env)
    text = _python(
        """
        import sys
        from salesbot.kit.metrics import exposition
        sys.stdout.write(exposition().decode())
        """,
        env,
    )
    errors = (
        'salesbot_http_errors_total{code="not_found",method="GET",route="/api/x",status="404"} 5.0'
    )
    assert errors in text
    # In-flight is a sum over live processes: both have ended, so nothing is in flight now.
    assert "salesbot_http_requests_in_flight 0.0" in text


def test_the_worker_port_serves_metrics_under_the_same_rule() -> None:
    with_token = MetricsServer("127.0.0.1", 0, TOKEN)
    without = MetricsServer("127.0.0.1", 0, None)
    try:
        url = f"http://127.0.0.1:{with_token.port}"
        refused = httpx.get(f"{url}/metrics", timeout=10)
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "unauthorized"
        ok = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        assert ok.status_code == 200 and "# TYPE salesbot_http_requests_in_flight" in ok.text
        assert httpx.get(f"{url}/other", timeout=10).status_code == 404
        local = f"http://127.0.0.1:{without.port}/metrics"
        assert httpx.get(local, timeout=10).status_code == 200
        relayed = httpx.get(local, headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
        assert relayed.status_code == 403
    finally:
        with_token.stop()
        without.stop()


def test_salesbot_worker_serves_its_metrics_on_its_own_port(tmp_path: Path) -> None:
    """`salesbot worker --metrics-port` (a worker on another machine than the web server)."""
    import signal
    import socket
    import time

    from tests.conftest import REDIS_URL, require_service

    require_service("Redis", REDIS_URL, 6379)
    with socket.socket() as sock:  # the worker binds it itself: chosen, released, then taken
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "test",
        "SALESBOT_DATA_DIR": str(tmp_path),
        "SALESBOT_REDIS_URL": REDIS_URL,
        "SALESBOT_METRICS_TOKEN": TOKEN,
    }
    command = [sys.executable, "-m", "salesbot.cli", "worker", "--threads", "1"]
    proc = subprocess.Popen(
        [*command, "--metrics-port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        deadline = time.monotonic() + 120  # a ceiling against a hang, not a timing assertion
        while True:
            try:
                scraped = httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "the worker's metrics port never opened"
                time.sleep(0.2)
        assert scraped.status_code == 200
        assert "# TYPE salesbot_jobs_succeeded_total counter" in scraped.text
        assert httpx.get(url, timeout=5).status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
