"""Modules loaded on first use: heavy imports (numpy, OpenCV) stay out of start-up and idle
memory until a request needs them."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType


class _OnFirstUse(ModuleType):
    """Stands for a module until an attribute is read, then imports it and answers from it.

    Thread-safe (the import system's module lock): a worker thread reading an attribute while
    another thread is still running the module's code waits for it, where importlib's
    LazyLoader (Python 3.11) would answer AttributeError."""

    def __getattr__(self, attr: str) -> object:
        return getattr(importlib.import_module(self.__name__), attr)


def lazy_module(name: str) -> ModuleType:
    """`name`, imported when one of its attributes is first read (already imported: as is)."""
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(name)
    return _OnFirstUse(name)


def modules_named(package: ModuleType, leaf: str) -> list[str]:
    """Every `<package>.….<leaf>` module or package, found on disk without importing anything.

    (`pkgutil.walk_packages` imports every package on its way, so a search for the `tasks`
    modules would load rendering, PDF and slide libraries at start-up.) The tree is walked once
    per process and folder list: each app start asks for the tools and the jobs, and the walk
    (~300 folders, with `__pycache__`) cost ~8 ms a time.
    """
    return list(_modules_named(package.__name__, tuple(package.__path__), leaf))


@functools.cache
def _modules_named(package: str, folders: tuple[str, ...], leaf: str) -> tuple[str, ...]:
    names: list[str] = []
    for folder in folders:
        root = Path(folder)
        found = [*root.rglob(f"{leaf}.py"), *root.rglob(f"{leaf}/__init__.py")]
        for path in sorted(found):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join((package, *parts)))
    return tuple(names)
