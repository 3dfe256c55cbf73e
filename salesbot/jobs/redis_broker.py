"""Dramatiq's Redis broker with a bounded takeover time for a dead worker's jobs.

Dramatiq's broker hands a dead worker's unacknowledged messages back to their queue during
"maintenance", which runs on a random 0.1% of broker commands: with idle workers polling a few
times a second that is minutes apart, on top of a 60 s heartbeat timeout. Here maintenance runs
at most every `maintenance_interval_ms` per queue (on the next command for that queue), so a
SIGKILLed worker's job is back on its queue within heartbeat timeout + interval + one poll.

Every broker command (each worker polls its queues at least every `worker_timeout` ms, busy or
not, through the delay queue's consumer) refreshes the worker's heartbeat, so a live worker
running a long job is never taken for dead.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from dramatiq.brokers.redis import MAINTENANCE_COMMAND_BLACKLIST, RedisBroker


class TunedRedisBroker(RedisBroker):
    def __init__(self, *, maintenance_interval_ms: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self.maintenance_interval_ms = maintenance_interval_ms
        self._maintained: dict[str, float] = {}
        self._maintained_lock = threading.Lock()
        self._dispatching = threading.local()  # the queue of the command being dispatched

    def _should_do_maintenance(self, command: str) -> int:
        # Dramatiq passes no queue here; `_dispatch` below records it per call.
        queue = getattr(self._dispatching, "queue", "")
        if command in MAINTENANCE_COMMAND_BLACKLIST:
            return 0
        now = time.monotonic()
        with self._maintained_lock:
            last = self._maintained.get(queue)
            if last is not None and (now - last) * 1000 < self.maintenance_interval_ms:
                return 0
            self._maintained[queue] = now
        return 1

    def _dispatch(self, command: str) -> Any:
        inner = super()._dispatch(command)  # type: ignore[no-untyped-call]

        def dispatch(queue_name: str, *args: Any) -> Any:
            self._dispatching.queue = queue_name
            try:
                return inner(queue_name, *args)
            finally:
                self._dispatching.queue = ""

        return dispatch
