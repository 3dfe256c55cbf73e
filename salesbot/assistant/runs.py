"""Chat runs: an event log per run that clients can follow, leave and resume.

A run appends events (`message_start`, `delta`, `tool_*`, `message_end`, `error`); each gets an
id. A client follows a run from any event id (`Last-Event-ID`): it first receives the events it
missed, then the live ones, with a heartbeat while nothing happens. The run itself never depends
on a client being connected. `MemoryRunStore` keeps runs in this process; `RedisRunStore` keeps
them in Redis Streams so a client can resume on another instance.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from redis.asyncio import Redis

from salesbot.kit.errors import ValidationFailed
from salesbot.kit.redis import RedisFacade

# The events after which a run has nothing more to say.
TERMINAL = frozenset({"message_end", "error"})
HEARTBEAT = "heartbeat"
READ_RETRY_S = 0.2  # between attempts to read a run's events after a failed read
MAX_BLOCK_MS = 1000  # the longest blocking stream read (see `RedisRunStore.follow`)


@dataclass(frozen=True)
class RunEvent:
    id: str
    event: str
    data: dict[str, Any]

    @property
    def terminal(self) -> bool:
        return self.event in TERMINAL


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    user_id: uuid.UUID
    conversation_id: uuid.UUID


class RunStore(Protocol):
    async def start(self, info: RunInfo) -> None: ...

    async def publish(self, run_id: str, event: str, data: dict[str, Any]) -> str: ...

    async def finish(self, run_id: str) -> None: ...

    async def info(self, run_id: str) -> RunInfo | None: ...

    async def claim(self, conversation_id: uuid.UUID, run_id: str) -> bool:
        """Mark the conversation busy with `run_id`; False when another run holds it."""
        ...

    async def release(self, conversation_id: uuid.UUID, run_id: str) -> None: ...

    def follow(
        self, run_id: str, *, after: str | None, heartbeat_s: float
    ) -> AsyncIterator[RunEvent]:
        """Missed events after `after`, then live ones (heartbeats while idle) until the end."""
        ...


def heartbeat(last_id: str | None) -> RunEvent:
    # Carries the last real id (if any) so a client reconnecting after it resumes correctly.
    return RunEvent(last_id or "", HEARTBEAT, {})


def check_event_id(value: str | None) -> str | None:
    """A Last-Event-ID as sent by the client, or a clear 422 for anything else."""
    if value is None or value == "":
        return None
    if not (_MEMORY_ID.match(value) or _STREAM_ID.match(value)):
        raise ValidationFailed(BAD_EVENT_ID)
    return value


_MEMORY_ID = re.compile(r"^\d{1,12}$")
_STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
BAD_EVENT_ID = "The Last-Event-ID header is not an event id of this run."


@dataclass
class _MemoryRun:
    info: RunInfo
    events: list[RunEvent] = field(default_factory=list)
    finished_at: float | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    # Set by `RedisRunStore` once an event of the run could not be written to Redis: from then
    # on this copy, not the stream, is the run's whole log.
    degraded: bool = False


class MemoryRunStore:
    """Runs in this process; finished runs are kept for `retention_s` so clients can resume."""

    def __init__(self, *, retention_s: float = 3600.0) -> None:
        self.retention_s = retention_s
        self._runs: dict[str, _MemoryRun] = {}
        self._busy: dict[uuid.UUID, str] = {}

    def _prune(self) -> None:
        cutoff = time.monotonic() - self.retention_s
        for run_id in [
            r for r, run in self._runs.items() if run.finished_at and run.finished_at < cutoff
        ]:
            del self._runs[run_id]

    async def start(self, info: RunInfo) -> None:
        self._prune()
        self._runs[info.run_id] = _MemoryRun(info)

    async def publish(
        self, run_id: str, event: str, data: dict[str, Any], *, event_id: str | None = None
    ) -> str:
        """Append an event; its id is the next number, or `event_id` when another store gave
        it one (a mirrored event keeps the id its followers saw)."""
        run = self._runs[run_id]
        item = RunEvent(event_id or str(len(run.events) + 1), event, data)
        run.events.append(item)
        # Wake every follower, then arm the event again for the next publish.
        run.changed.set()
        run.changed = asyncio.Event()
        return item.id

    async def finish(self, run_id: str) -> None:
        run = self._runs.get(run_id)
        if run is not None:
            run.finished_at = time.monotonic()
            run.changed.set()

    async def info(self, run_id: str) -> RunInfo | None:
        run = self._runs.get(run_id)
        return run.info if run else None

    def has_events(self, run_id: str) -> bool:
        run = self._runs.get(run_id)
        return bool(run and run.events)

    def is_degraded(self, run_id: str) -> bool:
        run = self._runs.get(run_id)
        return bool(run and run.degraded)

    def mark_degraded(self, run_id: str) -> None:
        run = self._runs.get(run_id)
        if run is not None:
            run.degraded = True

    def forget_events(self, run_id: str) -> None:
        """Drop a run's events (its info stays): another store holds them all."""
        run = self._runs.get(run_id)
        if run is not None:
            run.events = []

    async def claim(self, conversation_id: uuid.UUID, run_id: str) -> bool:
        holder = self._busy.get(conversation_id)
        if holder is not None and holder != run_id:
            return False  # every run releases in its `finally`, so a holder is a live run
        self._busy[conversation_id] = run_id
        return True

    async def release(self, conversation_id: uuid.UUID, run_id: str) -> None:
        if self._busy.get(conversation_id) == run_id:
            del self._busy[conversation_id]

    async def follow(
        self, run_id: str, *, after: str | None, heartbeat_s: float
    ) -> AsyncIterator[RunEvent]:
        after = check_event_id(after)
        position = self._position_after(run_id, after)
        while True:
            run = self._runs.get(run_id)
            if run is None:
                return
            waiter = run.changed
            while position < len(run.events):
                item = run.events[position]
                position += 1
                yield item
                if item.terminal:
                    return
            if run.finished_at is not None:
                return
            try:
                await asyncio.wait_for(waiter.wait(), heartbeat_s)
            except TimeoutError:
                # The last event's own id: in a mirrored run it may be a stream id.
                yield heartbeat(run.events[position - 1].id if position else None)

    def _position_after(self, run_id: str, after: str | None) -> int:
        """Where a follower resumes: after the event with id `after` (ids are unique in a run;
        a mirrored run holds stream ids too), or after the `after`-th event of a plain one."""
        if after is None:
            return 0
        run = self._runs.get(run_id)
        for index, item in enumerate(run.events if run else []):
            if item.id == after:
                return index + 1
        if not _MEMORY_ID.match(after):
            raise ValidationFailed(BAD_EVENT_ID)
        return int(after)


class RedisRunStore:
    """Runs in Redis Streams (one stream per run), shared by every instance.

    Each operation goes through `RedisFacade.call`; while Redis is unreachable the in-process
    store serves, so a run keeps going (resumable on this instance only) instead of failing.
    The process running a run also mirrors its events in memory, with the ids Redis gave them:
    if one write fails (Redis away, or too slow under load), the stream lacks that event and the
    run is marked degraded, and this process's followers read the mirror, which has them all.
    A run that never degraded drops its mirror when it ends (the stream has everything).
    """

    def __init__(
        self,
        redis: RedisFacade,
        *,
        retention_s: int = 3600,
        busy_ttl_s: int = 900,
        max_events: int = 20_000,
        prefix: str = "salesbot:run",
    ) -> None:
        self.redis = redis
        self.retention_s = retention_s
        self.busy_ttl_s = busy_ttl_s
        self.max_events = max_events
        self.prefix = prefix
        self.local = MemoryRunStore(retention_s=retention_s)

    def _stream(self, run_id: str) -> str:
        return f"{self.prefix}:{run_id}:events"

    def _info_key(self, run_id: str) -> str:
        return f"{self.prefix}:{run_id}:info"

    def _busy_key(self, conversation_id: uuid.UUID) -> str:
        return f"{self.prefix}:busy:{conversation_id}"

    async def start(self, info: RunInfo) -> None:
        await self.local.start(info)
        await self._write_info(info, done=False, ttl=self.retention_s * 24)

    async def _write_info(self, info: RunInfo, *, done: bool, ttl: int) -> None:
        payload = json.dumps(
            {
                "user_id": str(info.user_id),
                "conversation_id": str(info.conversation_id),
                "done": done,
            }
        )

        async def op(client: Redis) -> None:
            # Runs that never finish (a crashed instance) still expire.
            await client.set(self._info_key(info.run_id), payload, ex=ttl)

        await self.redis.call(op, _none)

    async def publish(self, run_id: str, event: str, data: dict[str, Any]) -> str:
        fields: dict[Any, Any] = {"event": event, "data": json.dumps(data, default=str)}

        async def op(client: Redis) -> str | None:
            raw = await client.xadd(
                self._stream(run_id), fields, maxlen=self.max_events, approximate=True
            )
            return raw.decode() if isinstance(raw, bytes) else str(raw)

        async def fallback() -> None:
            self.local.mark_degraded(run_id)

        event_id = await self.redis.call(op, fallback)
        return await self.local.publish(run_id, event, data, event_id=event_id)

    async def finish(self, run_id: str) -> None:
        await self.local.finish(run_id)
        if not self.local.is_degraded(run_id):
            self.local.forget_events(run_id)
        state = await self._state(run_id)
        if state is None:
            return
        await self._write_info(state[0], done=True, ttl=self.retention_s)

        async def op(client: Redis) -> None:
            await client.expire(self._stream(run_id), self.retention_s)

        await self.redis.call(op, _none)

    async def _state(self, run_id: str) -> tuple[RunInfo, bool] | None:
        async def op(client: Redis) -> tuple[RunInfo, bool] | None:
            raw = await client.get(self._info_key(run_id))
            if raw is None:
                return None
            values = json.loads(raw)
            info = RunInfo(
                run_id, uuid.UUID(values["user_id"]), uuid.UUID(values["conversation_id"])
            )
            return info, bool(values.get("done"))

        async def local() -> tuple[RunInfo, bool] | None:
            info = await self.local.info(run_id)
            return (info, False) if info else None

        return await self.redis.call(op, local)

    async def info(self, run_id: str) -> RunInfo | None:
        state = await self._state(run_id)
        if state is None:
            return await self.local.info(run_id)
        return state[0]

    async def claim(self, conversation_id: uuid.UUID, run_id: str) -> bool:
        async def op(client: Redis) -> bool:
            key = self._busy_key(conversation_id)
            return bool(await client.set(key, run_id, nx=True, ex=self.busy_ttl_s))

        return await self.redis.call(op, lambda: self.local.claim(conversation_id, run_id))

    async def release(self, conversation_id: uuid.UUID, run_id: str) -> None:
        async def op(client: Redis) -> None:
            key = self._busy_key(conversation_id)
            # Only the holder releases (a compare-and-delete in one step).
            await client.eval(
                "if redis.call('get', KEYS[1]) == ARGV[1] then "
                "return redis.call('del', KEYS[1]) end return 0",
                1,
                key,
                run_id,
            )

        await self.local.release(conversation_id, run_id)
        await self.redis.call(op, _none)

    async def follow(
        self, run_id: str, *, after: str | None, heartbeat_s: float
    ) -> AsyncIterator[RunEvent]:
        after = check_event_id(after)
        if self.local.is_degraded(run_id):
            # Part of this run's log never reached Redis: the mirror here has all of it.
            async for item in self.local.follow(run_id, after=after, heartbeat_s=heartbeat_s):
                yield item
            return
        last = after or "0-0"
        stream = self._stream(run_id)
        # A blocking read must end before the client's socket timeout (`kit.redis`, 2 s), or a
        # quiet second of a slow run reads as a Redis outage and the stream ends early. Short
        # blocks, and a heartbeat once `heartbeat_s` has passed without an event.
        block_ms = max(1, min(int(heartbeat_s * 1000), MAX_BLOCK_MS))
        quiet_since = time.monotonic()
        while True:

            async def read(client: Redis, start: str = last) -> list[RunEvent] | None:
                replies: Any = await client.xread({stream: start}, count=500, block=block_ms)
                return [_decode(i, f) for _, entries in replies or [] for i, f in entries]

            items = await self.redis.call(read, _none)
            if self.local.is_degraded(run_id):
                # An event of this run has just failed to reach Redis (it is away, or was too
                # slow): go on from the mirror here, after the last event this follower saw.
                resume = None if last == "0-0" else last
                async for item in self.local.follow(run_id, after=resume, heartbeat_s=heartbeat_s):
                    yield item
                return
            if items is None:
                # A read that failed (Redis away, or this process too busy to read in time)
                # while the run's events are in Redis: try again rather than end the stream.
                if time.monotonic() - quiet_since >= heartbeat_s:
                    yield heartbeat(None if last == "0-0" else last)
                    quiet_since = time.monotonic()
                await asyncio.sleep(READ_RETRY_S)
                continue
            if not items:
                state = await self._state(run_id)
                if state is None or state[1]:
                    return
                if time.monotonic() - quiet_since >= heartbeat_s:
                    yield heartbeat(None if last == "0-0" else last)
                    quiet_since = time.monotonic()
                continue
            quiet_since = time.monotonic()
            for item in items:
                last = item.id
                yield item
                if item.terminal:
                    return


def _decode(raw_id: bytes | str, fields: dict[Any, Any]) -> RunEvent:
    def text(value: Any) -> str:
        return value.decode() if isinstance(value, bytes) else str(value)

    values = {text(k): text(v) for k, v in fields.items()}
    return RunEvent(text(raw_id), values.get("event", "message"), json.loads(values["data"]))


async def _none() -> None:
    return None


def make_run_store(
    redis: RedisFacade, *, retention_s: int = 3600, busy_ttl_s: int = 900
) -> RunStore:
    """Redis Streams when Redis is configured, this process's memory otherwise."""
    if redis.configured:
        return RedisRunStore(redis, retention_s=retention_s, busy_ttl_s=busy_ttl_s)
    return MemoryRunStore(retention_s=retention_s)
