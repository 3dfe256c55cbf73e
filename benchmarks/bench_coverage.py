"""What coverage costs the test suite, and what the harness's greenlet index saves (issue #14).

Run: `.venv/bin/python benchmarks/bench_coverage.py [--repeat N] [TESTS ...]`.
Times one pytest run of TESTS (default `tests/api/conversations`, database-heavy) in one process
each way, alternating, and prints the medians of N rounds (wall time, and the CPU time of pytest
and what it starts) and their ratios to the run without coverage:
- `none`: no coverage (the baseline);
- `thread`: coverage with `concurrency = ["thread"]` (the floor: one call stack per thread, which
  credits lines to the wrong greenlet: docs/testing.md);
- `greenlet (coverage's index)`: the project's configuration without its `plugins` line, so
  coverage looks each call's greenlet up in its own `weakref.WeakKeyDictionary`;
- `greenlet (the project's)`: the project's configuration as `make ci` runs it, with
  tests/support/coverage_greenlets.py giving each tracer a plain-dict index.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = (ROOT / "pyproject.toml").read_text()
PLUGINS_LINE = 'plugins = ["tests.support.coverage_greenlets"]\n'
CONCURRENCY_LINE = 'concurrency = ["greenlet", "thread"]\n'


def _config(directory: Path, name: str, text: str) -> list[str]:
    path = directory / f"{name}.toml"
    path.write_text(text)
    return ["--cov=salesbot", f"--cov-config={path}", "--cov-report=", "--cov-fail-under=0"]


def _modes(directory: Path) -> dict[str, list[str]]:
    assert PLUGINS_LINE in PYPROJECT and CONCURRENCY_LINE in PYPROJECT, "pyproject.toml changed"
    without_plugin = PYPROJECT.replace(PLUGINS_LINE, "")
    return {
        "none": [],
        "thread": _config(
            directory,
            "thread",
            without_plugin.replace(CONCURRENCY_LINE, 'concurrency = ["thread"]\n'),
        ),
        "greenlet (coverage's index)": _config(directory, "weak", without_plugin),
        "greenlet (the project's)": _config(directory, "project", PYPROJECT),
    }


def _run(tests: list[str], extra: list[str], directory: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of pytest and what it started (less noisy on a shared box)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COVERAGE_")}
    env.update(COVERAGE_FILE=str(directory / ".coverage"), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [*command, *extra, *tests], cwd=ROOT, env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"pytest failed ({' '.join(extra) or 'no coverage'}):\n{result.stdout[-3000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("tests", nargs="*", default=["tests/api/conversations"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        modes = _modes(directory)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in modes}
        for round_number in range(1, args.repeat + 1):
            for name, extra in modes.items():
                times[name].append(_run(args.tests, extra, directory))
            print(
                f"round {round_number}: "
                + ", ".join(
                    f"{n} {t[-1][0]:.1f} s ({t[-1][1]:.1f} s CPU)" for n, t in times.items()
                )
            )
    wall_base = statistics.median(wall for wall, _ in times["none"])
    cpu_base = statistics.median(cpu for _, cpu in times["none"])
    print(
        f"\n{' '.join(args.tests)}: median of {args.repeat}, load average {os.getloadavg()[0]:.1f}"
    )
    for name, measured in times.items():
        wall = statistics.median(each for each, _ in measured)
        cpu = statistics.median(each for _, each in measured)
        print(
            f"  {name:<28} {wall:6.1f} s wall ({wall / wall_base:4.2f}x)"
            f"  {cpu:6.1f} s CPU ({cpu / cpu_base:4.2f}x no coverage)"
        )


if __name__ == "__main__":
    main()
