"""Creative memory: each user's last mockup creatives, kept for 30 minutes for follow-ups.

"Now show it on Jawhara at night" reuses what was placed last without a new upload. Entries
live in Redis (shared by every instance) through `RedisFacade.call`; without Redis, or while it
is down, a bounded in-process store serves instead. Every entry carries the time it was made
and is checked against the clock on read, so expiry is exact and testable with a fake clock
(Redis's own TTL only cleans up).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis.asyncio import Redis

from salesbot.kit.db import utcnow
from salesbot.kit.redis import RedisFacade

TTL = timedelta(minutes=30)
KEY_PREFIX = "salesbot:mockups:creatives:"
LOCAL_MAX_ENTRIES = 10_000

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Remembered:
    """What the user placed last: the mockup, its creative files, or the description."""

    mockup_id: uuid.UUID
    file_ids: tuple[uuid.UUID, ...]
    prompt: str | None
    at: datetime

    def to_json(self) -> str:
        return json.dumps(
            {
                "mockup_id": str(self.mockup_id),
                "file_ids": [str(f) for f in self.file_ids],
                "prompt": self.prompt,
                "at": self.at.isoformat(),
            }
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Remembered | None:
        """None for anything unreadable (a stale format is simply forgotten)."""
        try:
            data = json.loads(raw)
            return cls(
                mockup_id=uuid.UUID(str(data["mockup_id"])),
                file_ids=tuple(uuid.UUID(str(f)) for f in data["file_ids"]),
                prompt=data.get("prompt"),
                at=datetime.fromisoformat(str(data["at"])),
            )
        except (ValueError, KeyError, TypeError):
            return None


class LocalStore:
    """The in-process fallback: newest entries kept, the oldest dropped beyond `max_entries`."""

    def __init__(self, max_entries: int = LOCAL_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._items.get(key)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


# One per process: requests and in-process jobs share it when there is no Redis.
PROCESS_STORE = LocalStore()


class CreativeMemory:
    def __init__(
        self,
        redis: RedisFacade,
        *,
        clock: Clock = utcnow,
        ttl: timedelta = TTL,
        local: LocalStore = PROCESS_STORE,
    ) -> None:
        self.redis = redis
        self.clock = clock
        self.ttl = ttl
        self.local = local

    @staticmethod
    def _key(user_id: uuid.UUID) -> str:
        return f"{KEY_PREFIX}{user_id}"

    async def remember(
        self,
        user_id: uuid.UUID,
        mockup_id: uuid.UUID,
        file_ids: tuple[uuid.UUID, ...] = (),
        prompt: str | None = None,
    ) -> Remembered:
        item = Remembered(mockup_id, tuple(file_ids), prompt, self.clock())
        key, value = self._key(user_id), item.to_json()
        seconds = max(1, int(self.ttl.total_seconds()))

        async def on_redis(client: Redis) -> None:
            await client.set(key, value, ex=seconds)

        async def locally() -> None:
            self.local.put(key, value)

        await self.redis.call(on_redis, locally)
        return item

    async def recall(self, user_id: uuid.UUID) -> Remembered | None:
        """The user's last creatives if they are under 30 minutes old, else None."""
        key = self._key(user_id)

        async def on_redis(client: Redis) -> str | bytes | None:
            value: str | bytes | None = await client.get(key)
            return value

        async def locally() -> str | None:
            return self.local.get(key)

        raw = await self.redis.call(on_redis, locally)
        if raw is None:
            return None
        item = Remembered.from_json(raw)
        # Only the upper bound: another instance's clock may run slightly ahead of ours.
        if item is None or self.clock() - item.at >= self.ttl:
            return None
        return item

    async def forget(self, user_id: uuid.UUID) -> None:
        key = self._key(user_id)

        async def on_redis(client: Redis) -> None:
            await client.delete(key)

        async def locally() -> None:
            self.local.delete(key)

        await self.redis.call(on_redis, locally)
