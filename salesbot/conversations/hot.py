"""Hot conversation cache (ADR-002): Redis holds the latest messages of active conversations.

Read-through: the first page of a conversation is read from PostgreSQL once, then served from
Redis until the conversation goes quiet (`chat_cache_ttl_s`). Written through on every append,
dropped on delete, retention and erasure. The cached owner is compared with the caller before
anything is served, so authorisation is the same as the database's.

Races: a fill carries the conversation's version (bumped by every append and invalidation)
from before its database read and is stored only if nothing changed meanwhile. A write-through
or invalidation that cannot reach Redis marks the conversation dirty in this process; its keys
are deleted first thing when Redis answers again (and expire after the TTL in any case).

Without Redis (or during an outage) every read goes to the database: never an error.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from salesbot.conversations import wire
from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import counter
from salesbot.kit.redis import RedisFacade

T = TypeVar("T")
log = get_logger(__name__)

# A first page holds at most 100 messages; one more tells whether older ones exist.
WINDOW = 101
MAX_DIRTY = 10_000

PAGE_READS = counter(
    "salesbot_conversation_page_reads_total", "Message pages served, by source", ["source"]
)

_FILL = """
local v = redis.call('GET', KEYS[3]) or '0'
if v ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
if #ARGV > 4 then redis.call('RPUSH', KEYS[2], unpack(ARGV, 5)) end
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'full', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""

# The list stays newest first: a message older than the cached head (two appends racing) drops
# the page instead (the next read fills it again). Entries start with {"id":"<36 characters>".
_APPEND = """
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local head = redis.call('LINDEX', KEYS[2], 0)
if head and string.sub(head, 8, 43) >= ARGV[4] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 0
end
redis.call('LPUSH', KEYS[2], ARGV[1])
if redis.call('LLEN', KEYS[2]) > tonumber(ARGV[2]) then
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[2]) - 1)
  redis.call('HSET', KEYS[1], 'full', '0')
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
"""


def keys(conversation_id: uuid.UUID) -> list[str]:
    """(meta, messages, version); the braces keep them on one Redis Cluster slot."""
    base = f"sb:conv:{{{conversation_id}}}"
    return [f"{base}:meta", f"{base}:msgs", f"{base}:ver"]


class HotCache:
    """The process's chat use of Redis: cached pages (`pages`) and/or write-behind."""

    def __init__(
        self, redis: RedisFacade, *, ttl_s: int, pages: bool = True, write_behind: bool = False
    ) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self.pages = pages
        self.write_behind = write_behind
        self._dirty: set[uuid.UUID] = set()

    @property
    def usable(self) -> bool:
        return self.redis.available

    async def _call(
        self, op: Callable[[Redis], Awaitable[T]], fallback: Callable[[], Awaitable[T]]
    ) -> T:
        """The facade's outage fallback, and the same for a command Redis refuses (out of
        memory, a read-only replica): the cache is an optimisation, never an error."""

        async def guarded(client: Redis) -> T:
            try:
                return await op(client)
            except ResponseError as exc:
                log.warning("conversation_cache_refused", error_type=type(exc).__name__)
                return await fallback()

        return await self.redis.call(guarded, fallback)

    async def _clean(self, client: Redis) -> None:
        """Forget what changed while Redis could not be told."""
        if not self._dirty:
            return
        dirty = list(self._dirty)
        await _forget(client, dirty)
        self._dirty.difference_update(dirty)

    def _mark_dirty(self, ids: Iterable[uuid.UUID]) -> None:
        self._dirty.update(ids)
        if len(self._dirty) > MAX_DIRTY:  # a long outage: the TTL covers what is dropped here
            self._dirty = set(list(self._dirty)[-MAX_DIRTY:])

    async def version(self, conversation_id: uuid.UUID) -> str | None:
        """The conversation's version before a fill's database read (None: do not fill)."""

        async def op(client: Redis) -> str | None:
            await self._clean(client)
            raw = await client.get(keys(conversation_id)[2])
            return raw.decode() if isinstance(raw, bytes) else str(raw or "0")

        return await self._call(op, _none)

    async def page(
        self,
        conversation_id: uuid.UUID,
        owner_id: uuid.UUID,
        *,
        before: uuid.UUID | None,
        want: int,
    ) -> list[wire.CachedRow] | None:
        """Up to `want` messages from Redis, newest first; None: ask the database."""

        async def op(client: Redis) -> list[wire.CachedRow] | None:
            await self._clean(client)
            meta_key, msgs_key, _ = keys(conversation_id)
            async with client.pipeline(transaction=True) as pipe:
                pipe.hmget(meta_key, ["owner", "full"])
                # The first page needs only the head of the list (kept newest first).
                pipe.lrange(msgs_key, 0, want - 1 if before is None else -1)
                (owner, full), raw = await pipe.execute()
            if owner is None or owner.decode() != str(owner_id):
                return None  # not cached, or not the caller's: the database decides
            window = wire.decode_rows(raw)
            return wire.page_from_window(window, full=full == b"1", before=before, want=want)

        rows = await self._call(op, _none)
        PAGE_READS.labels(source="redis" if rows is not None else "database").inc()
        return rows

    async def fill(
        self,
        conversation_id: uuid.UUID,
        owner_id: uuid.UUID,
        version: str,
        rows: Sequence[Any],
        *,
        full: bool,
    ) -> None:
        """Store the latest rows (newest first, at most WINDOW) read at `version`."""

        async def op(client: Redis) -> None:
            payload = [wire.encode(r) for r in rows[:WINDOW]]
            args = [version, str(owner_id), "1" if full else "0", str(self.ttl_s), *payload]
            await client.eval(_FILL, 3, *keys(conversation_id), *args)

        await self._call(op, _nothing)

    async def appended(self, message: Any) -> None:
        """Write one new message through (a no-op for a conversation that is not cached)."""

        async def op(client: Redis) -> None:
            await self._clean(client)
            args = [wire.encode(message), str(WINDOW), str(self.ttl_s), str(message.id)]
            await client.eval(_APPEND, 3, *keys(message.conversation_id), *args)

        async def missed() -> None:
            self._mark_dirty([message.conversation_id])

        await self._call(op, missed)

    async def invalidate(self, conversation_ids: Iterable[uuid.UUID]) -> None:
        ids = list(conversation_ids)

        async def op(client: Redis) -> None:
            await self._clean(client)
            await _forget(client, ids)

        async def missed() -> None:
            self._mark_dirty(ids)

        await self._call(op, missed)


async def _forget(client: Redis, ids: Sequence[uuid.UUID]) -> None:
    for start in range(0, len(ids), 200):
        async with client.pipeline(transaction=False) as pipe:
            for conversation_id in ids[start : start + 200]:
                meta_key, msgs_key, ver_key = keys(conversation_id)
                pipe.delete(meta_key, msgs_key)
                pipe.incr(ver_key)
                pipe.expire(ver_key, 86_400)
            await pipe.execute()


async def forget(redis_url: str | None, conversation_ids: Iterable[uuid.UUID]) -> None:
    """Drop cached pages (retention, erasure, imports), in the app or not; best effort."""
    ids = list(conversation_ids)
    if _current is not None and ids:
        await _current.invalidate(ids)
        return
    if not redis_url or not ids:
        return
    facade = RedisFacade(redis_url)
    try:
        await HotCache(facade, ttl_s=1).invalidate(ids)
    finally:
        await facade.close()


async def _none() -> None:
    return None


async def _nothing() -> None:
    return None


# The process's cache (set while an app or a persister runs; None: every read goes to the DB).
_current: HotCache | None = None


def install(cache: HotCache | None) -> None:
    global _current
    _current = cache


def uninstall(cache: HotCache | None) -> None:
    global _current
    if _current is cache:
        _current = None


def current() -> HotCache | None:
    return _current
