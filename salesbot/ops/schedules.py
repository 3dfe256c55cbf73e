"""The registry of periodic jobs: add one `Schedule` here and every instance times it.

Each runs once per deployment per tick (see `salesbot.jobs.scheduler`); `salesbot jobs list`
shows them with their next and last runs. A job takes a `JobContext` (settings, database, the
tick) and returns a small summary that is stored with the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from salesbot.inventory import holds
from salesbot.jobs.scheduler import JobContext, Schedule, cron, cron_setting
from salesbot.users import service as users


async def purge_expired_sessions(ctx: JobContext) -> Mapping[str, Any]:
    async with ctx.db.sessions() as session:
        deleted = await users.purge_expired_sessions(session, now=ctx.scheduled_for)
        devices = await users.purge_dead_devices(session, now=ctx.scheduled_for)
        await session.commit()
    return {"deleted_refresh_tokens": deleted, "deleted_devices": devices}


async def scheduled_backup(ctx: JobContext) -> Mapping[str, Any]:
    from salesbot.ops import offsite
    from salesbot.ops.backup import create_backup, prune_backups

    report = await create_backup(ctx.settings)
    pruned = prune_backups(ctx.settings.backups_dir, ctx.settings.backup_keep)
    summary: dict[str, Any] = {
        "archive": report.path.name,
        "bytes": report.size,
        "objects": len(report.manifest.objects),
        "pruned": len(pruned),
    }
    # The local folder may be an ephemeral disk: the run fails when the off-site copy does.
    if await offsite.upload_archive(ctx.settings, report.path) is not None:
        summary["offsite_pruned"] = len(await offsite.prune_archives(ctx.settings))
    return summary


async def retention(ctx: JobContext) -> Mapping[str, Any]:
    """The retention policies, as `salesbot retention run` applies them, for this tick."""
    from salesbot.files.service import storage_from_settings
    from salesbot.lifecycle.retention import run_retention

    storage = storage_from_settings(ctx.settings)
    report = await run_retention(
        ctx.db.sessions, storage, ctx.settings, now=ctx.scheduled_for, dry_run=False
    )
    return {
        **report.counts,
        "notices": len(report.notices),
        "objects_failed": report.objects_failed,
    }


async def expire_holds(ctx: JobContext) -> Mapping[str, Any]:
    """Write down the holds past their expiry (they stopped counting at that moment already)."""
    async with ctx.db.sessions() as session:
        expired = await holds.expire_lapsed(session, now=ctx.scheduled_for)
    return {"expired_holds": expired}


SCHEDULES: list[Schedule] = [
    Schedule(
        name="sessions.purge_expired",
        trigger=cron("17 3 * * *"),
        run=purge_expired_sessions,
        description="Forget sessions and devices expired or signed out for a week or more",
    ),
    Schedule(
        name="backup",
        trigger=cron_setting(lambda s: s.backup_schedule),
        run=scheduled_backup,
        description="`salesbot backup` into SALESBOT_BACKUP_DIR (and SALESBOT_BACKUP_S3_BUCKET)",
        lock_ttl_s=6 * 3600,
    ),
    Schedule(
        name="retention",
        trigger=cron("41 2 * * *"),
        run=retention,
        description="Archive idle conversations, purge what the retention policies let go",
        lock_ttl_s=3 * 3600,
    ),
    Schedule(
        name="inventory.expire_holds",
        trigger=cron("7 * * * *"),
        run=expire_holds,
        description="Mark proposal holds past their expiry as expired (hourly)",
    ),
]
