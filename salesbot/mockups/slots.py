"""Composition slots: at most `SALESBOT_MOCKUP_CONCURRENCY` compositions at once per process.

Compositing is CPU-bound and memory-hungry (an 8K photo is ~100 MB per copy), so it runs in a
worker thread, never on the event loop; a request that finds every slot busy becomes a job.
"""

from __future__ import annotations

import threading
from typing import Any

from anyio import to_thread

from salesbot.kit.errors import ServiceUnavailable

SLOT_WAIT_S = 120.0


class CompositionSlots:
    """At most `limit` compositions at once in this process (requests and in-process jobs)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._semaphore = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self.in_use = 0
        self.peak = 0

    def _taken(self) -> None:
        with self._lock:
            self.in_use += 1
            self.peak = max(self.peak, self.in_use)

    def try_acquire(self) -> bool:
        if not self._semaphore.acquire(blocking=False):
            return False
        self._taken()
        return True

    def acquire(self, timeout: float | None = None) -> bool:
        """Blocking: call from a worker thread, never on the event loop."""
        if not self._semaphore.acquire(timeout=timeout):
            return False
        self._taken()
        return True

    def release(self) -> None:
        with self._lock:
            self.in_use -= 1
        self._semaphore.release()

    async def wait(self, patience_s: float = SLOT_WAIT_S) -> None:
        """Take a slot, waiting in a thread; 503 when none frees up in time."""
        if self.try_acquire():
            return
        if not await to_thread.run_sync(self.acquire, patience_s):
            raise ServiceUnavailable(
                "Mockups are busy right now. Please try again in a moment.",
                headers={"Retry-After": "10"},
            )


_SLOTS: dict[int, CompositionSlots] = {}
_SLOTS_LOCK = threading.Lock()


def composition_slots(limit: int) -> CompositionSlots:
    """The process-wide slots for `limit` (the app and in-process jobs share them)."""
    with _SLOTS_LOCK:
        slots = _SLOTS.get(limit)
        if slots is None:
            slots = _SLOTS[limit] = CompositionSlots(limit)
        return slots


def slots_of(state: Any) -> CompositionSlots:
    """The app's slots (tests may put their own on `app.state.mockup_slots`)."""
    slots = getattr(state, "mockup_slots", None)
    if isinstance(slots, CompositionSlots):
        return slots
    return composition_slots(state.settings.mockup_concurrency)
