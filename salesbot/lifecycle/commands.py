"""The `salesbot retention run` command's work: one run against the configured database."""

from __future__ import annotations

from collections.abc import Callable

from salesbot.files.service import storage_from_settings
from salesbot.kit.db import Database, make_engine, utcnow
from salesbot.lifecycle.retention import Report, run_retention
from salesbot.settings import Settings


async def retention_once(settings: Settings, *, dry_run: bool) -> Report:
    database = Database(make_engine(settings.effective_database_url))
    try:
        return await run_retention(
            database.sessions,
            storage_from_settings(settings),
            settings,
            now=utcnow(),
            dry_run=dry_run,
        )
    finally:
        await database.dispose()


def print_report(report: Report, echo: Callable[[str], object]) -> None:
    verb = "would" if report.dry_run else "did"
    for item in report.items:
        action = "archive" if item.kind == "archived_conversation" else "delete"
        company = f" company={item.company_id}" if item.company_id else ""
        echo(f"{verb} {action} {item.kind} {item.id}{company} {item.label!r}")
    for orphan in report.orphan_objects:
        echo(
            f"{verb} delete orphan_object {orphan.key} "
            f"(no row names it; written {orphan.modified_at:%Y-%m-%d %H:%M} UTC)"
        )
    for item in report.notices:
        echo(f"{verb} notify {item.owner_id} that conversation {item.id} will be deleted")
    counts = ", ".join(f"{kind}: {n}" for kind, n in report.counts.items()) or "nothing"
    title = "Dry run" if report.dry_run else "Retention run"
    echo(f"{title} at {report.now:%Y-%m-%d %H:%M} UTC: {counts}")
    if report.objects_failed:
        echo(f"{report.objects_failed} stored objects could not be removed (see the log)")
