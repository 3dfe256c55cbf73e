"""End to end: a real Prometheus (Debian's) scrapes the real app on loopback with the metrics
token and sees exactly the requests and LLM calls this test made.

The app runs as `salesbot serve` in multiprocess mode (PROMETHEUS_MULTIPROC_DIR), talking to the
local OpenAI-compatible fake; Prometheus runs from a private directory on a free port, loads
deploy/prometheus/alerts.yml, and is asked through its HTTP API.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.assistant.conftest import parse_sse
from tests.api.assistant.fake_openai import FakeOpenAI, Text, Usage, fake_openai
from tests.deploy.conftest import RULES, tool
from tests.live_server import live_server

TOKEN = "scrape-token-0123456789abcdefghij"
DEMO_PASSWORD = "demo-password"  # `salesbot demo` accounts
DEADLINE_S = 120.0  # a ceiling against a hang on a loaded machine, not a timing assertion


def _free_port() -> int:
    # Prometheus cannot inherit a bound socket: a port is chosen, released and then taken by it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def prometheus(tmp: Path, target: str) -> Iterator[str]:
    tmp.mkdir(parents=True, exist_ok=True)
    config = tmp / "prometheus.yml"
    config.write_text(
        f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["{RULES}"]
scrape_configs:
  - job_name: salesbot
    authorization: {{type: Bearer, credentials: "{TOKEN}"}}
    static_configs: [{{targets: ["{target}"]}}]
"""
    )
    port = _free_port()
    log = (tmp / "prometheus.log").open("w")
    proc = subprocess.Popen(
        [
            tool("prometheus"),
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _query(base: str, expr: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{base}/api/v1/query", params={"query": expr}, timeout=10)
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return result


def _wait_for(base: str, expr: str, tmp: Path) -> list[dict[str, Any]]:
    """The query's result once Prometheus has it (it has scraped), polling until a deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            result = _query(base, expr)
            if result:
                return result
        except httpx.HTTPError:
            pass  # Prometheus is still starting
        if time.monotonic() > deadline:
            log = (tmp / "prometheus.log").read_text()[-3000:]
            pytest.fail(f"Prometheus never answered {expr!r}:\n{log}")
        time.sleep(0.2)


def _value(result: list[dict[str, Any]]) -> float:
    assert len(result) == 1, result
    return float(result[0]["value"][1])


def _traffic(base: str, fake: FakeOpenAI) -> None:
    """One sign-in, three identical reads and one chat (a chat call and a title call)."""
    login = httpx.post(
        f"{base}/api/auth/login",
        json={"email": "sales@demo.salesbot.dev", "password": DEMO_PASSWORD},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    for _ in range(3):
        assert httpx.get(f"{base}/api/auth/me", headers=headers, timeout=30).status_code == 200
    fake.script(Text(("Hello",), Usage(prompt=30, completion=5)), Text(("Greeting",)))
    chat = httpx.post(f"{base}/api/chat", json={"message": "hello"}, headers=headers, timeout=60)
    assert chat.status_code == 200, chat.text
    assert parse_sse(chat.text)[-1].event == "message_end"
    assert len(fake.requests) == 2


def test_prometheus_scrapes_exactly_the_traffic_of_this_test(tmp_path: Path) -> None:
    tool("prometheus")
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    with (
        fake_openai() as fake,
        live_server(
            tmp_path / "app",
            SALESBOT_METRICS_TOKEN=TOKEN,
            PROMETHEUS_MULTIPROC_DIR=str(multiproc),
            SALESBOT_LLM_MODEL="openai:gpt-4.1-mini",
            SALESBOT_LLM_BASE_URL=fake.url,
            SALESBOT_LLM_API_KEY="sk-test-key",
            SALESBOT_LLM_MAX_RETRIES="0",
        ) as base,
    ):
        assert httpx.get(f"{base}/metrics", timeout=10).status_code == 401  # token required
        _traffic(base, fake)
        target = base.removeprefix("http://")
        with prometheus(tmp_path / "prometheus", target) as prom:
            me = 'route="/api/auth/me",method="GET",status="2xx"'
            count = _wait_for(
                prom,
                f"salesbot_http_request_duration_seconds_count{{{me}}}",
                tmp_path / "prometheus",
            )
            assert _value(count) == 3
            inf = _query(prom, f'salesbot_http_request_duration_seconds_bucket{{{me},le="+Inf"}}')
            assert _value(inf) == 3
            login = 'route="/api/auth/login",method="POST",status="2xx"'
            assert (
                _value(_query(prom, f"salesbot_http_request_duration_seconds_count{{{login}}}"))
                == 1
            )
            calls = 'salesbot_llm_calls_total{provider="openai",model="gpt-4.1-mini",outcome="ok"}'
            assert _value(_query(prom, calls)) == 2
            tokens = 'salesbot_llm_tokens_total{model="openai:gpt-4.1-mini",kind="input"}'
            assert _value(_query(prom, tokens)) == 30 + 30  # the chat call and the title call
            assert _value(_query(prom, 'up{job="salesbot"}')) == 1
            rules = httpx.get(f"{prom}/api/v1/rules", timeout=10).json()["data"]["groups"]
            assert {g["name"] for g in rules} == {"salesbot-recording", "salesbot-alerts"}
