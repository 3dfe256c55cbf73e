"""The `salesbot` command line: serve, worker, migrate, demo, users, config."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from salesbot.settings import ConfigError, Settings, bound_host, refuse_insecure_bind

if TYPE_CHECKING:
    from salesbot.conversations.legacy import ImportReport

app = typer.Typer(help="Sales Proposal Bot", no_args_is_help=True, add_completion=False)
config_app = typer.Typer(help="Configuration", no_args_is_help=True)
users_app = typer.Typer(help="User accounts", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(users_app, name="users")


def _settings() -> Settings:
    """Load and validate settings, turning problems into a readable exit instead of a trace."""
    try:
        settings = Settings()
        settings.validate_for_startup()
    except ConfigError as exc:
        typer.secho("Configuration problems:", fg="red", err=True)
        for problem in exc.problems:
            typer.secho(f"  - {problem}", fg="red", err=True)
        raise typer.Exit(2) from None
    except ValueError as exc:
        typer.secho(f"Configuration problems:\n{exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    return settings


def _refuse_insecure_bind(settings: Settings, host: str, allowed: bool) -> None:
    try:
        refuse_insecure_bind(settings, host, allowed=allowed)
    except ConfigError as exc:
        typer.secho(f"Not started: {exc.problems[0]}", fg="red", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes")] = 1,
    fd: Annotated[
        int | None,
        typer.Option(help="Serve on this inherited, already-bound socket instead of host/port"),
    ] = None,
    allow_insecure_bind: Annotated[
        bool,
        typer.Option(help="Let development settings listen beyond loopback (not for real data)"),
    ] = False,
) -> None:
    """Run the web server (API + web UI)."""
    import uvicorn

    settings = _settings()
    _refuse_insecure_bind(settings, host if fd is None else bound_host(fd), allow_insecure_bind)
    forwarded = ",".join(settings.trusted_proxies) or "127.0.0.1"
    uvicorn.run(
        "salesbot.app:create_app",
        factory=True,
        host=host,
        port=port,
        fd=fd,
        workers=workers,
        proxy_headers=False,  # X-Forwarded-For is handled by our own trusted-proxy rule
        forwarded_allow_ips=forwarded,
        log_config=None,
        server_header=False,
    )


@app.command()
def worker(
    threads: Annotated[int, typer.Option(help="Worker threads")] = 4,
) -> None:
    """Run background job workers (needs SALESBOT_REDIS_URL; without Redis jobs run in-process)."""
    from salesbot.jobs.runtime import start_jobs
    from salesbot.kit.logging import configure_logging, get_logger

    settings = _settings()
    configure_logging(json=settings.json_logs, level=settings.log_level)
    if not settings.redis_dsn:
        typer.secho("No SALESBOT_REDIS_URL: jobs already run inside `salesbot serve`.", fg="yellow")
        raise typer.Exit(1)
    settings = settings.model_copy(update={"job_in_process_threads": threads})
    runtime = start_jobs(settings, in_process_worker=True)
    log = get_logger("salesbot.worker")
    log.info("worker_started", jobs=sorted(runtime.actors), threads=threads)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    runtime.close()
    log.info("worker_stopped")


@app.command()
def migrate() -> None:
    """Apply all database migrations."""
    from salesbot.migrations.runner import upgrade

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.effective_database_url)
    typer.echo("Database is up to date.")


@app.command()
def demo() -> None:
    """Load demo data (idempotent) and print the demo logins."""
    from salesbot.ops.demo import load_demo

    settings = _settings()
    if settings.is_production:
        typer.secho("Demo data is not loaded in production.", fg="red", err=True)
        raise typer.Exit(2)
    logins = asyncio.run(load_demo(settings))
    typer.echo(f"Demo logins (password for all: {settings.demo_password.get_secret_value()}):")
    for email, roles in logins:
        typer.echo(f"  {email:<40} {roles}")


@users_app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's e-mail address")],
    password: Annotated[
        str, typer.Option(help="At least 10 characters", prompt=True, hide_input=True)
    ],
    name: Annotated[str, typer.Option(help="Display name")] = "Administrator",
) -> None:
    """Create an admin account, or give an existing account the admin role (idempotent)."""
    from salesbot.kit.db import Database, make_engine
    from salesbot.kit.errors import AppError
    from salesbot.users import service
    from salesbot.users.roles import Role

    settings = _settings()

    async def run() -> str:
        db = Database(make_engine(settings.effective_database_url))
        try:
            async with db.sessions() as session:
                user = await service.ensure_user(
                    session, email=email, name=name, password=password, roles=[(Role.admin, None)]
                )
                await session.commit()
                return user.email
        finally:
            await db.dispose()

    try:
        address = asyncio.run(run())
    except AppError as exc:
        typer.secho(exc.message, fg="red", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:  # a missing table or database reads better than a trace
        typer.secho(
            f"Could not create the admin ({type(exc).__name__}). Did you run `salesbot migrate`?",
            fg="red",
            err=True,
        )
        raise typer.Exit(1) from None
    typer.echo(f"Admin ready: {address}")


@app.command("import-chat-sessions")
def import_chat_sessions(
    json_file: Annotated[
        Path | None,
        typer.Option("--json", help="A JSON export: a list of {user_id or user_email, messages}"),
    ] = None,
    table: Annotated[str, typer.Option(help="The legacy table (when no --json)")] = "chat_sessions",
    source_url: Annotated[
        str | None, typer.Option(help="Database with the legacy table (default: the app's own)")
    ] = None,
) -> None:
    """Import the legacy chat history; running it again only adds what is new."""
    import json

    from salesbot.conversations.legacy import (
        LegacySourceError,
        import_rows,
        rows_from_json,
        rows_from_table,
    )
    from salesbot.kit.db import Database, make_engine

    settings = _settings()

    async def run() -> ImportReport:
        if json_file is not None:
            try:
                rows = rows_from_json(json.loads(json_file.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                raise LegacySourceError(
                    f"Could not read {json_file.name}: not a JSON export."
                ) from exc
        else:
            rows = await rows_from_table(source_url or settings.effective_database_url, table)
        db = Database(make_engine(settings.effective_database_url))
        try:
            async with db.sessions() as session:
                return await import_rows(session, rows)
        finally:
            await db.dispose()

    try:
        report = asyncio.run(run())
    except LegacySourceError as exc:
        typer.secho(str(exc), fg="red", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"Rows read: {report.rows}; conversations created: {report.conversations_created}; "
        f"messages created: {report.messages_created}, already there: "
        f"{report.messages_existing}, unreadable: {report.messages_skipped}."
    )
    for problem in report.rows_skipped:
        typer.secho(f"  skipped {problem}", fg="yellow")


@config_app.command("check")
def config_check() -> None:
    """Print the effective configuration (secrets masked) and any production problems."""
    try:
        settings = Settings()
    except ValueError as exc:
        typer.secho(f"Configuration problems:\n{exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    for key, value in settings.masked().items():
        typer.echo(f"{key:<28} {value}")
    problems = settings.startup_problems()
    if problems:
        typer.secho("\nProblems that stop start-up:", fg="red", err=True)
        for problem in problems:
            typer.secho(f"  - {problem}", fg="red", err=True)
        raise typer.Exit(2)
    typer.secho("\nConfiguration OK.", fg="green")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
