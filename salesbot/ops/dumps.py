"""Database snapshots for backups: SQLite's online backup API, PostgreSQL's pg_dump/pg_restore.

Row counts and the schema revision are read from the very snapshot that is dumped (the SQLite
copy itself; PostgreSQL's exported snapshot handed to `pg_dump --snapshot`), so a backup taken
while the app serves still matches its manifest. A PostgreSQL restore runs as one transaction
(clear the schema's tables, load the dump, check every count and the revision): it commits
whole or leaves the database as it was.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from anyio import to_thread
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from salesbot.kit.db import is_sqlite, make_engine

ALEMBIC_TABLE = "alembic_version"
_PG_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"


class DumpError(Exception):
    """The database could not be dumped or restored; the message is safe to show."""


@dataclass(frozen=True)
class DbSnapshot:
    dialect: str  # sqlite | postgresql
    revision: list[str]
    tables: dict[str, int]
    # Tables the database keeps for itself (SQLite's full-text index), never "data".
    internal: frozenset[str] = field(default=frozenset(), compare=False)

    def non_empty_tables(self) -> list[str]:
        skip = {ALEMBIC_TABLE, *self.internal}
        return sorted(name for name, n in self.tables.items() if n and name not in skip)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise DumpError("Backups need a SQLite database file, not an in-memory database.")
    return Path(database)


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _sqlite_snapshot(conn: sqlite3.Connection) -> DbSnapshot:
    tables = {
        name: int(conn.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0])  # nosec B608  # quoted identifiers: catalogue or checked manifest
        for name in _sqlite_tables(conn)
    }
    revision: list[str] = []
    if ALEMBIC_TABLE in tables:
        revision = sorted(
            str(r[0])
            for r in conn.execute(f"SELECT version_num FROM {ALEMBIC_TABLE}")  # nosec B608  # quoted identifiers: catalogue or checked manifest
        )
    virtual = [
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
        )
    ]
    internal = frozenset(
        name for name in tables if any(name == v or name.startswith(f"{v}_") for v in virtual)
    )
    return DbSnapshot("sqlite", revision, tables, internal)


def _sqlite_backup(source: Path, target: Path) -> DbSnapshot:
    """Copy a live database page by page (the online backup API), then read the copy."""
    if not source.is_file():
        raise DumpError("The SQLite database file does not exist.")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        return _sqlite_snapshot(dst)
    finally:
        dst.close()
        src.close()


def sqlite_file_snapshot(path: Path) -> DbSnapshot:
    """Counts of a SQLite file after an integrity check (restores check their copy with it)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DumpError("The database in the archive is not a readable SQLite file.") from exc
        if not check or check[0] != "ok":
            raise DumpError("The database in the archive fails SQLite's integrity check.")
        return _sqlite_snapshot(conn)
    finally:
        conn.close()


def sqlite_live_snapshot(path: Path) -> DbSnapshot | None:
    if not path.is_file():
        return None
    conn = sqlite3.connect(path, timeout=30)
    try:
        return _sqlite_snapshot(conn)
    finally:
        conn.close()


def sqlite_swap_in(staged: Path, target: Path) -> None:
    """Put the checked copy in place of the target in one rename (stale WAL files first)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    landing = target.with_name(f".{target.name}.restore")
    shutil.copyfile(staged, landing)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(landing, target)


# --- PostgreSQL -------------------------------------------------------------------------------


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password, and the environment that carries it."""
    parsed: URL = make_url(url)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    ssl = parsed.query.get("ssl") or parsed.query.get("sslmode")
    if ssl:
        env["PGSSLMODE"] = "require" if ssl in ("true", "1") else str(ssl)
    plain = parsed.set(drivername="postgresql", password=None, query={})
    return plain.render_as_string(hide_password=False), env


async def _pg_snapshot(conn: AsyncConnection) -> DbSnapshot:
    names = [str(r[0]) for r in await conn.execute(text(_PG_TABLES))]
    tables: dict[str, int] = {}
    for name in names:
        tables[name] = int(await conn.scalar(text(f"SELECT count(*) FROM public.{_quote(name)}")))  # nosec B608  # quoted identifiers: catalogue or checked manifest
    revision: list[str] = []
    if ALEMBIC_TABLE in tables:
        rows = await conn.execute(text(f"SELECT version_num FROM public.{ALEMBIC_TABLE}"))  # nosec B608  # quoted identifiers: catalogue or checked manifest
        revision = sorted(str(r[0]) for r in rows)
    return DbSnapshot("postgresql", revision, tables)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DumpError(f"`{name}` was not found: install the PostgreSQL client (version 15).")
    return path


async def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await proc.communicate()
    if proc.returncode != 0:
        raise DumpError(f"{what} failed: {_first_error(err)}")


def _first_error(stderr: bytes) -> str:
    for line in stderr.decode(errors="replace").splitlines():
        if "error" in line.lower() or "fatal" in line.lower():
            return line.strip()[:300]
    return "see the server log"


_PG_EXTENSIONS = (
    "SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE n.nspname = 'public' ORDER BY e.extname"
)


async def _pg_dump(url: str, target: Path) -> DbSnapshot:
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as plain:
            # One snapshot for the counts and the dump: pg_dump imports the exported one.
            conn = await plain.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            snapshot_id = str(await conn.scalar(text("SELECT pg_export_snapshot()")))
            snapshot = await _pg_snapshot(conn)
            dsn, env = libpq_target(url)
            argv = [_tool("pg_dump"), "--format=custom", "--schema=public", "--no-owner"]
            # `--schema` leaves extensions out; those installed in the schema (btree_gin for
            # the per-user search index) are part of it: restored as CREATE ... IF NOT EXISTS.
            argv += [f"--extension={name}" for name in await conn.scalars(text(_PG_EXTENSIONS))]
            argv += ["--no-privileges", f"--snapshot={snapshot_id}", f"--file={target}", dsn]
            # The exporting transaction stays open until pg_dump has imported its snapshot.
            await _run(argv, env, "pg_dump")
            await conn.rollback()
    finally:
        await engine.dispose()
    return snapshot


_PG_CLEAR = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT sequence_name FROM information_schema.sequences
           WHERE sequence_schema = 'public' LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', r.sequence_name);
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') LOOP
    EXECUTE format('DROP TYPE IF EXISTS public.%I CASCADE', r.typname);
  END LOOP;
END $$;
"""


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pg_checks(expected: DbSnapshot) -> str:
    """SQL that aborts the restore's transaction when a count or the revision differs."""
    checks = [
        f"IF (SELECT count(*) FROM public.{_quote(name)}) <> {int(count)} THEN "  # nosec B608  # quoted identifiers: catalogue or checked manifest
        f"RAISE EXCEPTION 'restore check: table % does not have % rows', "
        f"{_sql_text(name)}, {int(count)}; END IF;"
        for name, count in sorted(expected.tables.items())
    ]
    listed = ", ".join(_sql_text(name) for name in sorted(expected.tables)) or "''"
    checks.append(
        "IF (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "  # nosec B608  # quoted identifiers: catalogue or checked manifest
        f"AND tablename NOT IN ({listed})) <> 0 THEN "
        "RAISE EXCEPTION 'restore check: tables the manifest does not list'; END IF;"
    )
    if ALEMBIC_TABLE in expected.tables:
        revisions = ", ".join(_sql_text(r) for r in expected.revision) or "''"
        checks.append(
            f"IF (SELECT count(*) FROM public.{ALEMBIC_TABLE} WHERE version_num NOT IN "  # nosec B608  # quoted identifiers: catalogue or checked manifest
            f"({revisions})) <> 0 THEN "
            "RAISE EXCEPTION 'restore check: schema revision differs'; END IF;"
        )
    return "DO $$\nBEGIN\n" + "\n".join(checks) + "\nEND $$;\n"


async def _pg_restore(url: str, dump: Path, expected: DbSnapshot) -> None:
    dsn, env = libpq_target(url)
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    with tempfile.TemporaryDirectory(prefix="salesbot-restore-") as tmp:
        listing = Path(tmp) / "objects.list"
        proc = await asyncio.create_subprocess_exec(
            pg_restore, "--list", str(dump), env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await proc.communicate()
        if proc.returncode != 0:
            raise DumpError(f"The database dump is unreadable: {_first_error(err)}")
        # The schema itself already exists: restore what is inside it.
        kept = [ln for ln in out.decode().splitlines() if " SCHEMA - public " not in ln]
        listing.write_text("\n".join(kept) + "\n")
        (Path(tmp) / "clear.sql").write_text(_PG_CLEAR)
        (Path(tmp) / "check.sql").write_text(_pg_checks(expected))
        await _pipe_restore(pg_restore, psql, dump, Path(tmp), dsn, env)


async def _pipe_restore(
    pg_restore: str, psql: str, dump: Path, tmp: Path, dsn: str, env: dict[str, str]
) -> None:
    """pg_restore writes SQL, psql runs clear + dump + checks as a single transaction."""
    read, write = os.pipe()
    producer = await asyncio.create_subprocess_exec(
        pg_restore, "--no-owner", "--no-privileges", f"--use-list={tmp / 'objects.list'}",
        "--file=-", str(dump), env=env, stdout=write, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    os.close(write)
    consumer = await asyncio.create_subprocess_exec(
        psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
        f"--file={tmp / 'clear.sql'}", "--file=-", f"--file={tmp / 'check.sql'}",
        f"--dbname={dsn}", env=env, stdin=read, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    os.close(read)
    (_, produce_err), (_, consume_err) = await asyncio.gather(
        producer.communicate(), consumer.communicate()
    )
    if producer.returncode != 0:
        raise DumpError(f"pg_restore failed, nothing was changed: {_first_error(produce_err)}")
    if consumer.returncode != 0:
        raise DumpError(f"The restore was rolled back: {_first_error(consume_err)}")


# --- the dialect-neutral surface ----------------------------------------------------------------


async def dump_database(url: str, target: Path) -> DbSnapshot:
    """Write a consistent copy of the database to `target`; the counts of that copy."""
    if is_sqlite(url):
        return await to_thread.run_sync(_sqlite_backup, sqlite_path(url), target)
    return await _pg_dump(url, target)


async def live_snapshot(url: str) -> DbSnapshot | None:
    """Counts of the database as it is (None: a SQLite file that does not exist yet)."""
    if is_sqlite(url):
        return await to_thread.run_sync(sqlite_live_snapshot, sqlite_path(url))
    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        async with engine.connect() as conn:
            return await _pg_snapshot(conn)
    finally:
        await engine.dispose()


async def restore_database(url: str, dump: Path, expected: DbSnapshot) -> None:
    """Replace the database's content with the dump, all or nothing, checking the counts."""
    if is_sqlite(url):
        staged = await to_thread.run_sync(sqlite_file_snapshot, dump)
        _same_or_raise(staged, expected)
        await to_thread.run_sync(sqlite_swap_in, dump, sqlite_path(url))
        return
    await _pg_restore(url, dump, expected)


def _same_or_raise(found: DbSnapshot, expected: DbSnapshot) -> None:
    if found.revision != expected.revision:
        raise DumpError("The archived database's schema revision differs from its manifest.")
    if found.tables != expected.tables:
        differing = sorted(
            name
            for name in set(found.tables) | set(expected.tables)
            if found.tables.get(name) != expected.tables.get(name)
        )
        raise DumpError(
            "The archived database's row counts differ from its manifest: "
            + ", ".join(differing[:5])
        )
