"""Progress of a job someone is waiting for: a small record any instance can read.

A job started with a `tracking` id reports `running` steps (percent and a line of text) and ends
`done` with its result or `failed` with the error for the user. The record lives in the broker's
Redis (`{namespace}:progress:{id}`, an hour) so whichever instance took the request can follow
a job run by any worker; without Redis, jobs run in this process and a dictionary holds it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from redis import Redis

from salesbot.kit.errors import AppError

Status = Literal["queued", "running", "done", "failed"]
Progress = Callable[[int, str], Awaitable[None]]
TTL_S = 3600


@dataclass(frozen=True)
class Snapshot:
    """Where a tracked job is: its status, percent, last step, and its result or error."""

    status: Status
    percent: int = 0
    message: str = ""
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    steps: list[tuple[int, str]] = field(default_factory=list)  # (percent, text), oldest first

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "percent": self.percent,
            "message": self.message,
            "result": self.result,
            "error": self.error,
            "steps": [list(step) for step in self.steps],
        }


class JobFailed(AppError):
    """A tracked job's error, raised again for the request that waits for it."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(
            str(error.get("message") or "The job failed."),
            code=str(error.get("code") or "job_failed"),
            details=error.get("details"),
        )
        self.status_code = int(error.get("status") or 500)


def error_of(exc: AppError) -> dict[str, Any]:
    return {
        "status": exc.status_code,
        "code": exc.code,
        "message": exc.message,
        "details": exc.details,
    }


class ProgressBoard:
    """Publish and read tracked jobs' snapshots (Redis when given, else this process's memory)."""

    def __init__(self, client: Redis | None = None, namespace: str = "salesbot") -> None:
        self._client = client
        self._prefix = f"{namespace}:progress:"
        self._memory: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def publish(self, key: str, snapshot: Snapshot) -> None:
        """Blocking (a Redis round trip at most); from a job or through `apublish`."""
        data = json.dumps(snapshot.as_dict())
        if self._client is not None:
            self._client.set(self._prefix + key, data, ex=TTL_S)
            return
        now = time.monotonic()
        with self._lock:
            self._memory = {k: v for k, v in self._memory.items() if v[0] > now}
            self._memory[key] = (now + TTL_S, data)

    def read(self, key: str) -> Snapshot | None:
        if self._client is not None:
            raw = cast(bytes | None, self._client.get(self._prefix + key))
        else:
            with self._lock:
                found = self._memory.get(key)
            raw = found[1].encode() if found and found[0] > time.monotonic() else None
        if raw is None:
            return None
        data = json.loads(raw)
        data["steps"] = [(int(percent), str(text)) for percent, text in data.get("steps", [])]
        return Snapshot(**data)

    async def apublish(self, key: str, snapshot: Snapshot) -> None:
        if self._client is None:
            self.publish(key, snapshot)
        else:
            await asyncio.to_thread(self.publish, key, snapshot)

    async def aread(self, key: str) -> Snapshot | None:
        if self._client is None:
            return self.read(key)
        return await asyncio.to_thread(self.read, key)

    async def follow(
        self, key: str, progress: Progress, *, timeout_s: float, poll_s: float | None = None
    ) -> Snapshot | None:
        """Pass every step on until the job finishes; its last snapshot (None: never seen)."""
        # Memory reads cost nothing, so poll often; Redis reads are a round trip each.
        interval = poll_s if poll_s is not None else (0.01 if self._client is None else 0.05)
        deadline = time.monotonic() + timeout_s
        passed = 0
        while True:
            snapshot = await self.aread(key)
            if snapshot is not None:
                # Only the job's own steps: "queued" is for pollers (the caller knows it asked).
                # Steps are kept in full, so none is lost between two polls.
                for percent, message in snapshot.steps[passed:]:
                    await progress(percent, message)
                passed = max(passed, len(snapshot.steps))
                if snapshot.finished:
                    return snapshot
            if time.monotonic() >= deadline:
                return snapshot
            await asyncio.sleep(interval)


class Tracker:
    """What a tracked job uses to report: each step, then its result or its error."""

    def __init__(self, board: ProgressBoard, key: str, earlier: Snapshot | None = None) -> None:
        self.board = board
        self.key = key
        # A retry carries on the same list, so a follower never misses a step.
        self.steps: list[tuple[int, str]] = list(earlier.steps) if earlier else []
        self.percent = earlier.percent if earlier else 0

    async def step(self, percent: int, message: str) -> None:
        self.percent = percent
        self.steps.append((percent, message))
        await self.board.apublish(
            self.key, Snapshot("running", percent, message, steps=list(self.steps))
        )

    async def done(self, result: dict[str, Any]) -> None:
        snapshot = Snapshot("done", 100, "Done", result=result, steps=list(self.steps))
        await self.board.apublish(self.key, snapshot)

    async def failed(self, error: dict[str, Any]) -> None:
        message = str(error.get("message") or "")
        snapshot = Snapshot("failed", self.percent, message, error=error, steps=list(self.steps))
        await self.board.apublish(self.key, snapshot)
