"""The coverage plugin of the test harness (tests/support/coverage_greenlets.py): coverage's
tracers look greenlets up in a plain dictionary, which lets go of them itself, in ordinary code
(docs/testing.md, "What it costs" and "The hang under coverage")."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from greenlet import greenlet  # type: ignore[import-untyped]  # no stubs or py.typed

from tests.support.coverage_greenlets import FIRST_SWEEP, GreenletIndex

ROOT = Path(__file__).resolve().parents[2]


def _run_measured(script: str, tmp_path: Path) -> list[str]:
    """Run `script` under `coverage run` with the project's configuration; its printed words."""
    probe = tmp_path / "probe.py"
    probe.write_text(textwrap.dedent(script))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COVERAGE_")  # this run's own, when the suite is measured
    }
    env.update(PYTHONPATH=str(ROOT), COVERAGE_FILE=str(tmp_path / ".coverage"))
    result = subprocess.run(
        [sys.executable, "-m", "coverage", "run", f"--rcfile={ROOT / 'pyproject.toml'}", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


# Whether the tracers of this process put the greenlets they saw in the plugin's indexes: the main
# thread's current greenlet, and one a thread switches into while it runs.
TRACED_IN_AN_INDEX = """
import threading, greenlet
from tests.support import coverage_greenlets as plugin

def in_an_index(each):
    return any(each in index for index in plugin.indexes())

seen = []

def body():
    spawned = greenlet.greenlet(lambda: None)
    spawned.switch()
    seen.append(in_an_index(spawned) and in_an_index(greenlet.getcurrent()))

thread = threading.Thread(target=body)
thread.start()
thread.join()
print(in_an_index(greenlet.getcurrent()) and seen == [True])
"""


def test_every_process_coverage_measures_looks_greenlets_up_in_the_plugins_index(
    tmp_path: Path,
) -> None:
    """In the measured process and in the subprocess it starts (coverage's `.pth` file)."""
    (tmp_path / "child.py").write_text(TRACED_IN_AN_INDEX)
    words = _run_measured(
        TRACED_IN_AN_INDEX
        + textwrap.dedent(
            f"""
            import subprocess, sys
            child = subprocess.run(
                [sys.executable, "child.py"], capture_output=True, text=True,
                cwd={str(tmp_path)!r}, check=True,
            )
            print(child.stdout.strip() or child.stderr)
            """
        ),
        tmp_path,
    )
    # Without the `plugins` line in pyproject.toml both print False.
    assert words == ["True", "True"]


def test_an_ended_threads_greenlets_are_let_go_when_the_next_thread_starts(
    tmp_path: Path,
) -> None:
    """Not in greenlet's clean-up of the ended thread (a CPython pending call, where Python code
    can spin for ever on 3.11), but as the next traced thread starts, in ordinary code."""
    words = _run_measured(
        """
        import threading, time, weakref, greenlet

        refs = []

        def body():
            spawned = greenlet.greenlet(lambda: None)
            spawned.switch()
            refs.extend([weakref.ref(greenlet.getcurrent()), weakref.ref(spawned)])

        first = threading.Thread(target=body)
        first.start()
        first.join()
        time.sleep(0.2)  # greenlet's clean-up of the ended thread runs in here
        before = [ref() is not None for ref in refs]
        # The next thread's start lets them go; the main greenlet as soon as greenlet's clean-up
        # has dropped its own reference (a later start, if that clean-up has not run yet).
        deadline = time.monotonic() + 30
        while any(ref() is not None for ref in refs) and time.monotonic() < deadline:
            later = threading.Thread(target=lambda: None)
            later.start()
            later.join()
            time.sleep(0.01)
        print(before, [ref() is not None for ref in refs])
        """,
        tmp_path,
    )
    assert " ".join(words) == "[True, True] [False, False]"


def test_an_ended_threads_main_greenlet_waits_while_anything_else_holds_it(tmp_path: Path) -> None:
    """As greenlet does until its clean-up of the thread has run: the last reference must be the
    plugin's, dropped in ordinary code, not greenlet's, dropped inside its pending call."""
    words = _run_measured(
        """
        import threading, time, weakref, greenlet
        from tests.support import coverage_greenlets as plugin

        held = []
        first = threading.Thread(target=lambda: held.append(greenlet.getcurrent()))
        first.start()
        first.join()
        ref = weakref.ref(held[0])

        def start_a_thread():
            later = threading.Thread(target=lambda: None)
            later.start()
            later.join()

        start_a_thread()  # forgets the first thread: its index is emptied
        waiting = any(each is held[0] for each in plugin._ended_mains)
        held.clear()  # now only the plugin holds it
        start_a_thread()
        print(waiting, ref() is None)
        """,
        tmp_path,
    )
    assert words == ["True", "True"]


def _finished() -> greenlet:
    each = greenlet(lambda: None)
    each.switch()
    assert each.dead
    return each


def _suspended() -> greenlet:
    each = greenlet(lambda: greenlet.getcurrent().parent.switch())
    each.switch()
    assert not each.dead
    return each


def test_an_index_drops_its_finished_greenlets_when_it_has_doubled_since_it_last_looked() -> None:
    index = GreenletIndex(threading.current_thread())
    suspended = [_suspended() for _ in range(FIRST_SWEEP * 3 // 4)]
    finished = [_finished() for _ in range(FIRST_SWEEP - len(suspended))]
    for number, each in enumerate(suspended + finished):
        index[each] = number
    assert len(index) == FIRST_SWEEP  # nothing dropped yet

    newcomer = _suspended()
    index[newcomer] = FIRST_SWEEP  # at the threshold: it looks first

    assert set(index) == {*suspended, newcomer}
    assert index[newcomer] == FIRST_SWEEP and index[suspended[0]] == 0
    # It looks again when it has doubled what it kept (2 x 192 entries), not at FIRST_SWEEP.
    while len(index) < 2 * len(suspended):
        index[_finished()] = 0
    assert len(index) == 2 * len(suspended)  # nothing dropped on the way
    last = _suspended()
    index[last] = 1
    assert set(index) == {*suspended, newcomer, last}
    for each in [*suspended, newcomer, last]:
        each.throw()  # GreenletExit: they end here rather than being killed at collection
