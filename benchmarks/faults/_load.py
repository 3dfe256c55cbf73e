"""Shared by the fault scripts: authenticated read load, a readiness poller, and reporting.

Every request is recorded with its start time (seconds since the run began), status (or the
transport error that replaced it), Retry-After header and duration.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

DEMO_LOGIN = {"email": "sales@demo.salesbot.dev", "password": "demo-password"}


@dataclass(frozen=True)
class Sample:
    at: float
    status: int | str  # HTTP status, or the name of the transport error
    retry_after: str | None
    duration: float


@dataclass
class Recorder:
    started: float = field(default_factory=time.monotonic)
    requests: list[Sample] = field(default_factory=list)
    ready: list[Sample] = field(default_factory=list)
    marks: dict[str, float] = field(default_factory=dict)

    def now(self) -> float:
        return time.monotonic() - self.started

    def mark(self, name: str) -> float:
        self.marks[name] = self.now()
        print(f"  t={self.marks[name]:6.2f}s  {name}", flush=True)
        return self.marks[name]


async def _timed(recorder: Recorder, call: asyncio.Future[httpx.Response] | object) -> Sample:
    at = recorder.now()
    begin = time.monotonic()
    try:
        response = await call  # type: ignore[misc]
    except httpx.HTTPError as exc:
        return Sample(at, type(exc).__name__, None, time.monotonic() - begin)
    return Sample(
        at, response.status_code, response.headers.get("retry-after"), time.monotonic() - begin
    )


async def sign_in(base: str) -> tuple[dict[str, str], str]:
    """The demo sales person's bearer header, and a conversation with a few messages."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        login = await client.post("/api/auth/login", json=DEMO_LOGIN)
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        created = await client.post(
            "/api/conversations", json={"title": "Fault drill"}, headers=headers
        )
        created.raise_for_status()
        return headers, str(created.json()["id"])


async def read_load(
    base: str,
    headers: dict[str, str],
    conversation_id: str,
    recorder: Recorder,
    stop: asyncio.Event,
    *,
    workers: int = 4,
    timeout_s: float = 10.0,
) -> None:
    """`workers` tasks alternating the conversation list and a message page until `stop`."""
    paths = ["/api/conversations", f"/api/conversations/{conversation_id}/messages"]

    async def one(number: int) -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=timeout_s) as client:
            turn = number
            while not stop.is_set():
                path = paths[turn % len(paths)]
                turn += 1
                recorder.requests.append(await _timed(recorder, client.get(path)))

    await asyncio.gather(*(one(n) for n in range(workers)))


async def poll_ready(
    base: str, recorder: Recorder, stop: asyncio.Event, interval_s: float = 0.25
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while not stop.is_set():
            recorder.ready.append(await _timed(recorder, client.get("/health/ready")))
            await asyncio.sleep(interval_s)


def between(
    samples: list[Sample], start: float, end: float, *, by_end: bool = False
) -> list[Sample]:
    """Samples sent (or, with `by_end`, answered) in [start, end)."""
    return [s for s in samples if start <= (s.at + s.duration if by_end else s.at) < end]


def histogram(samples: list[Sample]) -> str:
    counts = Counter(str(s.status) for s in samples)
    return ", ".join(f"{status}: {n}" for status, n in sorted(counts.items())) or "none"


def latency(samples: list[Sample]) -> str:
    if not samples:
        return "n/a"
    durations = sorted(s.duration * 1000 for s in samples)
    p95 = durations[min(len(durations) - 1, int(len(durations) * 0.95))]
    return (
        f"p50 {statistics.median(durations):.1f} ms, p95 {p95:.1f} ms, max {durations[-1]:.1f} ms"
    )


def first(samples: list[Sample], after: float, status: int) -> float | None:
    """When the first sample started at or after `after` with `status` was sent."""
    for sample in samples:
        if sample.at >= after and sample.status == status:
            return sample.at
    return None


def phase_report(recorder: Recorder, phases: list[tuple[str, float, float]]) -> None:
    for name, start, end in phases:
        requests = between(recorder.requests, start, end)
        ready = between(recorder.ready, start, end, by_end=True)
        print(
            f"  {name:<9} [{start:6.2f}s, {end:6.2f}s)  requests {len(requests):5d}  "
            f"statuses {{{histogram(requests)}}}  /health/ready {{{histogram(ready)}}}"
        )
        print(f"  {'':<9} latency {latency(requests)}")
