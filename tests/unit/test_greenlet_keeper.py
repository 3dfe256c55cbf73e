"""The test harness's greenlet keeper: an ended thread's main greenlet is freed at `release`, in
ordinary code, never inside greenlet's pending call, where a traced callback can spin for ever on
CPython 3.11 (docs/testing.md, "The hang under coverage")."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A trace function is set, as coverage sets one. The first thread's main greenlet carries a weak
# reference whose callback lets a second greenlet thread end, which queues a second pending call,
# and then calls a Python function: inside greenlet's own pending call that call never returns.
SCENARIO = textwrap.dedent(
    """
    import sys, threading, time, weakref
    import greenlet
    from tests.support.greenlet_keeper import GreenletKeeper

    keeper = GreenletKeeper()
    keeper.install()
    releasing = False
    seen = []

    def inner():
        return 1

    def callback(_ref):
        seen.append(("freed", "in release" if releasing else "elsewhere"))
        other = threading.Thread(target=greenlet.getcurrent)
        other.start()
        other.join()
        time.sleep(0.2)
        inner()
        seen.append(("callback returned",))

    refs = []

    def watched():
        refs.append(weakref.ref(greenlet.getcurrent(), callback))

    first = threading.Thread(target=watched)
    sys.settrace(lambda *args: None)
    first.start()
    first.join()
    deadline = time.monotonic() + 10
    freed = 0
    while not freed and time.monotonic() < deadline:
        time.sleep(0.01)  # greenlet's clean-up of the ended thread runs in here
        releasing = True
        freed = keeper.release()
        releasing = False
    sys.settrace(None)
    print(seen, freed, len(keeper))
    """
)


def test_an_ended_threads_main_greenlet_is_freed_at_release_where_a_callback_is_harmless() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCENARIO],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("]")[0] + "]" == str(
        [("freed", "in release"), ("callback returned",)]
    )


def test_a_live_threads_greenlet_is_kept() -> None:
    script = textwrap.dedent(
        """
        import threading
        from tests.support.greenlet_keeper import GreenletKeeper

        keeper = GreenletKeeper()
        keeper.install()
        go = threading.Event()
        worker = threading.Thread(target=go.wait)
        worker.start()
        print(keeper.release(), len(keeper))
        go.set()
        worker.join()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "1"]


def test_a_process_without_a_test_loop_frees_them_when_the_next_thread_starts() -> None:
    script = textwrap.dedent(
        """
        import threading, time
        from tests.support.greenlet_keeper import GreenletKeeper

        keeper = GreenletKeeper()
        keeper.install()
        first = threading.Thread(target=lambda: None)
        first.start()
        first.join()
        time.sleep(0.1)  # greenlet's clean-up of the ended thread runs in here
        held_before = len(keeper)
        second = threading.Thread(target=lambda: None)
        second.start()
        second.join()
        print(held_before, len(keeper))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # The first thread's greenlet was freed as the second started; only the second's is held.
    assert result.stdout.split() == ["1", "1"]


def test_every_process_coverage_measures_has_the_keeper_installed(tmp_path: Path) -> None:
    """The project's coverage configuration installs it, in the measured process and in the
    subprocesses that process starts (where the hang was seen in `salesbot backup`)."""
    probe = tmp_path / "probe.py"
    hook = "getattr(threading._profile_hook, '__qualname__', None)"
    probe.write_text(
        textwrap.dedent(
            f"""
            import subprocess, sys, threading
            child = subprocess.run(
                [sys.executable, "-c", "import threading; print({hook})"],
                capture_output=True, text=True, cwd={str(tmp_path)!r}, check=True,
            )
            print({hook}, child.stdout.strip())
            """
        )
    )
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
    assert result.stdout.split() == ["GreenletKeeper._on_thread_start"] * 2
