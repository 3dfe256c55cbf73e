"""kit.lazy: a module that loads on first use, safely from several threads at once; kit.heap:
the collector paused while process-long objects are made, and what they made frozen."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(code: str, tmp_path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def test_a_lazy_module_runs_on_first_use_once_even_when_threads_race(tmp_path: Path) -> None:
    # A module slow to run: every thread that reads from it meanwhile must wait, not fail.
    (tmp_path / "slow_module.py").write_text(
        "import time\nRUNS = [1]\ntime.sleep(0.3)\nVALUE = 42\n"
    )
    out = _run(
        """
        import sys, threading
        from salesbot.kit.lazy import lazy_module
        slow = lazy_module("slow_module")
        print("slow_module" in sys.modules)
        results, errors = [], []
        def read():
            try:
                results.append(slow.VALUE)
            except Exception as exc:
                errors.append(repr(exc))
        threads = [threading.Thread(target=read) for _ in range(8)]
        for t in threads: t.start()
        for t in threads: t.join()
        import slow_module
        print(results == [42] * 8, errors, len(slow_module.RUNS))
        """,
        tmp_path,
    )
    assert out.splitlines() == ["False", "True [] 1"]


def test_long_lived_pauses_the_collector_and_freezes_what_was_made(tmp_path: Path) -> None:
    out = _run(
        """
        import gc
        from salesbot.kit import heap
        before = gc.get_freeze_count()
        with heap.long_lived():
            inside = gc.isenabled()
            made = [[i] for i in range(10_000)]
        print(inside, gc.isenabled(), gc.get_freeze_count() >= before + 10_000)
        gc.disable()
        with heap.long_lived():
            pass
        print(gc.isenabled())  # a collector paused by the caller stays paused
        """,
        tmp_path,
    )
    assert out.splitlines() == ["False True True", "False"]


def test_settle_collects_start_ups_garbage_then_freezes_once_a_process(tmp_path: Path) -> None:
    out = _run(
        """
        import gc, weakref
        from salesbot.kit import heap
        class Node: pass
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle only the collector can free
        gone = weakref.ref(a)
        del a, b
        heap.settle()
        frozen = gc.get_freeze_count()
        print(gone() is None, frozen > 0)
        keep = [[i] for i in range(1_000)]
        heap.settle()  # the second start in one process freezes nothing more
        print(gc.get_freeze_count() == frozen)
        """,
        tmp_path,
    )
    assert out.splitlines() == ["True True", "True"]
