"""The `salesbot` command line: every verb, its happy path and its refusals.

Most verbs run in-process through typer's runner (the environment is the configuration, as for
an operator); `worker` and `serve` block until a signal, so they run as real processes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from salesbot import cli
from salesbot.kit.db import Database, make_engine
from salesbot.locations.models import Location
from salesbot.mockups.models import MockupPhoto
from salesbot.ops.demo import LOCATIONS, demo_accounts
from salesbot.users.credentials import verify_password
from salesbot.users.models import User
from tests.conftest import REDIS_URL, _flush_redis, require_service

SECRET = "cli-test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """A clean operator environment: no SALESBOT_* but what a test sets, no `.env` around."""
    for name in list(os.environ):
        if name.startswith("SALESBOT_") and not name.startswith("SALESBOT_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return {
        "SALESBOT_ENVIRONMENT": "test",
        "SALESBOT_DATA_DIR": str(tmp_path / "data"),
        "SALESBOT_SECRET_KEY": SECRET,
        "SALESBOT_LOG_LEVEL": "WARNING",
    }


def run(env: dict[str, str], *args: str, **overrides: str) -> Result:
    return CliRunner().invoke(cli.app, list(args), env={**env, **overrides}, catch_exceptions=False)


def migrated(env: dict[str, str], sqlite_template: Path) -> str:
    """A migrated SQLite database in the test's data dir; its URL."""
    data = Path(env["SALESBOT_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    shutil.copy(sqlite_template, data / "salesbot.db")
    return f"sqlite+aiosqlite:///{(data / 'salesbot.db').resolve()}"


def query(url: str, statement: Any) -> list[Any]:
    async def go() -> list[Any]:
        db = Database(make_engine(url))
        try:
            async with db.sessions() as session:
                return list((await session.execute(statement)).unique().all())
        finally:
            await db.dispose()

    return asyncio.run(go())


PRODUCTION = {
    "SALESBOT_ENVIRONMENT": "production",
    "SALESBOT_SECRET_KEY": "",
    "SALESBOT_DATABASE_URL": "",
}


# --- help and argument errors --------------------------------------------------------------------


def test_no_arguments_shows_the_verbs() -> None:
    result = CliRunner().invoke(cli.app, [])
    for verb in ("serve", "worker", "migrate", "demo", "users", "config", "import-chat-sessions"):
        assert verb in result.output
    assert "Traceback" not in result.output


def plain(output: str) -> str:
    """Typer's error panel without its box drawing and line wrapping."""
    return " ".join(output.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())


def test_unknown_verb_and_bad_option_values_are_refused_clearly() -> None:
    unknown = CliRunner().invoke(cli.app, ["deploy"])
    assert unknown.exit_code == 2
    assert "No such command 'deploy'" in plain(unknown.output)
    bad_port = CliRunner().invoke(cli.app, ["serve", "--port", "eighty"])
    assert bad_port.exit_code == 2
    assert "Invalid value for '--port'" in plain(bad_port.output)
    assert "valid integer" in plain(bad_port.output)
    missing_email = CliRunner().invoke(cli.app, ["users", "create-admin", "--password", "x" * 12])
    assert missing_email.exit_code == 2
    assert "Missing option '--email'" in plain(missing_email.output)
    assert "Traceback" not in unknown.output + bad_port.output + missing_email.output


def test_ctrl_c_ends_with_the_conventional_status(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "app", interrupted)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    assert stopped.value.code == 130


# --- config check --------------------------------------------------------------------------------


def test_config_check_masks_every_secret_and_says_ok(env: dict[str, str]) -> None:
    result = run(
        env,
        "config",
        "check",
        SALESBOT_DATABASE_URL="postgresql+asyncpg://app:db-password-1@db.internal:5432/salesbot",
        SALESBOT_REDIS_URL="redis://:redis-password-2@cache:6379/0",
        SALESBOT_LLM_API_KEY="sk-llm-key-3",
        SALESBOT_IMAGE_API_KEY="sk-image-key-4",
        SALESBOT_SMTP_PASSWORD="smtp-password-5",
        SALESBOT_SLACK_WEBHOOK_URL="https://hooks.slack.com/services/T1/B2/webhook-secret-6",
    )
    assert result.exit_code == 0, result.output
    assert "Configuration OK." in result.output
    for secret in (
        SECRET,
        "db-password-1",
        "redis-password-2",
        "sk-llm-key-3",
        "sk-image-key-4",
        "smtp-password-5",
        "webhook-secret-6",
    ):
        assert secret not in result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "db.internal:5432/salesbot" in lines["database_url"]  # where, not the password
    assert "https://hooks.slack.com" in lines["slack_webhook_url"]
    assert "environment" in lines and "test" in lines["environment"]


def test_config_check_lists_what_stops_production(env: dict[str, str]) -> None:
    result = run(env, "config", "check", **PRODUCTION, SALESBOT_DEV_LOGIN="true")
    assert result.exit_code == 2
    assert "Problems that stop start-up:" in result.stderr
    assert "SALESBOT_SECRET_KEY is empty or the old public development default" in result.stderr
    assert "SALESBOT_DATABASE_URL is not set" in result.stderr
    assert "SALESBOT_DEV_LOGIN is a development-only option" in result.stderr
    assert "Configuration OK." not in result.output
    short = run(
        env,
        "config",
        "check",
        SALESBOT_ENVIRONMENT="production",
        SALESBOT_SECRET_KEY="too-short",
        SALESBOT_DATABASE_URL="postgresql+asyncpg://app:pw@db/salesbot",
    )
    assert short.exit_code == 2
    assert "SALESBOT_SECRET_KEY must be at least 32 characters" in short.stderr
    assert "too-short" not in short.output


def test_config_check_names_a_malformed_value(env: dict[str, str]) -> None:
    result = run(env, "config", "check", SALESBOT_LOG_LEVEL="LOUD")
    assert result.exit_code == 2
    assert "Configuration problems:" in result.stderr
    assert "SALESBOT_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL" in result.stderr
    assert "Traceback" not in result.output


# --- every verb refuses a configuration that cannot start ---------------------------------------


@pytest.mark.parametrize(
    "verb",
    [
        ["serve"],
        ["worker"],
        ["migrate"],
        ["demo"],
        ["users", "create-admin", "--email", "a@example.com", "--password", "long-enough-pw"],
        ["import-chat-sessions"],
    ],
    ids=lambda v: v[0] if v[0] != "users" else "create-admin",
)
def test_verbs_refuse_a_configuration_that_cannot_start(
    env: dict[str, str], verb: list[str]
) -> None:
    problems = run(env, *verb, **PRODUCTION)
    assert problems.exit_code == 2
    assert "Configuration problems:" in problems.stderr
    secret = "  - SALESBOT_SECRET_KEY is empty or the old public development default"
    assert secret in problems.stderr
    assert "  - SALESBOT_DATABASE_URL is not set" in problems.stderr
    malformed = run(env, *verb, SALESBOT_CORS_ORIGINS="*")
    assert malformed.exit_code == 2
    assert "SALESBOT_CORS_ORIGINS must list origins; '*' is never allowed" in malformed.stderr
    assert "Traceback" not in problems.output + malformed.output
    assert not (Path(env["SALESBOT_DATA_DIR"]) / "salesbot.db").exists()  # nothing was done


# --- migrate -------------------------------------------------------------------------------------


def test_migrate_creates_the_database_and_is_idempotent(env: dict[str, str]) -> None:
    data = Path(env["SALESBOT_DATA_DIR"])
    assert not data.exists()
    first = run(env, "migrate")
    assert first.exit_code == 0, first.output
    assert "Database is up to date." in first.output
    url = f"sqlite+aiosqlite:///{(data / 'salesbot.db').resolve()}"
    assert query(url, select(func.count()).select_from(User)) == [(0,)]  # the tables exist
    again = run(env, "migrate")
    assert again.exit_code == 0, again.output
    assert "Database is up to date." in again.output


# --- demo ----------------------------------------------------------------------------------------


def logins(output: str) -> list[str]:
    """The demo's closing list (log lines about the files it made come before it)."""
    lines = output.splitlines()
    return lines[next(i for i, line in enumerate(lines) if line.startswith("Demo logins")) :]


def test_demo_loads_working_logins_once_however_often_it_runs(
    env: dict[str, str], sqlite_template: Path
) -> None:
    url = migrated(env, sqlite_template)
    first = run(env, "demo", SALESBOT_DEMO_PASSWORD="demo-pass-for-test")
    assert first.exit_code == 0, first.output
    assert "Demo logins (password for all: demo-pass-for-test):" in first.output
    accounts = demo_accounts()
    for email, _, _ in accounts:
        assert email in first.output
    assert "admin@demo.salesbot.dev" in first.output and "admin" in first.output

    def counts() -> tuple[int, int, int]:
        return (
            query(url, select(func.count()).select_from(User))[0][0],
            query(url, select(func.count()).select_from(Location))[0][0],
            query(url, select(func.count()).select_from(MockupPhoto))[0][0],
        )

    before = counts()
    assert before[0] == len(accounts) and before[1] == len(LOCATIONS) and before[2] > 0
    second = run(env, "demo", SALESBOT_DEMO_PASSWORD="demo-pass-for-test")
    assert second.exit_code == 0, second.output
    assert logins(second.output) == logins(first.output)
    assert counts() == before

    ((stored,),) = query(
        url, select(User.password_hash).where(User.email == "admin@demo.salesbot.dev")
    )
    assert asyncio.run(verify_password(stored, "demo-pass-for-test"))


def test_demo_is_never_loaded_in_production(env: dict[str, str], sqlite_template: Path) -> None:
    url = migrated(env, sqlite_template)
    result = run(
        env,
        "demo",
        SALESBOT_ENVIRONMENT="production",
        SALESBOT_DATABASE_URL=url,
        SALESBOT_SECRET_KEY=SECRET,
    )
    assert result.exit_code == 2
    assert "Demo data is not loaded in production." in result.stderr
    assert "Demo logins" not in result.output
    assert query(url, select(func.count()).select_from(User)) == [(0,)]


# --- users create-admin --------------------------------------------------------------------------


def test_create_admin_asks_for_the_password_without_echoing_it(
    env: dict[str, str], sqlite_template: Path
) -> None:
    url = migrated(env, sqlite_template)
    result = CliRunner().invoke(
        cli.app,
        ["users", "create-admin", "--email", "Ops@Example.com", "--name", "Ops Lead"],
        env=env,
        input="prompted-password-123\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    assert "prompted-password-123" not in result.output
    assert "Admin ready: ops@example.com" in result.output
    ((user,),) = query(url, select(User).where(User.email == "ops@example.com"))
    assert user.name == "Ops Lead"
    assert [r.role for r in user.roles] == ["admin"]
    assert asyncio.run(verify_password(user.password_hash, "prompted-password-123"))


def test_create_admin_promotes_an_existing_account_and_keeps_its_password(
    env: dict[str, str], sqlite_template: Path
) -> None:
    url = migrated(env, sqlite_template)
    assert run(env, "demo", SALESBOT_DEMO_PASSWORD="demo-pass-for-test").exit_code == 0
    result = run(
        env,
        "users",
        "create-admin",
        "--email",
        "sales@demo.salesbot.dev",
        "--password",
        "another-password-99",
    )
    assert result.exit_code == 0, result.output
    assert "Admin ready: sales@demo.salesbot.dev" in result.output
    ((user,),) = query(url, select(User).where(User.email == "sales@demo.salesbot.dev"))
    assert sorted(r.role for r in user.roles) == ["admin", "sales_person"]
    # An existing account's password is not replaced by the command line's.
    assert asyncio.run(verify_password(user.password_hash, "demo-pass-for-test"))
    assert query(url, select(func.count()).select_from(User)) == [(len(demo_accounts()),)]


def test_create_admin_refuses_bad_input_without_writing(
    env: dict[str, str], sqlite_template: Path
) -> None:
    url = migrated(env, sqlite_template)
    args = ["users", "create-admin", "--email"]
    short = run(env, *args, "a@example.com", "--password", "short")
    assert short.exit_code == 2
    assert "Passwords need at least 10 characters." in short.stderr
    long = run(env, *args, "a@example.com", "--password", "x" * 257)
    assert long.exit_code == 2
    assert "Passwords can have at most 256 characters." in long.stderr
    bad = run(env, *args, "not-an-email", "--password", "long-enough-pw")
    assert bad.exit_code == 2
    assert "Please enter a valid e-mail address." in bad.stderr
    assert "not-an-email" not in bad.stderr  # the message never echoes the input
    assert query(url, select(func.count()).select_from(User)) == [(0,)]


def test_create_admin_before_migrate_says_what_to_do(env: dict[str, str]) -> None:
    Path(env["SALESBOT_DATA_DIR"]).mkdir(parents=True)
    result = run(env, "users", "create-admin", "--email", "a@example.com", "--password", "x" * 12)
    assert result.exit_code == 1
    assert "Could not create the admin (OperationalError)." in result.stderr
    assert "Did you run `salesbot migrate`?" in result.stderr
    assert "Traceback" not in result.output


# --- import-chat-sessions ------------------------------------------------------------------------


def test_import_refuses_a_file_that_is_not_a_json_export(
    env: dict[str, str], sqlite_template: Path, tmp_path: Path
) -> None:
    migrated(env, sqlite_template)
    broken = tmp_path / "export.json"
    broken.write_text("{not json", encoding="utf-8")
    result = run(env, "import-chat-sessions", "--json", str(broken))
    assert result.exit_code == 2
    assert "Could not read export.json: not a JSON export." in result.stderr
    missing = run(env, "import-chat-sessions", "--json", str(tmp_path / "absent.json"))
    assert missing.exit_code == 2
    assert "Could not read absent.json: not a JSON export." in missing.stderr


def test_import_reports_the_rows_it_skipped(
    env: dict[str, str], sqlite_template: Path, tmp_path: Path
) -> None:
    migrated(env, sqlite_template)
    export = tmp_path / "export.json"
    export.write_text(
        '[{"user_email": "nobody@example.com", "messages": [{"role": "user", "content": "hi"}]}]',
        encoding="utf-8",
    )
    result = run(env, "import-chat-sessions", "--json", str(export))
    assert result.exit_code == 0, result.output
    assert "Rows read: 1; conversations created: 0" in result.output
    assert "  skipped row 1: no user matches the legacy user" in result.output


# --- worker and serve: real processes ------------------------------------------------------------


def _process_env(env: dict[str, str], **extra: str) -> dict[str, str]:
    return {**os.environ, **env, "SALESBOT_LOG_LEVEL": "INFO", **extra}


class Lines:
    """A process's output read on a thread, so the test waits on events, not on the clock."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append("")  # end of output
            self.changed.notify_all()

    def wait_for(self, text: str, ceiling_s: float = 120) -> bool:
        """True once a line holds `text`; False at the end of output (or the hang ceiling)."""
        with self.changed:
            return self.changed.wait_for(
                lambda: any(text in line for line in self.lines) or "" in self.lines, ceiling_s
            ) and any(text in line for line in self.lines)

    @property
    def text(self) -> str:
        with self.changed:
            return "".join(self.lines)


@pytest.fixture
def spawn() -> Iterator[Any]:
    started: list[subprocess.Popen[str]] = []

    def start(args: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "salesbot.cli", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            **kwargs,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_worker_without_redis_explains_that_serve_runs_the_jobs(
    env: dict[str, str], spawn: Any
) -> None:
    proc = spawn(["worker"], _process_env(env))
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert "No SALESBOT_REDIS_URL: jobs already run inside `salesbot serve`." in output


def test_worker_runs_queued_jobs_and_stops_on_sigterm(
    env: dict[str, str], sqlite_template: Path, spawn: Any
) -> None:
    from salesbot.jobs.runtime import start_jobs
    from salesbot.settings import Settings

    require_service("Redis", REDIS_URL, 6379)
    _flush_redis()  # this process's own Redis db: no job left by another test
    url = migrated(env, sqlite_template)
    worker_env = _process_env(env, SALESBOT_REDIS_URL=REDIS_URL, SALESBOT_DATABASE_URL=url)
    proc = spawn(["worker", "--threads", "1"], worker_env)
    lines = Lines(proc)
    assert lines.wait_for("worker_started"), lines.text
    assert "mockups.generate" in lines.text and "threads=1" in lines.text

    # A job sent by another process (as the web server does) runs in the worker: a mockup
    # that no longer exists is logged and dropped.
    gone = str(uuid.uuid4())
    sender = start_jobs(
        Settings(_env_file=None, redis_url=REDIS_URL, database_url=url, secret_key=SECRET),
        in_process_worker=False,
    )
    try:
        sender.send("mockups.generate", gone)
    finally:
        sender.close()
    assert lines.wait_for("mockup_gone"), lines.text
    assert gone in next(line for line in lines.lines if "mockup_gone" in line)

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert lines.wait_for("worker_stopped"), lines.text


def test_serve_answers_on_an_inherited_socket_and_stops_on_sigterm(
    env: dict[str, str], sqlite_template: Path, spawn: Any
) -> None:
    migrated(env, sqlite_template)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        port = int(sock.getsockname()[1])
        proc = spawn(
            ["serve", "--fd", str(sock.fileno())],
            _process_env(env, SALESBOT_TRUSTED_PROXIES="10.0.0.0/8"),
            pass_fds=[sock.fileno()],
        )
    lines = Lines(proc)
    # The socket was listening before the server started, so the first request waits in its
    # backlog until the app accepts it: no polling for readiness.
    health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=120)
    assert health.status_code == 200
    assert "server" not in health.headers  # server_header=False: no uvicorn banner
    proc.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal so the parent sees why it ended.
    assert proc.wait(timeout=60) in (0, -signal.SIGTERM), lines.text
    assert lines.wait_for("Application shutdown complete."), lines.text
    assert "Traceback" not in lines.text


def test_serve_passes_its_options_to_the_server(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    result = run(
        env,
        "serve",
        "--host",
        "127.0.0.2",
        "--port",
        "9001",
        "--workers",
        "3",
        SALESBOT_TRUSTED_PROXIES="10.0.0.0/8,192.168.1.1",
    )
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert call["app"] == "salesbot.app:create_app" and call["factory"] is True
    assert (call["host"], call["port"], call["workers"], call["fd"]) == ("127.0.0.2", 9001, 3, None)
    # Forwarded headers believed, and only from the configured proxies (on when they are set).
    assert call["forwarded_allow_ips"] == "10.0.0.0/8,192.168.1.1"
    assert call["proxy_headers"] is True and call["server_header"] is False
    # Idle connections outlive a load balancer's usual 60 s idle timeout (uvicorn's own is 5 s).
    assert call["timeout_keep_alive"] == 75
    calls.clear()
    assert run(env, "serve").exit_code == 0
    assert calls[0]["forwarded_allow_ips"] == "127.0.0.1"
    assert (calls[0]["host"], calls[0]["port"], calls[0]["workers"]) == ("127.0.0.1", 8000, 1)
