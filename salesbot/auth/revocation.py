"""Is a session revoked? The one per-request check behind every access token's `sid`.

The database (`auth_sessions.revoked_at`) is the truth. Redis holds each session's state
(`r` revoked, `a` active) so instances share revocations without a database read per request,
and each process remembers an answer briefly. A revocation writes the database, then marks the
session `r` in Redis and in this process at once; other processes see it within
`cache_s` seconds. With Redis absent or down the database answers (by primary key).

The same entry holds the caller (user and roles) once a request loaded it, so a request on a
session seen in the last `cache_s` seconds costs no database read at all. Every change that
must end a session's rights (revocation, role change, deactivation: all revoke the sessions)
replaces the entry at once here and within `cache_s` on other processes; `forget_user` drops a
user's entries when the account changed without a revocation (a rename, an erasure).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.redis import RedisFacade
from salesbot.users import repository

KEY_PREFIX = "salesbot:auth:sid:"
REVOKED = b"r"
ACTIVE = b"a"
# An "active" answer in Redis is re-read from the database after this long: it bounds how
# stale Redis can be if a revocation happened while Redis was unreachable.
ACTIVE_TTL_S = 60
MAX_ENTRIES = 20_000


@dataclass(frozen=True)
class _Known:
    revoked: bool
    until: float
    caller: repository.Caller | None = None


class SessionRevocations:
    def __init__(
        self,
        redis: RedisFacade,
        *,
        cache_s: float,
        revoked_ttl_s: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.cache_s = cache_s
        self.revoked_ttl_s = revoked_ttl_s  # an access token's lifetime: after that it is dead
        self.clock = clock
        self._known: dict[uuid.UUID, _Known] = {}

    def _remember(self, sid: uuid.UUID, revoked: bool) -> None:
        if len(self._known) >= MAX_ENTRIES:
            self._known.clear()
        ttl = self.revoked_ttl_s if revoked else self.cache_s
        self._known[sid] = _Known(revoked, self.clock() + ttl)

    async def is_revoked(self, db: AsyncSession, sid: uuid.UUID) -> bool:
        known = self._known.get(sid)
        if known is not None and known.until > self.clock():
            return known.revoked
        key = f"{KEY_PREFIX}{sid}"

        async def read(client: Redis) -> bytes | None:
            value = await client.get(key)
            return value.encode() if isinstance(value, str) else value

        async def unknown() -> bytes | None:
            return None

        state = await self.redis.call(read, unknown)
        if state in (REVOKED, ACTIVE):
            revoked = state == REVOKED
        else:
            revoked = await repository.session_revoked_at(db, sid) is not None
            await self._store(key, revoked, only_if_absent=True)
        self._remember(sid, revoked)
        return revoked

    def known_caller(self, sid: uuid.UUID) -> repository.Caller | None:
        """The caller loaded for this live session in the last `cache_s` seconds, if any."""
        known = self._known.get(sid)
        if known is None or known.revoked or known.until <= self.clock():
            return None
        return known.caller

    def keep_caller(self, sid: uuid.UUID, caller: repository.Caller) -> None:
        """Remember the caller until the session's "not revoked" answer expires."""
        known = self._known.get(sid)
        if known is not None and not known.revoked:
            self._known[sid] = replace(known, caller=caller)

    def forget_user(self, user_id: uuid.UUID) -> None:
        """This process reloads the user on their next request (the account changed)."""
        for sid, known in list(self._known.items()):
            if known.caller is not None and known.caller.id == user_id:
                self._known[sid] = replace(known, caller=None)

    async def _store(self, key: str, revoked: bool, *, only_if_absent: bool) -> None:
        async def write(client: Redis) -> None:
            if revoked:
                await client.set(key, REVOKED, ex=self.revoked_ttl_s, nx=only_if_absent)
            else:
                # NX: never overwrite a revocation that landed since the database was read.
                await client.set(key, ACTIVE, ex=ACTIVE_TTL_S, nx=True)

        async def nothing() -> None:
            return None

        await self.redis.call(write, nothing)

    async def publish(self, sids: Iterable[uuid.UUID]) -> None:
        """Call after the revocation is committed: this process and Redis know at once."""
        for sid in sids:
            self._remember(sid, True)
            await self._store(f"{KEY_PREFIX}{sid}", True, only_if_absent=False)
