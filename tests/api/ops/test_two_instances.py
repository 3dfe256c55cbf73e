"""Two real app instances (`salesbot serve` ×2) and one `salesbot worker` on one PostgreSQL
database and one Redis database: whichever instance takes a request, the answer is the same.

Nothing here needs sticky sessions: a chat run started on A is followed live on B and resumed
there after a disconnect; a conversation busy on A refuses a second run on B; rate limits and
the LLM response cache are shared; a booking order approved on A reads approved on B, with the
notifications it made; a job asked for on A runs on the worker and its result downloads from B.

The model is the local OpenAI-wire fake (the only fake allowed): a `Gated` reply holds a run
half-way until the test opens the gate, so "still running" is certain, not a matter of timing.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.assistant.conftest import Sse, parse_sse
from tests.api.assistant.fake_openai import FakeOpenAI, Gated, Text, fake_openai
from tests.api.booking_orders.conftest import worked_csv
from tests.api.ops.conftest import _admin
from tests.conftest import PG_URL, REDIS_URL, _flush_redis, require_service

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.timeout(900)]

PASSWORD = "demo-password"  # `salesbot demo` accounts
SECRET = "two-instances-secret-key-0123456789abcdefghij"
DEADLINE_S = 180.0  # a ceiling against a hang on a loaded machine, never a timing assertion
CLI = [sys.executable, "-m", "salesbot.cli"]


@dataclass
class Twins:
    a: str
    b: str
    fake: FakeOpenAI
    data: Path


def _env(data: Path, database_url: str, fake: FakeOpenAI) -> dict[str, str]:
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "development",
        "SALESBOT_DATA_DIR": str(data),  # one shared file store, as one bucket in production
        "SALESBOT_DATABASE_URL": database_url,
        "SALESBOT_REDIS_URL": REDIS_URL,
        "SALESBOT_SECRET_KEY": SECRET,
        "SALESBOT_LOG_LEVEL": "WARNING",
        "SALESBOT_LLM_MODEL": "openai:gpt-4.1-mini",
        "SALESBOT_LLM_BASE_URL": fake.url,
        "SALESBOT_LLM_API_KEY": "sk-test-key",
        "SALESBOT_LLM_MAX_RETRIES": "0",
        "SALESBOT_LLM_TIMEOUT_S": "600",  # the gate holds a reply while the test looks
        "SALESBOT_CHAT_HEARTBEAT_S": "1",
        "SALESBOT_RATE_LIMIT_LOGIN": "3/hour",
        "SALESBOT_RATE_LIMIT_LOGIN_EMAIL": "3/hour",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


@contextmanager
def _process(
    args: list[str], env: dict[str, str], log: Path, fds: tuple[int, ...] = ()
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, pass_fds=fds)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def _serve(env: dict[str, str], log: Path) -> Iterator[str]:
    # Bound and listening before the server inherits it: no other process can take the port.
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with _process(
            [*CLI, "serve", "--fd", str(sock.fileno())], env, log, (sock.fileno(),)
        ) as proc:
            sock.close()
            _until(lambda: _healthy(base), f"{base} did not start", log, proc)
            yield base
    finally:
        sock.close()


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _until(ready: Any, what: str, log: Path | None = None, proc: Any = None) -> Any:
    """Poll `ready()` until it answers truthy (a ceiling against a hang, not a measurement)."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        value = ready()
        if value:
            return value
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log is not None and log.exists() else ""
            raise AssertionError(f"{what}\n{tail}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Twins]:
    require_service("PostgreSQL", PG_URL, 5432)
    require_service("Redis", REDIS_URL, 6379)
    _flush_redis()
    url = f"{PG_URL}_twins"  # the slot's database name, so parallel runs never share it
    name = url.rsplit("/", 1)[1]
    asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    tmp = tmp_path_factory.mktemp("twins")
    data = tmp / "data"
    with ExitStack() as stack:
        fake = stack.enter_context(fake_openai())
        env = _env(data, url, fake)
        for step in ("migrate", "demo"):
            subprocess.run([*CLI, step], env=env, check=True, capture_output=True)
        a = stack.enter_context(_serve(env, tmp / "a.log"))
        b = stack.enter_context(_serve(env, tmp / "b.log"))
        stack.enter_context(_process([*CLI, "worker", "--threads", "2"], env, tmp / "worker.log"))
        yield Twins(a, b, fake, data)
    _flush_redis()
    asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _login(base: str, email: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=60
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _events(response: httpx.Response) -> Iterator[Sse]:
    """Events as they arrive (heartbeat comments skipped)."""
    buffer = ""
    for chunk in response.iter_text():
        buffer += chunk.replace("\r\n", "\n")
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            yield from parse_sse(block + "\n\n")


def _text(events: list[Sse]) -> str:
    return "".join(e.data.get("text", "") for e in events if e.event == "delta")


def test_a_run_started_on_a_is_followed_live_and_resumed_on_b(twins: Twins) -> None:
    on_a = _login(twins.a, "sales@demo.salesbot.dev")
    on_b = _login(twins.b, "sales@demo.salesbot.dev")
    conversation = _ok(
        httpx.post(f"{twins.a}/api/conversations", json={}, headers=on_a, timeout=60), 201
    )
    gate = threading.Event()
    twins.fake.script(Gated(Text(("Once ", "upon ", "a time.")), gate))
    body = {"message": "tell me a story", "conversation_id": conversation["id"]}
    with httpx.stream(
        "POST", f"{twins.a}/api/chat", json=body, headers=on_a, timeout=120
    ) as started:
        assert started.status_code == 200
        first = next(_events(started))
    # Leaving A's stream does not stop the run.
    assert first.event == "message_start"
    run_id = first.data["run_id"]
    seen: list[Sse] = []
    url = f"{twins.b}/api/chat/runs/{run_id}/events"
    with httpx.stream("GET", url, headers=on_b, timeout=120) as live:
        assert live.status_code == 200
        for item in _events(live):
            seen.append(item)
            if item.event == "delta":
                break  # B has a piece of the reply while the gate still holds the rest
    assert seen[0].event == "message_start" and seen[0].data["run_id"] == run_id
    assert _text(seen) == "Once "
    assert all(e.event not in ("message_end", "error") for e in seen)

    # The conversation is busy on every instance: a second run is refused on B.
    refused = httpx.post(
        f"{twins.b}/api/chat",
        json={"message": "again", "conversation_id": conversation["id"]},
        headers=on_b,
        timeout=60,
    )
    assert refused.status_code == 409, refused.text

    # B again after the disconnect, from the last event it had; then the run goes on.
    resumed: list[Sse] = []
    headers = {**on_b, "Last-Event-ID": str(seen[-1].id)}
    with httpx.stream("GET", url, headers=headers, timeout=120) as again:
        assert again.status_code == 200
        gate.set()
        for item in _events(again):
            resumed.append(item)
    assert resumed[-1].event == "message_end"
    assert _text(seen) + _text(resumed) == "Once upon a time."
    # Nothing twice. A heartbeat repeats the last event's id on purpose (a reconnect after it
    # resumes from there), so only the run's events count.
    ids = [e.id for e in seen + resumed if e.event != "heartbeat"]
    assert len(ids) == len(set(ids))
    messages = _ok(
        httpx.get(
            f"{twins.a}/api/conversations/{conversation['id']}/messages", headers=on_a, timeout=60
        )
    )
    assert [m["content"] for m in messages["items"] if m["role"] == "assistant"] == [
        "Once upon a time."
    ]


def test_the_llm_response_cache_is_shared(twins: Twins) -> None:
    on_a = _login(twins.a, "sales@demo.salesbot.dev")
    on_b = _login(twins.b, "sales@demo.salesbot.dev")
    twins.fake.script(Text(("Cached answer",)), Text(("Cached title",)))
    asked = len(twins.fake.requests)
    first = httpx.post(
        f"{twins.a}/api/chat", json={"message": "what is cached?"}, headers=on_a, timeout=120
    )
    assert parse_sse(first.text)[-1].event == "message_end", first.text
    assert len(twins.fake.requests) == asked + 2  # the reply and the title
    second = httpx.post(
        f"{twins.b}/api/chat", json={"message": "what is cached?"}, headers=on_b, timeout=120
    )
    events = parse_sse(second.text)
    assert events[-1].event == "message_end", second.text
    assert _text(events) == "Cached answer"
    assert len(twins.fake.requests) == asked + 2  # B asked the provider nothing


def test_rate_limits_are_shared(twins: Twins) -> None:
    def attempt(base: str) -> int:
        wrong = {"email": "viewer@demo.salesbot.dev", "password": "not-the-password"}
        return httpx.post(f"{base}/api/auth/login", json=wrong, timeout=60).status_code

    # The limit is 3 failures an hour: two on A and one on B use it up for both.
    assert [attempt(twins.a), attempt(twins.a), attempt(twins.b)] == [401, 401, 401]
    assert attempt(twins.b) == 429
    assert attempt(twins.a) == 429


def test_a_booking_order_approved_on_a_reads_approved_on_b(twins: Twins) -> None:
    sales = _login(twins.a, "sales@demo.salesbot.dev")
    coordinator_on_b = _login(twins.b, "coordinator.viola@demo.salesbot.dev")
    upload = httpx.post(
        f"{twins.a}/api/files",
        files={"files": ("bo.csv", worked_csv(), "text/csv")},
        headers=sales,
        timeout=60,
    )
    file_id = _ok(upload, 201)[0]["id"]
    bo = _ok(
        httpx.post(
            f"{twins.a}/api/booking-orders",
            json={"file_id": file_id, "notes": "", "company": "viola"},
            headers=sales,
            timeout=120,
        ),
        201,
    )
    _ok(httpx.post(f"{twins.a}/api/booking-orders/{bo['id']}/submit", headers=sales, timeout=60))

    # The notification A made is listed on B.
    notices = _ok(httpx.get(f"{twins.b}/api/notifications", headers=coordinator_on_b, timeout=60))
    assert bo["id"] in [n["booking_order_id"] for n in notices["items"]], notices

    coordinator_on_a = _login(twins.a, "coordinator.viola@demo.salesbot.dev")
    hos_on_a = _login(twins.a, "hos.viola@demo.salesbot.dev")
    hos_on_b = _login(twins.b, "hos.viola@demo.salesbot.dev")
    _ok(
        httpx.post(
            f"{twins.a}/api/booking-orders/{bo['id']}/approve", headers=coordinator_on_a, timeout=60
        )
    )
    approved = _ok(
        httpx.post(
            f"{twins.a}/api/booking-orders/{bo['id']}/approve", headers=hos_on_a, timeout=120
        )
    )
    assert approved["state"] == "approved"
    seen = _ok(httpx.get(f"{twins.b}/api/booking-orders/{bo['id']}", headers=hos_on_b, timeout=60))
    assert seen["state"] == "approved"
    assert seen["reference"] == approved["reference"]
    pdf = httpx.get(
        f"{twins.b}{seen['final_pdf_file']['download_url']}", headers=hos_on_b, timeout=60
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # A second approval on B is a conflict naming who acted first, not a second approval.
    again = httpx.post(
        f"{twins.b}/api/booking-orders/{bo['id']}/approve", headers=hos_on_b, timeout=60
    )
    assert again.status_code == 409, again.text


def test_a_job_asked_for_on_a_runs_on_the_worker_and_downloads_from_b(twins: Twins) -> None:
    on_a = _login(twins.a, "finance.viola@demo.salesbot.dev")
    on_b = _login(twins.b, "finance.viola@demo.salesbot.dev")
    started = _ok(httpx.post(f"{twins.a}/api/me/export", headers=on_a, timeout=60), 202)

    def done() -> Any:
        export = _ok(httpx.get(f"{twins.b}/api/exports/{started['id']}", headers=on_b, timeout=60))
        assert export["status"] != "failed", export
        return export if export["status"] == "done" else None

    export = _until(done, "the export job never finished", twins.data.parent / "worker.log")
    archive = httpx.get(f"{twins.b}{export['download_url']}", headers=on_b, timeout=60)
    assert archive.status_code == 200 and archive.content.startswith(b"PK")
    notices = _ok(httpx.get(f"{twins.b}/api/notifications", headers=on_b, timeout=60))
    assert "Your data export is ready" in [n["title"] for n in notices["items"]]
