"""`kit.locks.exclusive`: the second caller waits for the first, gives up after its wait, and
works unlocked when the lock's store is unreachable."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from salesbot.kit.locks import DeploymentLock, Held, LocalLock, LockBusy, exclusive


async def test_the_second_caller_waits_until_the_first_releases() -> None:
    lock = LocalLock()
    name = f"test:{uuid.uuid4()}"
    order: list[str] = []
    first_in = asyncio.Event()
    let_go = asyncio.Event()

    async def first() -> None:
        async with exclusive(lock, name, ttl_s=60, wait_s=60, poll_s=0.01) as locked:
            assert locked
            order.append("first in")
            first_in.set()
            await let_go.wait()
            order.append("first out")

    async def second() -> None:
        await first_in.wait()
        async with exclusive(lock, name, ttl_s=60, wait_s=60, poll_s=0.01) as locked:
            assert locked
            order.append("second in")

    async def release_after_second_tried() -> None:
        await first_in.wait()
        # The second is polling: its acquire has answered "busy" at least once by now.
        while await _busy(lock, name) is False:
            await asyncio.sleep(0)
        let_go.set()

    await asyncio.gather(first(), second(), release_after_second_tried())
    assert order == ["first in", "first out", "second in"]


async def _busy(lock: DeploymentLock, name: str) -> bool:
    held = await lock.acquire(name, 60)
    if held is None:
        return True
    await held.release()
    return False


async def test_a_caller_gives_up_after_its_wait() -> None:
    lock = LocalLock()
    name = f"test:{uuid.uuid4()}"
    held = await lock.acquire(name, 60)
    assert held is not None
    try:
        with pytest.raises(LockBusy) as busy:
            async with exclusive(lock, name, ttl_s=60, wait_s=0, poll_s=0.01):
                pytest.fail("the block must not run while another holds the lock")
        assert busy.value.status_code == 503  # reaching a request: try again, not a 500
    finally:
        await held.release()


class Unreachable(DeploymentLock):
    kind = "redis"

    async def acquire(self, name: str, ttl_s: float) -> Held | None:
        raise RedisConnectionError("Connection refused")


async def test_an_unreachable_lock_store_runs_the_work_unlocked() -> None:
    ran: list[bool] = []
    async with exclusive(Unreachable(), "test:down", ttl_s=60, wait_s=60) as locked:
        ran.append(locked)
    assert ran == [False]
