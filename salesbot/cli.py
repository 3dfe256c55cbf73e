"""The `salesbot` command line: serve, worker, migrate, demo, users, retention, config."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

import typer

from salesbot.settings import ConfigError, Settings, bound_host, refuse_insecure_bind

if TYPE_CHECKING:
    from salesbot.conversations.legacy import ImportReport

app = typer.Typer(help="Sales Proposal Bot", no_args_is_help=True, add_completion=False)
config_app = typer.Typer(help="Configuration", no_args_is_help=True)
users_app = typer.Typer(help="User accounts", no_args_is_help=True)
jobs_app = typer.Typer(help="Scheduled jobs", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(users_app, name="users")
app.add_typer(jobs_app, name="jobs")
retention_app = typer.Typer(help="Data retention", no_args_is_help=True)
app.add_typer(retention_app, name="retention")


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


def default_workers(settings: Settings) -> int:
    """One process per CPU in production (each is single-threaded); one in development."""
    return max(1, os.cpu_count() or 1) if settings.is_production else 1


class ProxyOptions(TypedDict):
    proxy_headers: bool
    forwarded_allow_ips: str


def proxy_options(settings: Settings, proxy_headers: bool | None) -> ProxyOptions:
    """uvicorn's X-Forwarded-For/-Proto handling, believed only from SALESBOT_TRUSTED_PROXIES.

    On by default when trusted proxies are configured (Render, a load balancer), so the client's
    address and https scheme are the real ones; refused without them, as any client could then
    claim any address.
    """
    use = bool(settings.trusted_proxies) if proxy_headers is None else proxy_headers
    if use and not settings.trusted_proxies:
        typer.secho(
            "--proxy-headers needs SALESBOT_TRUSTED_PROXIES: the addresses (CIDR) of the proxies "
            "whose X-Forwarded-* headers are believed.",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    return ProxyOptions(
        proxy_headers=use, forwarded_allow_ips=",".join(settings.trusted_proxies) or "127.0.0.1"
    )


def _refuse_insecure_bind(settings: Settings, host: str, allowed: bool) -> None:
    try:
        refuse_insecure_bind(settings, host, allowed=allowed)
    except ConfigError as exc:
        typer.secho(f"Not started: {exc.problems[0]}", fg="red", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind", envvar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on", envvar="PORT")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Server processes (default: one per CPU in production, 1 in development)",
            envvar="WEB_CONCURRENCY",
            min=1,
        ),
    ] = None,
    proxy_headers: Annotated[
        bool | None,
        typer.Option(
            "--proxy-headers/--no-proxy-headers",
            help="Believe X-Forwarded-For/-Proto from SALESBOT_TRUSTED_PROXIES "
            "(default: on when that is set)",
            show_default=False,
        ),
    ] = None,
    fd: Annotated[
        int | None,
        typer.Option(help="Serve on this inherited, already-bound socket instead of host/port"),
    ] = None,
    allow_insecure_bind: Annotated[
        bool,
        typer.Option(help="Let development settings listen beyond loopback (not for real data)"),
    ] = False,
) -> None:
    """Run the web server (API + web UI); $HOST, $PORT and $WEB_CONCURRENCY are honoured."""
    import uvicorn

    from salesbot.kit.http.nodelay import NoDelayHTTPProtocol

    settings = _settings()
    _refuse_insecure_bind(settings, host if fd is None else bound_host(fd), allow_insecure_bind)
    uvicorn.run(
        "salesbot.app:create_app",
        factory=True,
        host=host,
        port=port,
        fd=fd,
        http=NoDelayHTTPProtocol,
        workers=workers or default_workers(settings),
        **proxy_options(settings, proxy_headers),
        log_config=None,
        server_header=False,
        timeout_keep_alive=settings.http_keep_alive_s,
    )


@app.command()
def worker(
    threads: Annotated[int, typer.Option(help="Worker threads")] = 4,
    metrics_port: Annotated[
        int | None,
        typer.Option(help="Serve this worker's /metrics on this port (same token rule as the API)"),
    ] = None,
    metrics_host: Annotated[str, typer.Option(help="Interface for --metrics-port")] = "127.0.0.1",
) -> None:
    """Run background job workers (needs SALESBOT_REDIS_URL; without Redis jobs run in-process)."""
    from salesbot.jobs.runtime import start_jobs
    from salesbot.kit.logging import configure_logging, get_logger
    from salesbot.kit.metrics import MetricsServer
    from salesbot.kit.tracing import configure_tracing

    settings = _settings()
    configure_logging(json=settings.json_logs, level=settings.log_level)
    configure_tracing(service_name="salesbot-worker")
    if not settings.redis_dsn:
        typer.secho("No SALESBOT_REDIS_URL: jobs already run inside `salesbot serve`.", fg="yellow")
        raise typer.Exit(1)
    settings = settings.model_copy(update={"job_in_process_threads": threads})
    stop = threading.Event()  # a signal during start-up still shuts down cleanly
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # Before the jobs start, so a port already taken ends the command before any work begins.
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    server = MetricsServer(metrics_host, metrics_port, token) if metrics_port is not None else None
    runtime = start_jobs(settings, in_process_worker=True)
    log = get_logger("salesbot.worker")
    log.info(
        "worker_started", jobs=sorted(runtime.actors), threads=threads, metrics_port=metrics_port
    )
    persister = None
    if settings.chat_write_behind:
        from salesbot.conversations.behind import persister_thread

        persister = persister_thread(settings, stop)
    stop.wait()
    runtime.close()
    if persister is not None:
        persister.join(timeout=15)
    if server is not None:
        server.stop()
    log.info("worker_stopped")


@app.command("chat-persister")
def chat_persister(
    batch: Annotated[int, typer.Option(help="Messages stored per transaction", min=1)] = 200,
) -> None:
    """Store write-behind chat messages (SALESBOT_CHAT_WRITE_BEHIND) from Redis in the database.

    `salesbot worker` and `salesbot serve` run one too; this runs one on its own.
    """
    from salesbot.conversations.behind import persister_thread
    from salesbot.kit.logging import configure_logging

    settings = _settings()
    configure_logging(json=settings.json_logs, level=settings.log_level)
    if not settings.redis_dsn:
        typer.secho("Write-behind needs SALESBOT_REDIS_URL.", fg="red")
        raise typer.Exit(1)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    persister_thread(settings, stop, batch=batch).join()


@app.command()
def migrate() -> None:
    """Apply all database migrations."""
    from salesbot.migrations.runner import upgrade

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(
        settings.effective_database_url,
        pooler=settings.database_pooler,
        secret_key=settings.secret_key.get_secret_value(),
    )
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
        db = Database(make_engine(settings.effective_database_url, pooler=settings.database_pooler))
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


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would go; change nothing")
    ] = False,
) -> None:
    """Apply the retention policies once (archive, purge), honouring legal holds."""
    from salesbot.lifecycle.commands import print_report, retention_once

    settings = _settings()
    try:
        report = asyncio.run(retention_once(settings, dry_run=dry_run))
    except Exception as exc:  # a missing table or database reads better than a trace
        typer.secho(
            f"Retention could not run ({type(exc).__name__}). Did you run `salesbot migrate`?",
            fg="red",
            err=True,
        )
        raise typer.Exit(1) from None
    print_report(report, typer.echo)


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

    from salesbot.conversations.hot import forget
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
        db = Database(make_engine(settings.effective_database_url, pooler=settings.database_pooler))
        try:
            async with db.sessions() as session:
                report = await import_rows(session, rows)
            await forget(settings.redis_dsn, report.updated)
            return report
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


@app.command()
def backup(
    output: Annotated[
        Path | None,
        typer.Option(
            help="Archive to write (default: SALESBOT_BACKUP_DIR/salesbot-backup-<UTC>.tar.gz)"
        ),
    ] = None,
) -> None:
    """Write one archive: the database, every stored file and a manifest of both."""
    from salesbot.ops.backup import create_backup
    from salesbot.ops.dumps import DumpError

    settings = _settings()
    try:
        report = asyncio.run(create_backup(settings, output))
    except DumpError as exc:
        typer.secho(f"Backup failed: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None
    except Exception as exc:  # an unreachable database or bucket reads better than a trace
        typer.secho(
            f"Backup failed ({type(exc).__name__}); no archive was written.", fg="red", err=True
        )
        raise typer.Exit(1) from None
    tables = report.manifest.database.tables
    typer.echo(
        f"Backup written: {report.path} ({report.size} bytes; {len(tables)} tables, "
        f"{sum(tables.values())} rows, {len(report.manifest.objects)} files; schema "
        f"{', '.join(report.manifest.database.revision) or '(none)'})"
    )
    _copy_offsite(settings, report.path)


def _copy_offsite(settings: Settings, archive: Path) -> None:
    from salesbot.ops import offsite

    try:
        key = asyncio.run(offsite.upload_archive(settings, archive))
        if key is None:
            return
        pruned = asyncio.run(offsite.prune_archives(settings))
    except Exception as exc:  # the archive is written; say the copy failed, without a trace
        typer.secho(
            f"Off-site copy failed ({type(exc).__name__}); the archive is only at {archive}.",
            fg="red",
            err=True,
        )
        raise typer.Exit(1) from None
    typer.echo(f"Off-site copy: s3://{settings.backup_s3_bucket}/{key} ({len(pruned)} pruned)")


@app.command()
def restore(
    archive: Annotated[
        Path | None, typer.Argument(help="An archive written by `salesbot backup`")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database or storage that is not empty")
    ] = False,
    from_offsite: Annotated[
        str | None,
        typer.Option(
            help="Download this archive (a name, or `latest`) from SALESBOT_BACKUP_S3_BUCKET"
        ),
    ] = None,
) -> None:
    """Check an archive completely, then restore it into an empty database and storage."""
    from salesbot.ops.restore import RestoreRefused, restore_backup

    settings = _settings()
    archive = _archive_to_restore(settings, archive, from_offsite)
    try:
        report = asyncio.run(restore_backup(settings, archive, force=force))
    except RestoreRefused as exc:
        typer.secho(f"Restore refused: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:  # an unreachable database or bucket reads better than a trace
        typer.secho(
            f"Restore failed ({type(exc).__name__}): the database was not replaced and the "
            "files it had stored were removed.",
            fg="red",
            err=True,
        )
        raise typer.Exit(1) from None
    typer.echo(
        f"Restored {report.tables} tables ({report.rows} rows) and {report.objects} files; "
        f"checked against the manifest. Run `salesbot migrate` if this version is newer."
    )


def _archive_to_restore(settings: Settings, archive: Path | None, offsite_name: str | None) -> Path:
    from salesbot.ops import offsite

    if archive is not None and offsite_name is None:
        return archive
    if archive is not None or offsite_name is None:
        typer.secho(
            "Give either an ARCHIVE file or --from-offsite NAME|latest.", fg="red", err=True
        )
        raise typer.Exit(2)
    try:
        path = asyncio.run(
            offsite.download_archive(settings, offsite_name, settings.backups_dir / "downloaded")
        )
    except offsite.OffsiteError as exc:
        typer.secho(f"Restore refused: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    except Exception as exc:  # an unreachable bucket reads better than a trace
        typer.secho(f"Download failed ({type(exc).__name__}).", fg="red", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Downloaded {path.name} from the off-site copy.")
    return path


@jobs_app.command("list")
def jobs_list() -> None:
    """Each schedule with its trigger, next run and last run (outcome, duration)."""
    from salesbot.jobs.scheduler import schedule_status
    from salesbot.kit.db import Database, make_engine, utcnow
    from salesbot.ops.schedules import SCHEDULES

    settings = _settings()

    async def run() -> list[Any]:
        db = Database(make_engine(settings.effective_database_url))
        try:
            return await schedule_status(db, settings, SCHEDULES, utcnow())
        finally:
            await db.dispose()

    for item in asyncio.run(run()):
        typer.echo(f"{item.name}  ({item.description})")
        typer.echo(f"  trigger:  {item.trigger}")
        typer.echo(f"  next run: {_when(item.next_run)}")
        last = item.last_run
        if last is None:
            typer.echo("  last run: never")
            continue
        took = f", {last.duration_ms} ms" if last.duration_ms is not None else ""
        error = f" ({last.error_type})" if last.error_type else ""
        typer.echo(f"  last run: {_when(last.started_at)} {last.status}{error}{took}")
        if last.summary:
            typer.echo(f"            {json.dumps(last.summary, sort_keys=True)}")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


@jobs_app.command("run")
def jobs_run(
    name: Annotated[str, typer.Argument(help="A schedule's name (see `jobs list`)")],
) -> None:
    """Run a schedule now, once for the deployment, and record it like a timed run."""
    from salesbot.jobs.scheduler import Scheduler
    from salesbot.kit.db import Database, make_engine
    from salesbot.ops.schedules import SCHEDULES

    settings = _settings()
    if name not in {s.name for s in SCHEDULES}:
        typer.secho(
            f"No schedule named {name[:80]!r}; see `salesbot jobs list`.", fg="red", err=True
        )
        raise typer.Exit(2)

    async def run() -> str:
        db = Database(make_engine(settings.effective_database_url))
        scheduler = Scheduler(settings, db, SCHEDULES)
        try:
            return await scheduler.run_now(name)
        finally:
            await scheduler.shutdown()
            await db.dispose()

    outcome = asyncio.run(run())
    typer.echo(f"{name}: {outcome}")
    if outcome == "failed":
        raise typer.Exit(1)


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
