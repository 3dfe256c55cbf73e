"""Database: async engine per process/loop, sessions per request, shared column types."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, Uuid, event, exc, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext import asyncio as sa_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

from salesbot.kit.ids import new_id
from salesbot.kit.metrics import counter, gauge

DB_POOL_IN_USE = gauge(
    "salesbot_db_pool_connections_in_use", "Database connections checked out", ["pool"]
)
DB_POOL_OVERFLOW = gauge(
    "salesbot_db_pool_overflow_connections",
    "Connections checked out beyond the pool size",
    ["pool"],
)
DB_POOL_CAPACITY = gauge(
    "salesbot_db_pool_capacity_connections", "Pool size plus allowed overflow", ["pool"]
)
DB_POOL_TIMEOUTS = counter(
    "salesbot_db_pool_timeouts_total", "Waits for a pooled connection that timed out"
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which stores naive text) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# What sits between the app and PostgreSQL: nothing (or a session-mode pooler, which keeps one
# server connection per client connection), or a transaction-mode pooler (PgBouncer
# `pool_mode=transaction`, Supabase's Supavisor on port 6543).
Pooler = Literal["none", "session", "transaction"]


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


def pooler_connect_args(pooler: Pooler) -> dict[str, Any]:
    """asyncpg options for the pooler in front of PostgreSQL.

    Behind a transaction pooler consecutive transactions may run on different server
    connections, so a statement prepared in one is unknown (or, under the same name, another
    statement) in the next: caches off and a unique name for every prepared statement.
    """
    if pooler != "transaction":
        return {}
    return {
        "statement_cache_size": 0,  # asyncpg's own cache
        "prepared_statement_cache_size": 0,  # SQLAlchemy's asyncpg dialect's cache
        "prepared_statement_name_func": _unique_statement_name,
    }


def _meter_pool(engine: AsyncEngine, name: str, size: int, capacity: int) -> None:
    """Keep the pool gauges current on every checkout and checkin (no polling).

    Counted here rather than read from the pool: at `checkin` the pool still counts the
    connection being returned.
    """
    if not isinstance(engine.sync_engine.pool, QueuePool):
        return
    in_use, overflow = DB_POOL_IN_USE.labels(name), DB_POOL_OVERFLOW.labels(name)
    DB_POOL_CAPACITY.labels(name).set(capacity)
    checked_out = 0

    def moved(step: int) -> None:
        nonlocal checked_out
        checked_out += step
        in_use.set(checked_out)
        overflow.set(max(checked_out - size, 0))

    event.listen(engine.sync_engine.pool, "checkout", lambda *_: moved(1))
    event.listen(engine.sync_engine.pool, "checkin", lambda *_: moved(-1))


def _drop_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """At checkout, a connection the server already closed (restart, idle kill, terminated
    backend) is swapped for a fresh one: the driver noticed the close, so no round trip is
    needed (what `pool_pre_ping` would spend on every checkout)."""
    driver = getattr(dbapi_connection, "_connection", None)
    is_closed = getattr(driver, "is_closed", None)
    if is_closed is not None and is_closed():
        raise exc.DisconnectionError("connection closed by the server")


class RetryingSession(Session):
    """Runs a statement again, once, when the first statement of a transaction finds its
    connection dropped (one the pool could not know was dead). Nothing ran in that transaction,
    so the retry on a fresh connection cannot repeat a write."""

    def _execute_internal(self, *args: Any, **kwargs: Any) -> Any:
        fresh = not self.in_transaction()
        try:
            return super()._execute_internal(*args, **kwargs)
        except exc.DBAPIError as error:
            if not (fresh and error.connection_invalidated):
                raise
            self.rollback()
            return super()._execute_internal(*args, **kwargs)


def make_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 5,
    pool_timeout: float = 10.0,
    echo: bool = False,
    pooler: Pooler = "none",
    pool_name: str = "main",
) -> AsyncEngine:
    # Called through its module, so tracing's instrumented version is used when tracing is on.
    if is_sqlite(url):
        # Pooled: a new SQLite connection costs a thread and four PRAGMAs. Writers still take
        # turns (busy_timeout); a SELECT opens no transaction, so readers never hold a lock.
        engine = sa_asyncio.create_async_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pool_pre_ping: `_drop_closed` and `RetryingSession` cover dropped connections.
    engine = sa_asyncio.create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        connect_args=pooler_connect_args(pooler),
    )
    event.listen(engine.sync_engine.pool, "checkout", _drop_closed)
    _meter_pool(engine, pool_name, pool_size, pool_size + max_overflow)
    return engine


def engine_of(session: AsyncSession) -> AsyncEngine:
    """The engine behind a session (for work that needs a connection of its own, e.g. a lock)."""
    bind = session.bind
    if isinstance(bind, AsyncEngine):
        return bind
    if bind is None:
        raise RuntimeError("the session is not bound to a database")
    return bind.engine


class Database:
    """One engine and session factory; create one per event loop (jobs run on their own loop)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(
            engine, expire_on_commit=False, sync_session_class=RetryingSession
        )
        # Pure reads on PostgreSQL skip BEGIN/ROLLBACK (two round trips); SQLite's driver opens
        # no transaction for a SELECT anyway.
        reader = (
            engine if self.is_sqlite else engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self.reads = async_sessionmaker(
            reader, expire_on_commit=False, sync_session_class=RetryingSession
        )

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; services commit explicitly, anything uncommitted is rolled back."""
    database: Database = request.app.state.db
    async with database.sessions() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(get_session)]


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for pure reads: each statement stands alone (no transaction). Never write
    through it; an endpoint that writes uses `DbSession`."""
    database: Database = request.app.state.db
    async with database.reads() as session:
        yield session


ReadSession = Annotated[AsyncSession, Depends(get_read_session)]
