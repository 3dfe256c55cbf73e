"""Which exceptions mean "the database cannot be reached" (503) and which are bugs (500)."""

from __future__ import annotations

from pathlib import Path

import asyncpg.exceptions
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from salesbot.kit.db import make_engine
from salesbot.kit.errors import dependency_unreachable
from tests.support.private_services import free_port


async def _raised(url: str, statement: str) -> BaseException:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    except Exception as exc:
        return exc
    finally:
        await engine.dispose()
    raise AssertionError("no error")


async def test_a_refused_postgres_connection_is_unreachable() -> None:
    exc = await _raised(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x", "SELECT 1")
    assert dependency_unreachable(exc)


async def test_a_bad_query_is_not(tmp_path: Path) -> None:
    exc = await _raised(f"sqlite+aiosqlite:///{tmp_path}/x.db", "SELECT * FROM missing")
    assert isinstance(exc, DBAPIError)
    assert not dependency_unreachable(exc)


def test_the_server_starting_or_stopping_is_unreachable_wrapped_or_not() -> None:
    raw = asyncpg.exceptions.CannotConnectNowError("the database system is shutting down")
    assert dependency_unreachable(raw)
    wrapped = DBAPIError("SELECT 1", None, raw)
    assert dependency_unreachable(wrapped)
    assert dependency_unreachable(asyncpg.exceptions.AdminShutdownError("terminating"))


def test_a_lost_connection_is_unreachable_and_other_os_errors_are_not() -> None:
    lost = DBAPIError("SELECT 1", None, Exception("gone"), connection_invalidated=True)
    assert dependency_unreachable(lost)
    assert not dependency_unreachable(DBAPIError("SELECT 1", None, Exception("syntax")))
    assert not dependency_unreachable(FileNotFoundError("no such file"))
    assert not dependency_unreachable(asyncpg.exceptions.UniqueViolationError("duplicate"))
