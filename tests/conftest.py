"""Shared test harness: the SQLite+memory / PostgreSQL+Redis matrix, an app and client per test.

PostgreSQL and Redis are used when reachable (`SALESBOT_TEST_DATABASE_URL`,
`SALESBOT_TEST_REDIS_URL`); with `SALESBOT_TEST_REQUIRE_SERVICES=1` an unreachable service fails
the run instead of skipping its half of the matrix.
"""

from __future__ import annotations

import asyncio
import faulthandler
import fcntl
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

import argon2
import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from salesbot.settings import Settings
from salesbot.users import credentials

REQUIRE_SERVICES = os.environ.get("SALESBOT_TEST_REQUIRE_SERVICES") == "1"

# Hypothesis: time limits and the "generation too slow" check measure the machine, not the code,
# and fail on a loaded one; `ci` also derandomizes every property test, so a failure in CI
# reproduces anywhere with `SALESBOT_TEST_PROFILE=ci` (`make ci` selects it).
hypothesis_settings.register_profile(
    "local", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile(
    "ci", parent=hypothesis_settings.get_profile("local"), derandomize=True, print_blob=True
)
hypothesis_settings.load_profile(os.environ.get("SALESBOT_TEST_PROFILE", "local"))

# Passwords: argon2id with argon2's cheapest parameters in this process (the library's
# recommended ones cost ~0.1-0.5 s per hash, and most tests sign a few accounts in). Servers the
# tests start as processes, and tests/api/auth/test_password_rehash.py, keep the real ones.
credentials.use_hash_parameters(argon2.profiles.CHEAPEST)

# Coverage hands its configuration to the subprocesses the tests start, and it names a plugin in
# this checkout (tests/support/coverage_greenlets.py): they must be able to import it.
if os.environ.get("COVERAGE_PROCESS_CONFIG"):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")])
    )


class _RunningTest:
    """What the test being run asks of the apps it makes, read by `make_settings`."""

    # The in-process job worker is five threads started and stopped with each app, four of
    # them waking every `job_poll_ms`: ~15 % of an API test's time under coverage. Only the
    # tests marked `jobs` run the jobs their requests enqueue; in the others a job stays
    # queued (and Redis is flushed after the test).
    wants_jobs = False


_RUNNING = _RunningTest()


# Redis has 16 databases, so at most 16 test processes hold a slot at once.
_SLOTS = 16
_SLOT_WAIT_S = 1800
_held: list[IO[str]] = []


def slot_database_url(base: str, slot: int) -> str:
    """Slot 0 uses the configured database; slot N its sibling `<name>_s<N>`, made if missing."""
    if slot == 0:
        return base
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_s{slot}"))


def slot_redis_url(base: str, slot: int) -> str:
    """Slot N uses the configured Redis db number minus N."""
    parts = urlsplit(base)
    number = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(number - slot) % 16}"))


def _lock(resource: str) -> IO[str] | None:
    """A host-wide exclusive lock named after a resource (released when the process ends)."""
    name = "salesbot-test-" + "".join(c if c.isalnum() else "_" for c in resource) + ".lock"
    handle = (Path(tempfile.gettempdir()) / name).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def _try_slot(database_url: str, redis_url: str) -> bool:
    """Lock the slot's database and Redis db themselves, so no other run can share either."""
    parts = urlsplit(redis_url)
    database = _lock(database_url.split("@")[-1])
    if database is None:
        return False
    redis_db = _lock(f"redis {parts.hostname}:{parts.port or 6379}{parts.path}")
    if redis_db is None:
        database.close()
        return False
    _held.extend([database, redis_db])
    return True


def claim_slot(database_base: str, redis_base: str) -> int:
    """This test process's slot on the host, held until the process ends.

    Every pytest process (a plain run, each xdist worker, of any number of runs at once on one
    host) takes the first slot whose database and Redis db no other process holds, so no two
    processes ever truncate or flush each other's data, whatever URLs each run was given. When
    none is free the process waits.
    """
    deadline = time.monotonic() + _SLOT_WAIT_S
    announced = False
    while True:
        for slot in range(_SLOTS):
            database = slot_database_url(database_base, slot)
            if _try_slot(database, slot_redis_url(redis_base, slot)):
                return slot
        if time.monotonic() > deadline:
            raise RuntimeError(f"{_SLOTS} test processes kept every slot busy on this host")
        if not announced:
            print(f"All {_SLOTS} test slots are busy; waiting for one.", file=sys.stderr)
            announced = True
        time.sleep(1)


_DATABASE_BASE = os.environ.get(
    "SALESBOT_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
_REDIS_BASE = os.environ.get("SALESBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SLOT = claim_slot(_DATABASE_BASE, _REDIS_BASE)
PG_URL = slot_database_url(_DATABASE_BASE, SLOT)
REDIS_URL = slot_redis_url(_REDIS_BASE, SLOT)


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def require_service(name: str, url: str, default_port: int) -> None:
    if _reachable(url, default_port):
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required (SALESBOT_TEST_REQUIRE_SERVICES=1) but unreachable")
    pytest.skip(f"{name} not reachable")


@dataclass(frozen=True)
class Stack:
    name: str
    database_url: str
    redis_url: str | None


async def _create_database_if_missing(url: str) -> None:
    """Create the slot's own database through the server's maintenance database."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    target = make_url(url)
    name = target.database or ""
    engine = create_async_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def _reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from salesbot.kit.db import make_engine

    if SLOT:
        await _create_database_if_missing(url)
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _truncate_postgres(url: str) -> None:
    """Empty every table (the migrated schema stays) and restart the sequences.

    DELETE with the foreign-key triggers off, not TRUNCATE: a test leaves a few rows, and
    TRUNCATE makes new files for every table and index (about a second per test here, ~10 ms
    for this). One round trip: asyncpg runs a script of several statements as given.
    """
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        tables = await conn.fetch(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
        sequences = await conn.fetch(
            "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'"
        )
        script = [
            "BEGIN",
            "SET LOCAL session_replication_role = replica",
            *(f"DELETE FROM {row[0]}" for row in tables),
            *(f"ALTER SEQUENCE {row[0]} RESTART" for row in sequences),
            "COMMIT",
        ]
        await conn.execute(";\n".join(script))
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps the suite fast)."""
    from salesbot.migrations.runner import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    from salesbot.migrations.runner import upgrade

    require_service("PostgreSQL", PG_URL, 5432)
    asyncio.run(_reset_postgres(PG_URL))
    upgrade(PG_URL)
    return PG_URL


@pytest.fixture(params=["sqlite", "postgres"])
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stack]:
    """The database/Redis matrix: SQLite + in-memory always; PostgreSQL + Redis when reachable."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        db_file = tmp_path / "salesbot.db"
        shutil.copy(template, db_file)
        yield Stack("sqlite", f"sqlite+aiosqlite:///{db_file}", None)
        return
    url: str = request.getfixturevalue("postgres_migrated")
    require_service("Redis", REDIS_URL, 6379)
    asyncio.run(_truncate_postgres(url))
    _flush_redis()
    yield Stack("postgres", url, REDIS_URL)
    _flush_redis()


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


class GivenSettings(Settings):
    """Settings made of the values a test gives and the defaults, and nothing else.

    The product's `Settings` also reads SALESBOT_* variables and `.env`: a developer's shell or
    checkout would leak into the tests, and pydantic-settings' scan of those sources for ~130
    fields is ~5 ms a time (~28 ms under coverage), for every test. Validation is the same.
    """

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def make_settings(stack: Stack, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "data_dir": data_dir,
        "database_url": stack.database_url,
        "redis_url": stack.redis_url,
        "job_in_process_worker": _RUNNING.wants_jobs,
        "job_min_backoff_ms": 10,
        "job_max_backoff_ms": 200,
        # An app with an in-process worker (tests marked `jobs`) stops it at teardown, which
        # waits up to two polls: at the default 100 ms that was ~0.1 s of idle per test.
        "job_poll_ms": 10,
        # The start-up warm-up was ~0.03-0.06 s per app; tests/api/foundation/test_warm_up.py
        # turns it back on.
        "warm_up": False,
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
    }
    values.update(overrides)
    return GivenSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(stack: Stack, tmp_path: Path) -> Settings:
    return make_settings(stack, tmp_path / "data")


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    from salesbot.app import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


# Packages whose tests drive a live server (migrate, demo data, serve; for browser tests also
# Chromium), started once per run by a session fixture.
_LIVE_SERVER_PACKAGES = ("tests/e2e/", "tests/fuzz/")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Markers from where a test lives: browser tests `e2e`, PostgreSQL/Redis halves `services`,
    tests measured in their live server `no_cover`."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.e2e)
        if item.nodeid.startswith(_LIVE_SERVER_PACKAGES):
            # The product code these tests reach runs in the live server, a process coverage
            # measures (`patch = ["subprocess"]`); the test's own process only drives Chromium or
            # generates fuzz cases. pytest-cov's `no_cover` leaves the test's call unmeasured:
            # under greenlet concurrency every Python call in a measured process pays coverage's
            # greenlet lookup (docs/testing.md), and Playwright and Hypothesis make many.
            item.add_marker(pytest.mark.no_cover)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and {"postgres", "redis"} & {
            str(v) for v in callspec.params.values()
        }:
            item.add_marker(pytest.mark.services)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """With `--dist loadscope` (`make test`, `make ci`) each live-server package goes to one
    xdist worker whole, so its session fixture starts once per run, not once per worker."""
    if config.getoption("dist", None) != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    class SharedFixtureScheduling(LoadScopeScheduling):  # type: ignore[misc]
        """xdist's per-module scopes, except that each of `_LIVE_SERVER_PACKAGES` is one."""

        def _split_scope(self, nodeid: str) -> str:
            for package in _LIVE_SERVER_PACKAGES:
                if nodeid.startswith(package):
                    return package
            return str(super()._split_scope(nodeid))

    return SharedFixtureScheduling(config, log)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A job runtime left running would hang the process at exit: stop it and fail the run."""
    import threading

    from dramatiq.asyncio import EventLoopThread

    leaked = [t for t in threading.enumerate() if isinstance(t, EventLoopThread) and t.is_alive()]
    for thread in leaked:
        thread.stop()  # type: ignore[no-untyped-call]
    if leaked:
        names = ", ".join(t.name for t in leaked)
        session.config.get_terminal_writer().line(
            f"job event-loop threads left running by a test (a runtime was not closed): {names}",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class _Watchdog:
    """One thread per test process that ends the run when a test outlives its deadline.

    A thread per test (a `threading.Timer`) would start and end 4,000 threads a run. Under
    coverage's greenlet concurrency each thread's end queues a greenlet clean-up that runs Python
    code inside a CPython "pending call", and on CPython 3.11 a traced function called there
    spins for ever if another pending call arrives meanwhile: the hang this backstop caught
    (docs/testing.md, "The hang under coverage"). The harness should not add to that churn.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._item: pytest.Item | None = None
        self._deadline = 0.0
        self._thread: threading.Thread | None = None

    def arm(self, item: pytest.Item, seconds: float) -> None:
        with self._changed:
            self._item, self._deadline = item, time.monotonic() + seconds
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="stuck-test", daemon=True)
                self._thread.start()
            self._changed.notify()

    def disarm(self) -> None:
        with self._changed:
            self._item = None
            self._changed.notify()

    def _watch(self) -> None:
        with self._changed:
            while self._item is None or time.monotonic() < self._deadline:
                timeout = None if self._item is None else self._deadline - time.monotonic()
                self._changed.wait(timeout)
            item = self._item
        _abort_stuck_test(item)


_WATCHDOG = _Watchdog()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the test's fixtures make their apps: does this test run jobs?"""
    _RUNNING.wants_jobs = item.get_closest_marker("jobs") is not None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    """A backstop behind pytest-timeout, whose signal fails a stuck test and lets the run go on
    but cannot end what hangs after that (an event loop closing waits for its threads, a spin in
    C that never returns to the signal handler). Twice the timeout later: name the test, dump
    every thread's stack and end the run."""
    from pytest_timeout import get_env_settings

    marker = item.get_closest_marker("timeout")
    limit = (
        float(marker.args[0]) if marker and marker.args else get_env_settings(item.config).timeout
    )
    if limit:
        _WATCHDOG.arm(item, 2 * limit)
    try:
        yield
    finally:
        if limit:
            _WATCHDOG.disarm()


def _abort_stuck_test(item: pytest.Item) -> None:
    capture = item.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        capture.suspend_global_capture(in_=True)
    sys.stderr.write(f"\n+++ {item.nodeid} is still stuck after its timeout: stacks +++\n")
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    _dump_native_stacks()
    sys.stderr.flush()
    os._exit(1)


def _dump_native_stacks() -> None:
    """Each thread's C stack too, where gdb is installed: a test the timeout's signal could not
    end is stuck in C (a lock, a spin in an extension or in a collection), below where the
    Python stacks end."""
    import subprocess

    gdb = shutil.which("gdb")
    if gdb is None:
        return
    try:
        result = subprocess.run(
            [gdb, "-p", str(os.getpid()), "-batch", "-ex", "thread apply all bt 30"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        sys.stderr.write(f"+++ gdb could not read the native stacks: {exc} +++\n")
        return
    sys.stderr.write("+++ native stacks (gdb) +++\n" + result.stdout[-60_000:] + "\n")
