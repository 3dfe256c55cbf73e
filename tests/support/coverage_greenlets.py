"""A coverage plugin: coverage's per-greenlet bookkeeping at C speed, and no callback to hang on.

Under `concurrency = greenlet`, coverage's C tracer keeps one call stack per greenlet. On every
Python call and return, in all code, it asks `greenlet.getcurrent()` and looks the answer up in an
index that it makes on each thread's first traced event: a `weakref.WeakKeyDictionary`. That
lookup is Python code (a frame and a weak reference per call), and it was most of what coverage
cost this suite (docs/testing.md, "What it costs").

This plugin gives each tracer a `GreenletIndex` instead, made at the same moment: a plain `dict`,
so each lookup is a C dictionary lookup. The index holds its greenlets strongly, so it lets them
go itself, always in the tracer's own call for a greenlet it has not seen yet (ordinary code):
- the greenlets that have finished, once the index has doubled since it last looked;
- every greenlet of a thread that has ended, when a new thread's index is made or an index
  looks; its main greenlet once greenlet's own clean-up of the thread has let go of it.

Holding them also takes away the hang of docs/testing.md ("The hang under coverage"): coverage's
weak-key dictionary put a Python callback on every thread's main greenlet, and greenlet frees an
ended thread's main greenlet inside a CPython pending call, where that callback could spin for ever
on CPython 3.11. Here nothing holds a weak reference with a callback, and the index (not greenlet's
clean-up) drops the last reference. greenlet's optional leak search, which walks the whole heap for
each ended thread whose main greenlet something else still holds, is switched off: here that is
every thread.

Coverage starts in the suite's subprocesses (live servers, CLIs, workers) from its `.pth` file,
with the run's configuration, which names this module (`[tool.coverage.run] plugins`), so every
measured process has it. `tests/conftest.py` puts the checkout on their `PYTHONPATH`.
`tests/unit/test_coverage_greenlets.py` checks that the tracers use the index, in a measured
process and in the subprocess it starts, and when the index lets greenlets go.
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from types import FrameType
from typing import Any

from coverage.collector import Collector
from coverage.types import TTraceFn
from greenlet import _greenlet  # type: ignore[import-untyped]  # no stubs or py.typed

# An index looks for finished greenlets when it reaches this size, then when it has doubled.
FIRST_SWEEP = 256

_WEAK_KEY_DICTIONARY = weakref.WeakKeyDictionary
_START_TRACER = Collector._start_tracer
_INSTALLATION_TRACE = Collector._installation_trace
_registry_lock = threading.Lock()
_indexes: list[GreenletIndex] = []  # one per traced thread whose thread may still run
_ended_mains: list[Any] = []  # ended threads' main greenlets that greenlet may still hold
_window_owner: int | None = None  # the thread whose starting tracer has no index yet


class GreenletIndex(dict[Any, int]):
    """Coverage's map of a thread's greenlets to its data stacks, looked up in C."""

    def __init__(self, thread: threading.Thread) -> None:
        super().__init__()
        self.thread = thread
        self._sweep_at = FIRST_SWEEP

    def __setitem__(self, key: Any, value: int) -> None:
        # Only the tracer sets items, once per greenlet it has not seen before.
        if len(self) >= self._sweep_at:
            self.sweep()
        super().__setitem__(key, value)

    def sweep(self) -> None:
        """Drop this thread's finished greenlets, and every greenlet of the threads that ended."""
        for finished in [each for each in self if each.dead]:
            del self[finished]
        self._sweep_at = max(FIRST_SWEEP, 2 * len(self))
        forget_ended_threads()


def indexes() -> list[GreenletIndex]:
    """The indexes of the traced threads that have not been seen to end."""
    with _registry_lock:
        return list(_indexes)


def forget_ended_threads() -> None:
    """Let go of the greenlets of the threads that have ended.

    A thread counts as ended once its Python thread state is gone, which can be just before
    greenlet queues its own clean-up of that thread. So each ended thread's main greenlet waits in
    `_ended_mains` until greenlet has dropped its reference: the last one is then always ours,
    dropped here, never in greenlet's pending call.
    """
    with _registry_lock:
        ended: list[GreenletIndex] = []
        running: list[GreenletIndex] = []
        for index in _indexes:  # one pass: a thread that ends meanwhile is seen next time
            (ended if _has_ended(index.thread) else running).append(index)
        _indexes[:] = running
    mains = [each for index in ended for each in index if each.parent is None]
    for index in ended:
        index.clear()  # no code of that thread runs again
    with _registry_lock:
        _ended_mains.extend(mains)
        del mains
        # References to a waiting main greenlet when only we hold it: the list, the
        # comprehension's name and `sys.getrefcount`'s argument.
        still_held = [each for each in _ended_mains if sys.getrefcount(each) > 3]
        freed, _ended_mains[:] = list(_ended_mains), still_held
    del freed  # outside the lock: anything their freeing runs cannot wait on it


def _has_ended(thread: threading.Thread) -> bool:
    # The main thread counts as stopped during interpreter shutdown, while it still runs code.
    return thread is not threading.main_thread() and not thread.is_alive()


class _IndexForTheTracer(weakref.WeakKeyDictionary[Any, Any]):
    """`weakref.WeakKeyDictionary` while a tracer starts: the tracer's own call gets an index.

    A subclass, so that anything else that meets it in that moment (another thread's call, a
    subscript such as `WeakKeyDictionary[K, V]`, a subclass) still gets a weak-key dictionary.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        global _window_owner
        if cls is not _IndexForTheTracer:
            return super().__new__(cls)  # a subclass made in that moment: as before
        if args or kwargs or threading.get_ident() != _window_owner:
            # Another thread's call in that moment, or a second one: a weak-key dictionary.
            return _WEAK_KEY_DICTIONARY(*args, **kwargs)
        _window_owner = None  # one index per tracer
        forget_ended_threads()
        index = GreenletIndex(threading.current_thread())
        with _registry_lock:
            _indexes.append(index)
        return index


class _Window:
    """While a tracer starts and makes its index, `weakref.WeakKeyDictionary` makes an index for
    the starting thread's own call."""

    def __init__(self) -> None:
        self._lock = threading.RLock()  # a thread's first event starts its tracer inside it
        self._depth = 0

    def __enter__(self) -> None:
        global _window_owner
        self._lock.acquire()
        self._depth += 1
        if self._depth == 1:
            _window_owner = threading.get_ident()
            weakref.WeakKeyDictionary = _IndexForTheTracer  # type: ignore[misc]

    def reset(self) -> None:
        """In a forked child: no tracer is starting there, whatever the parent was doing."""
        global _window_owner
        self._lock = threading.RLock()
        self._depth = 0
        _window_owner = None
        weakref.WeakKeyDictionary = _WEAK_KEY_DICTIONARY  # type: ignore[misc]

    def __exit__(self, *exc: object) -> None:
        global _window_owner
        self._depth -= 1
        if not self._depth:
            weakref.WeakKeyDictionary = _WEAK_KEY_DICTIONARY  # type: ignore[misc]
            _window_owner = None
        self._lock.release()


_WINDOW = _Window()


def _start_tracer(self: Collector) -> TTraceFn | None:
    # On the thread that starts coverage, the tracer's first event is the return from coverage's
    # own `_start_tracer`, inside this window.
    with _WINDOW:
        return _START_TRACER(self)


def _installation_trace(self: Collector, frame: FrameType, event: str, arg: Any) -> TTraceFn | None:
    # On a new thread, coverage's first trace function starts the tracer and then hands it the
    # thread's first event itself (no event reaches a tracer from inside a trace function).
    with _WINDOW:
        return _INSTALLATION_TRACE(self, frame, event, arg)


def coverage_init(reg: Any, options: dict[str, Any]) -> None:
    """Coverage's plugin entry point: nothing to register; each tracer from now on gets an index."""
    _greenlet.enable_optional_cleanup(False)
    os.register_at_fork(after_in_child=_WINDOW.reset)
    Collector._start_tracer = _start_tracer  # type: ignore[method-assign]
    Collector._installation_trace = _installation_trace  # type: ignore[method-assign]
