"""A job message's work done once however often the broker delivers it.

The Redis broker delivers a message again when its worker looks gone (missed heartbeats, a
crash after the work was stored but before the acknowledgement). For work that produces
something (a rendered proposal), a second delivery must not produce it twice: the delivery
takes the message's deployment-wide lock, and the result of a delivery that finished is kept in
Redis under the message id, so a later or waiting delivery returns it instead of working.
Failed attempts store nothing, so Dramatiq's retries still do the work.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from dramatiq.middleware import CurrentMessage
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from salesbot.kit import locks
from salesbot.kit.logging import get_logger
from salesbot.kit.redis import OUTAGE_ERRORS

log = get_logger(__name__)

RESULT_PREFIX = "salesbot:jobs:result:"
RESULT_TTL_S = 24 * 3600  # longer than any redelivery or retry of the message


async def once_per_message(
    redis_url: str | None,
    engine: AsyncEngine,
    work: Callable[[], Awaitable[str | None]],
    *,
    ttl_s: float,
) -> str | None:
    """`work()`'s result, or what a delivery of the same message already returned.

    Without Redis the broker is in-process and delivers a message once: the work just runs.
    """
    message = CurrentMessage.get_current_message()
    if message is None or not redis_url:
        return await work()
    key = RESULT_PREFIX + message.message_id
    client: Redis = Redis.from_url(redis_url, socket_connect_timeout=2.0, socket_timeout=5.0)
    try:
        async with (
            locks.deployment_lock(redis_url, engine) as lock,
            locks.exclusive(lock, f"job:{message.message_id}", ttl_s=ttl_s, wait_s=ttl_s),
        ):
            found = await _get(client, key)
            if found is not None:
                log.info("job_result_reused", actor=message.actor_name, message_id=key)
                result: str | None = found["result"]
                return result
            result = await work()
            await _put(client, key, result)
            return result
    finally:
        await client.aclose()


async def _get(client: Redis, key: str) -> dict[str, Any] | None:
    try:
        raw = await client.get(key)
    except OUTAGE_ERRORS as exc:
        log.warning("job_result_unavailable", error_type=type(exc).__name__)
        return None
    return None if raw is None else dict(json.loads(raw))


async def _put(client: Redis, key: str, result: str | None) -> None:
    try:
        await client.set(key, json.dumps({"result": result}), ex=RESULT_TTL_S)
    except OUTAGE_ERRORS as exc:
        log.warning("job_result_unavailable", error_type=type(exc).__name__)
