"""The lifecycle revision builds exactly the tables the models declare, on both databases."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

import salesbot
from salesbot.kit.db import Base, make_engine
from tests.conftest import Stack

TOUCHED = {"files", "legal_holds", "retention_policies", "data_exports"}


def _table_of(diff: Any) -> str | None:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        name = getattr(part, "name", None)
        table = getattr(part, "table", None)
        if table is not None:
            return str(table.name)
        if isinstance(part, str) and part in TOUCHED:
            return part
        if name in TOUCHED:
            return str(name)
    return None


def _diffs(connection: Connection) -> list[Any]:
    return list(
        compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    )


async def test_lifecycle_tables_match_the_models(stack: Stack) -> None:
    for module in pkgutil.walk_packages(salesbot.__path__, "salesbot."):
        if module.name.endswith(".models"):
            importlib.import_module(module.name)
    engine = make_engine(stack.database_url)
    try:
        async with engine.connect() as connection:
            diffs = await connection.run_sync(_diffs)
    finally:
        await engine.dispose()
    ours = [d for d in diffs if _table_of(d) in TOUCHED]
    assert not ours, ours
