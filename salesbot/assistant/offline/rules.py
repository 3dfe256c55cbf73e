"""The capabilities' phrase families: found in `salesbot.<capability>.offline` modules (their
`FAMILIES`), the way tools are found in `tools.py`, and combined for the grammar.
"""

from __future__ import annotations

import functools
import importlib

from salesbot.kit.phrases.env import Family, Shared


@functools.cache
def families() -> tuple[Family, ...]:
    """Every registered family, in rank order."""
    import salesbot
    from salesbot.kit.lazy import modules_named

    found: dict[str, Family] = {}
    for name in modules_named(salesbot, "offline"):
        if name.startswith("salesbot.assistant."):
            continue
        for family in getattr(importlib.import_module(name), "FAMILIES", ()):
            if family.name in found:
                raise RuntimeError(f"offline family {family.name!r} is declared twice")
            found[family.name] = family
    return tuple(sorted(found.values(), key=lambda f: f.rank))


@functools.cache
def family_of_tool() -> dict[str, str]:
    return {tool: family.name for family in families() for tool in family.tools}


@functools.cache
def shared() -> Shared:
    all_ = families()
    return Shared(
        starters=frozenset().union(*(f.starters for f in all_)),
        value_stops=frozenset().union(*(f.value_stops for f in all_)),
        locate={tool: fn for f in all_ for tool, fn in f.locate.items()},
        signals={name: fn for f in all_ for name, fn in f.signals.items()},
        field_tables={name: t for f in all_ for name, t in f.field_tables.items()},
        actions={name: fn for f in all_ for name, fn in f.actions.items()},
    )


@functools.cache
def labels() -> dict[str, str]:
    """What each tool does, in words ("make proposals"), for "you may not ..." replies."""
    return {tool: label for f in families() for tool, label in f.labels.items()}


def family(name: str) -> Family | None:
    return next((f for f in families() if f.name == name), None)
