"""Alembic environment: async engines, batch mode for SQLite, every capability's models."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil

from alembic import context
from sqlalchemy.engine import Connection

import salesbot
from salesbot.kit.db import Base, make_engine

for module in pkgutil.walk_packages(salesbot.__path__, "salesbot."):
    if module.name.endswith(".models"):
        importlib.import_module(module.name)

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = make_engine(url, pooler=config.attributes.get("pooler", "none"))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    asyncio.run(_run_async(config.get_main_option("sqlalchemy.url") or ""))


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
