"""Module and function size limits for `salesbot/` (generated migrations aside).

A module past ~600 lines or a function past ~60 is a signal to split by responsibility; this test
lists every offender so the message says where to look.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "salesbot"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


def _sources() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py")) if "migrations/versions" not in p.as_posix()]


def _relative(path: Path) -> str:
    return path.relative_to(ROOT.parent).as_posix()


def long_modules() -> list[str]:
    found = []
    for path in _sources():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_MODULE_LINES:
            found.append(f"{_relative(path)}: {lines} lines")
    return found


def long_functions() -> list[str]:
    found = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{_relative(path)}:{node.lineno} {node.name}: {length} lines")
    return found


def test_the_checker_sees_the_package() -> None:
    assert len(_sources()) > 100


def test_no_module_is_over_the_limit() -> None:
    offenders = long_modules()
    assert not offenders, "split these modules by responsibility:\n" + "\n".join(offenders)


def test_no_function_is_over_the_limit() -> None:
    offenders = long_functions()
    assert not offenders, "split these functions into steps:\n" + "\n".join(offenders)
