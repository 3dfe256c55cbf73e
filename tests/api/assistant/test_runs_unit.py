"""The in-memory run store: ids, replay after an id, live events, heartbeats, the end."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from salesbot.assistant.runs import MemoryRunStore, RunEvent, RunInfo, check_event_id
from salesbot.kit.errors import ValidationFailed


def info(run_id: str = "r1") -> RunInfo:
    return RunInfo(run_id, uuid.uuid4(), uuid.uuid4())


async def collect(
    store: MemoryRunStore, after: str | None, limit: int = 50, beat: asyncio.Event | None = None
) -> list[RunEvent]:
    """Follow run r1; `beat` is set once a heartbeat has arrived."""
    items = []
    async for item in store.follow("r1", after=after, heartbeat_s=0.05):
        items.append(item)
        if beat is not None and item.event == "heartbeat":
            beat.set()
        if len(items) >= limit:
            break
    return items


async def test_replay_then_live_until_the_end() -> None:
    store = MemoryRunStore()
    await store.start(info())
    await store.publish("r1", "message_start", {"n": 0})
    await store.publish("r1", "delta", {"text": "a"})

    beat = asyncio.Event()

    async def later() -> None:
        await beat.wait()  # the follower is idle and beating: now the live part
        await store.publish("r1", "delta", {"text": "b"})
        await store.publish("r1", "message_end", {})
        await store.publish("r1", "delta", {"text": "after the end"})

    task = asyncio.create_task(later())
    items = await collect(store, None, beat=beat)
    await task
    real = [i for i in items if i.event != "heartbeat"]
    assert [(i.id, i.event) for i in real] == [
        ("1", "message_start"),
        ("2", "delta"),
        ("3", "delta"),
        ("4", "message_end"),
    ]
    beats = [i for i in items if i.event == "heartbeat"]
    assert beats and all(b.id == "2" for b in beats)


async def test_resume_after_an_id_and_after_the_end() -> None:
    store = MemoryRunStore()
    await store.start(info())
    for n in range(3):
        await store.publish("r1", "delta", {"n": n})
    await store.publish("r1", "error", {"code": "x"})
    await store.finish("r1")
    assert [i.id for i in await collect(store, "2")] == ["3", "4"]
    assert await collect(store, "4") == []


async def test_unknown_run_ends_at_once_and_bad_ids_are_refused() -> None:
    store = MemoryRunStore()
    assert [i async for i in store.follow("nope", after=None, heartbeat_s=0.05)] == []
    with pytest.raises(ValidationFailed):
        check_event_id("1; DROP")
    assert check_event_id("") is None
    assert check_event_id("1700000000000-3") == "1700000000000-3"


async def test_claims_are_exclusive_until_released() -> None:
    store = MemoryRunStore()
    conversation = uuid.uuid4()
    assert await store.claim(conversation, "a")
    assert not await store.claim(conversation, "b")
    await store.release(conversation, "b")  # not the holder: no effect
    assert not await store.claim(conversation, "b")
    await store.release(conversation, "a")
    assert await store.claim(conversation, "b")


async def test_finished_runs_are_pruned_after_retention() -> None:
    store = MemoryRunStore(retention_s=0)
    await store.start(info("old"))
    await store.finish("old")
    await store.start(info("new"))
    assert await store.info("old") is None
    assert await store.info("new") is not None
