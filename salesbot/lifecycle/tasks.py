"""Background job `lifecycle.export`: build a person's ZIP, store it, tell them it is ready."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from salesbot.files.service import storage_from_settings
from salesbot.jobs import job, job_runtime
from salesbot.kit.db import Database, make_engine
from salesbot.kit.logging import get_logger
from salesbot.lifecycle.building import build_export

log = get_logger(__name__)


@job("lifecycle.export", queue="default", max_retries=2)
async def export_user_data(export_id: str) -> None:
    """Build the export `export_id` (with its process's settings, `job_settings`)."""
    settings = job_runtime().job_settings
    database = Database(make_engine(settings.effective_database_url))
    storage = storage_from_settings(settings)
    settings.tmp_dir.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(dir=settings.tmp_dir) as tmp:
            await build_export(
                database.sessions,
                storage,
                uuid.UUID(export_id),
                work_dir=Path(tmp),
                link_days=settings.export_link_days,
            )
    finally:
        await database.dispose()
