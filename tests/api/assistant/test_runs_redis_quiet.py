"""A run that is quiet for longer than the Redis client's socket timeout (2 s) is still followed
to its end on Redis Streams: the blocking read must not pass for a Redis outage (under load
this ended chat streams without `message_end` while the run went on)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine

import pytest
from redis.exceptions import TimeoutError as RedisTimeoutError

from salesbot.assistant.runs import RedisRunStore, RunEvent, RunInfo
from salesbot.kit.redis import RedisFacade
from tests.conftest import REDIS_URL, require_service

pytestmark = pytest.mark.services


def _fail_once(monkeypatch: pytest.MonkeyPatch, redis: RedisFacade, command: str) -> list[str]:
    """Make the Redis client's `command` time out once, as under load; the list records it."""
    assert redis.client is not None
    real = getattr(redis.client, command)
    failed: list[str] = []

    async def failing_once(*args: object, **kwargs: object) -> object:
        if not failed:
            failed.append(command)
            raise RedisTimeoutError("Timeout reading from socket")
        return await real(*args, **kwargs)

    monkeypatch.setattr(redis.client, command, failing_once)
    return failed


async def _followed_while(
    store: RedisRunStore, run_id: str, rest: Callable[[], Coroutine[object, object, None]]
) -> list[RunEvent]:
    """Follow the run from its start while `rest` publishes the rest of it: every event seen."""
    task = asyncio.create_task(rest())
    seen = [item async for item in store.follow(run_id, after=None, heartbeat_s=3.0)]
    await task
    return seen


@pytest.fixture
async def begun() -> AsyncIterator[tuple[RedisFacade, RedisRunStore, str]]:
    """A run on Redis (the facade retries 0.1 s after a failure) with its `message_start`."""
    require_service("Redis", REDIS_URL, 6379)
    redis = RedisFacade(REDIS_URL, retry_interval=0.1)
    store = RedisRunStore(redis)
    run_id = uuid.uuid4().hex
    await store.start(RunInfo(run_id, uuid.uuid4(), uuid.uuid4()))
    await store.publish(run_id, "message_start", {})
    try:
        yield redis, store, run_id
    finally:
        await redis.close()


async def test_a_quiet_run_is_followed_to_its_end_without_falling_back() -> None:
    require_service("Redis", REDIS_URL, 6379)
    redis = RedisFacade(REDIS_URL)
    store = RedisRunStore(redis)
    run_id = uuid.uuid4().hex
    try:
        await store.start(RunInfo(run_id, uuid.uuid4(), uuid.uuid4()))
        await store.publish(run_id, "message_start", {})

        async def slow_run() -> None:
            await asyncio.sleep(4.5)  # quiet for longer than the socket timeout and a beat
            await store.publish(run_id, "delta", {"text": "late"})
            await store.publish(run_id, "message_end", {})
            await store.finish(run_id)

        seen = await _followed_while(store, run_id, slow_run)
        assert redis.available  # the quiet read was not taken for a Redis outage
        events = [item.event for item in seen if item.event != "heartbeat"]
        assert events == ["message_start", "delta", "message_end"]
        assert any(item.event == "heartbeat" for item in seen)  # still beating while quiet
    finally:
        await redis.close()


async def test_a_failed_read_does_not_end_the_stream_of_a_run_whose_events_are_in_redis(
    monkeypatch: pytest.MonkeyPatch, begun: tuple[RedisFacade, RedisRunStore, str]
) -> None:
    """The load test's chat streams that ended early: a read that timed out (a busy process)
    made the follower fall back to this process's memory, which holds nothing of the run."""
    redis, store, run_id = begun
    failed = _fail_once(monkeypatch, redis, "xread")

    async def rest_of_the_run() -> None:
        await asyncio.sleep(0.5)
        await store.publish(run_id, "delta", {"text": "still here"})
        await store.publish(run_id, "message_end", {})
        await store.finish(run_id)

    seen = await _followed_while(store, run_id, rest_of_the_run)
    assert failed == ["xread"]
    events = [item.event for item in seen if item.event != "heartbeat"]
    assert events == ["message_start", "delta", "message_end"]


async def test_an_event_that_did_not_reach_redis_is_still_followed_replayed_and_resumed(
    monkeypatch: pytest.MonkeyPatch, begun: tuple[RedisFacade, RedisRunStore, str]
) -> None:
    """Under load one write to the stream timed out: the event went to this process's memory,
    and a replay read the rest from there without the first event, under other ids than the
    live stream had shown. The process keeps the whole log, with the ids its followers saw."""
    redis, store, run_id = begun
    failed = _fail_once(monkeypatch, redis, "xadd")

    async def rest_of_the_run() -> None:
        await asyncio.sleep(0.3)
        await store.publish(run_id, "tool_started", {"tool": "search"})  # does not reach Redis
        await asyncio.sleep(0.3)  # Redis answers again (the facade retries after 0.1 s)
        await store.publish(run_id, "delta", {"text": "found"})
        await store.publish(run_id, "message_end", {})
        await store.finish(run_id)

    live = await _followed_while(store, run_id, rest_of_the_run)
    assert failed == ["xadd"]
    live = [item for item in live if item.event != "heartbeat"]
    assert [item.event for item in live] == [
        "message_start",
        "tool_started",
        "delta",
        "message_end",
    ]
    assert len({item.id for item in live}) == 4

    replay = [item async for item in store.follow(run_id, after=None, heartbeat_s=3.0)]
    assert replay == live
    for index, item in enumerate(live):  # resuming after any id the client saw
        resumed = [e async for e in store.follow(run_id, after=item.id, heartbeat_s=3.0)]
        assert resumed == live[index + 1 :]


async def test_a_run_whose_events_all_reached_redis_keeps_no_copy_in_memory() -> None:
    require_service("Redis", REDIS_URL, 6379)
    redis = RedisFacade(REDIS_URL)
    store = RedisRunStore(redis)
    run_id = uuid.uuid4().hex
    try:
        await store.start(RunInfo(run_id, uuid.uuid4(), uuid.uuid4()))
        for event in ("message_start", "delta", "message_end"):
            await store.publish(run_id, event, {})
        assert store.local.has_events(run_id)  # mirrored while it runs
        await store.finish(run_id)
        assert not store.local.has_events(run_id)
        replay = [item async for item in store.follow(run_id, after=None, heartbeat_s=3.0)]
        assert [item.event for item in replay] == ["message_start", "delta", "message_end"]
        assert all("-" in item.id for item in replay)  # read from the stream
    finally:
        await redis.close()
