"""Offline chat over HTTP: first SSE event of a turn, and a one-location proposal turn.

Run: `.venv/bin/python benchmarks/bench_chat.py [--turns N]`.

A real `salesbot serve` (development, embedded SQLite, demo data, the offline model, no Redis)
runs on a loopback socket; the benchmark signs in as the demo salesperson and measures, over
HTTP with a kept-alive connection:
- "first event": from sending `POST /api/chat {"message": "hello"}` (a new conversation each
  time) to the first SSE event (`message_start`) arriving; and the whole turn;
- "proposal turn": a one-location proposal request ("landmark proposal … client Nike") from
  sending it until `message_end`, the PPTX and PDF made and stored (the tool's result carries
  both files).
The baseline, in the same run: a bare FastAPI app served by uvicorn whose POST streams one SSE
event with `EventSourceResponse` — the floor for "first event" on this machine.

"server CPU" is the server process's CPU time per turn (from /proc), which other work on the
machine does not inflate. `--before TREE` serves a second checkout (e.g. the main branch) in
the same run for before/after figures.

Targets (issue #19): first event ≤ 20 ms p50, proposal turn incl. PPTX+PDF ≤ 300 ms p50.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

TARGET_FIRST_EVENT_MS = 20.0
TARGET_PROPOSAL_MS = 300.0
BARE_APP = textwrap.dedent(
    """
    from collections.abc import AsyncIterable

    from fastapi import FastAPI
    from fastapi.sse import EventSourceResponse, ServerSentEvent

    app = FastAPI()

    @app.post("/chat", response_class=EventSourceResponse)
    async def chat() -> AsyncIterable[ServerSentEvent]:
        yield ServerSentEvent(event="message_start", id="1", data={"run_id": "x"})


    if __name__ == "__main__":  # `python bare_app.py --fd N`
        import socket
        import sys

        import uvicorn

        # A socket object of the inherited socket's real family, so asyncio turns Nagle off as
        # for any TCP server (`uvicorn --fd` would wrap it as AF_UNIX and leave it on).
        sock = socket.socket(fileno=int(sys.argv[2]))
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
    """
)


@contextmanager
def serving(
    command: list[str], env: dict[str, str], cwd: Path, probe: str
) -> Iterator[tuple[str, int]]:
    """Run `command` on a loopback socket it inherits; yields (base URL, pid) once `probe`
    answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        log = (cwd / "server.log").open("a")
        proc = subprocess.Popen(
            [*command, "--fd", str(sock.fileno())],
            env=env,
            cwd=cwd,
            pass_fds=[sock.fileno()],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(base + probe, timeout=10).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((cwd / "server.log").read_text()[-2000:])
            time.sleep(0.1)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its descendants so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


def turn(
    client: httpx.Client, path: str, message: str
) -> tuple[float, float, list[dict[str, Any]]]:
    """(seconds to the first event, seconds to the end of the stream, the events)."""
    events: list[dict[str, Any]] = []
    first = 0.0
    start = time.perf_counter()
    with client.stream("POST", path, json={"message": message}) as response:
        response.raise_for_status()
        name = ""
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
                if not events and not first:
                    first = time.perf_counter() - start
            elif line.startswith("data:") and name:
                events.append({"event": name, "data": json.loads(line.split(":", 1)[1])})
                name = ""
    return first, time.perf_counter() - start, events


def proposal_message(today: date) -> str:
    start = today + timedelta(days=40)
    return (
        f"make me a landmark proposal, start {start:%d %B %Y}, 4 weeks, rate 1.5M, "
        "client Nike Middle East"
    )


def _check_proposal(events: list[dict[str, Any]]) -> None:
    results = [e["data"] for e in events if e["event"] == "tool_result"]
    if not results or results[0]["is_error"]:
        raise RuntimeError(f"the proposal turn did not make a proposal: {events[-3:]}")
    names = [card["name"] for card in results[0]["files"]]
    if not any(n.endswith(".pptx") for n in names) or not any(n.endswith(".pdf") for n in names):
        raise RuntimeError(f"the proposal turn made {names}, not a PPTX and a PDF")


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(values) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def measure_product(work: Path, turns: int, tree: str | None) -> dict[str, list[float]]:
    """Figures for the product served from `tree` (a source checkout; None: this one)."""
    work = work / (tree or "this").strip("/").replace("/", "_")
    work.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "development",
        "SALESBOT_DATA_DIR": str(work / "var"),
        "SALESBOT_LOG_LEVEL": "WARNING",
        "SALESBOT_DEV_LOGIN": "true",
        "SALESBOT_RATE_LIMIT_CHAT": "100000/minute",
        "SALESBOT_LLM_MODEL": "offline",
    }
    for name in ("SALESBOT_DATABASE_URL", "SALESBOT_REDIS_URL"):
        env.pop(name, None)
    if tree:
        env["PYTHONPATH"] = tree
    cli = [sys.executable, "-m", "salesbot.cli"]
    for verb in ("migrate", "demo"):
        subprocess.run([*cli, verb], env=env, check=True, capture_output=True, cwd=work)
    figures: dict[str, list[float]] = {"first": [], "hello": [], "proposal": [], "cpu": []}
    with (
        serving([*cli, "serve"], env, work, "/health") as (base, pid),
        _client(base) as client,
    ):
        login = client.post("/api/auth/dev-login", json={"email": "sales@demo.salesbot.dev"})
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        message = proposal_message(date.today())
        for _ in range(2):  # warm up both paths
            turn(client, "/api/chat", "hello")
            _check_proposal(turn(client, "/api/chat", message)[2])
        cpu = cpu_seconds(pid)
        for _ in range(turns):
            first, whole, _ = turn(client, "/api/chat", "hello")
            figures["first"].append(first)
            figures["hello"].append(whole)
        figures["cpu"].append((cpu_seconds(pid) - cpu) / turns)
        cpu = cpu_seconds(pid)
        for _ in range(turns):
            _, whole, events = turn(client, "/api/chat", message)
            _check_proposal(events)
            figures["proposal"].append(whole)
        figures["cpu"].append((cpu_seconds(pid) - cpu) / turns)
    return figures


def _client(base: str) -> httpx.Client:
    """A kept-alive client that sends small writes at once (TCP_NODELAY), as browsers do.

    httpx does not set it: a POST goes out as two writes (head, then body), Nagle's algorithm
    holds the body until the head is acknowledged, and Linux delays that ACK by 40 ms — which
    showed as a ~44 ms "first event" even for the bare endpoint.
    """
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    return httpx.Client(base_url=base, timeout=60, transport=transport)


def measure_bare(work: Path, turns: int) -> list[float]:
    (work / "bare_app.py").write_text(BARE_APP)
    command = [sys.executable, "bare_app.py"]
    with (
        serving(command, dict(os.environ), work, "/docs") as (base, _),
        _client(base) as client,
    ):
        for _ in range(5):
            turn(client, "/chat", "hello")
        return [turn(client, "/chat", "hello")[0] for _ in range(turns)]


def _report(label: str, product: dict[str, list[float]], bare: list[float]) -> None:
    hello_cpu, proposal_cpu = product["cpu"]
    print(f"  {label}")
    print(
        f"    'hello': first event                 {_ms(product['first'])}   "
        f"(target ≤ {TARGET_FIRST_EVENT_MS:.0f} ms p50; "
        f"{statistics.median(product['first']) / statistics.median(bare):.1f}× the bare endpoint)"
    )
    print(
        f"    'hello': whole turn                  {_ms(product['hello'])}   "
        f"server CPU {hello_cpu * 1000:6.1f} ms/turn"
    )
    print(
        f"    one-location proposal, PPTX+PDF      {_ms(product['proposal'])}   "
        f"server CPU {proposal_cpu * 1000:6.1f} ms/turn   "
        f"(target ≤ {TARGET_PROPOSAL_MS:.0f} ms p50)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument(
        "--before",
        metavar="TREE",
        help="also serve the product from this source checkout (e.g. the main branch's) as "
        "the before figures",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        work = Path(tmp)
        bare = measure_bare(work, args.turns)
        before = measure_product(work, args.turns, args.before) if args.before else None
        product = measure_product(work, args.turns, None)
    print(f"offline chat over HTTP, {args.turns} turns each (load {os.getloadavg()[0]:.1f})")
    print(f"  bare FastAPI SSE endpoint: first event   {_ms(bare)}   (baseline)")
    if before is not None:
        _report(f"before ({args.before})", before, bare)
    _report("now", product, bare)
    print(
        "  Server CPU per turn does not depend on what else runs on the machine; the latencies do."
    )


if __name__ == "__main__":
    main()
