"""The garbage collector around start-up: objects made to live as long as the process.

Importing the app makes ~250,000 objects (modules, routes, models, mappers) that are never
garbage; collecting while they are made walks them again and again for nothing (a fifth of the
import's time here), and a full collection made due by start-up lands on an early request
(~200 ms where a warm request takes a few ms). So the imports run with the collector paused and
what they made is frozen (`gc.freeze`: moved out of every later collection), and the end of
start-up collects its own garbage once and freezes the rest.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived() -> Iterator[None]:
    """Make process-long objects without the collector: paused meanwhile (unless it already
    was), then everything tracked so far is frozen. A cycle of garbage made inside stays."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


_settled = False


def settle() -> None:
    """End of start-up: collect its garbage once, then freeze what survived. Once a process
    (one that starts many apps, such as the test suite, freezes nothing of the later ones)."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
