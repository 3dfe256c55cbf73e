"""Keep each ended thread's main greenlet alive until the test process frees it at a safe point.

Under coverage's greenlet concurrency every thread gets a greenlet state, and coverage keys a
`weakref.WeakKeyDictionary` by each thread's main greenlet. When a thread ends, greenlet frees
that state in a CPython "pending call" on the main thread. Freeing the main greenlet there runs
the dictionary's weak-reference callback, which is Python code. On CPython 3.11, with a trace
function set (coverage's), a Python function entered inside a pending call spins for ever if
another thread ends meanwhile and queues a second one (docs/testing.md, "The hang under
coverage").

So each new thread hands its main greenlet to the keeper as it starts. greenlet's clean-up then
drops only its own reference, and no Python code runs in the pending call. A greenlet that only
the keeper still holds is freed at the next safe point, in ordinary code, where its callback is
harmless: when the next thread starts, and in the test process between tests.

`KEEPER` is the process's one keeper. `tests/support/coverage_greenlets.py` installs it in every
process coverage measures (the test processes and the servers, CLIs and workers they start).
"""

from __future__ import annotations

import sys
import threading
from types import FrameType
from typing import Any

import greenlet  # type: ignore[import-untyped]  # no stubs or py.typed
from greenlet import _greenlet

# References to a held greenlet when nothing but the keeper's list has it: the list, the loop's
# name and `sys.getrefcount`'s own argument.
_ONLY_THE_KEEPER = 3


class GreenletKeeper:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: list[greenlet.greenlet] = []

    def install(self) -> None:
        """Hold the main greenlet of every thread `threading` starts from now on."""
        # greenlet's optional clean-up searches the whole heap (`gc.get_referrers`) for each ended
        # thread whose main greenlet one other reference still holds: with the keeper, every one.
        _greenlet.enable_optional_cleanup(False)
        threading.setprofile(self._on_thread_start)

    def _on_thread_start(self, frame: FrameType, event: str, arg: Any) -> None:
        # The thread's first profiled event, before its target runs: nothing has switched
        # greenlets yet, so the current one is the thread's main greenlet.
        sys.setprofile(None)
        self.release()  # a process with no test loop (a server, a CLI) frees them here
        with self._lock:
            self._held.append(greenlet.getcurrent())

    def release(self) -> int:
        """Free the greenlets of threads that have ended and been cleaned up; return how many."""
        with self._lock:
            still_used = [g for g in self._held if sys.getrefcount(g) > _ONLY_THE_KEEPER]
            freed = len(self._held) - len(still_used)
            done, self._held = self._held, still_used
        del done  # the last references: the weak-reference callbacks run here
        return freed

    def __len__(self) -> int:
        return len(self._held)


KEEPER = GreenletKeeper()
