"""The operator's commands: `salesbot jobs list|run`, `salesbot backup`, `salesbot restore`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from salesbot.migrations.runner import upgrade


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "test",
        "SALESBOT_DATA_DIR": str(data_dir),
        "SALESBOT_LOG_LEVEL": "WARNING",
    }
    env.pop("SALESBOT_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "salesbot.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_jobs_list_shows_next_and_last_run(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    upgrade(f"sqlite+aiosqlite:///{data / 'salesbot.db'}")
    before = _cli(data, "jobs", "list")
    assert before.returncode == 0, before.stderr
    assert "sessions.purge_expired" in before.stdout and "last run: never" in before.stdout
    assert "trigger:  off" in before.stdout  # the backup schedule, until it is configured

    ran = _cli(data, "jobs", "run", "sessions.purge_expired")
    assert ran.returncode == 0, ran.stderr
    assert "sessions.purge_expired: succeeded" in ran.stdout
    after = _cli(data, "jobs", "list")
    purge = after.stdout.split("backup")[0]
    assert "succeeded" in purge and '{"deleted_devices": 0, "deleted_refresh_tokens": 0}' in purge
    assert "next run: 20" in purge

    unknown = _cli(data, "jobs", "run", "no.such.job")
    assert unknown.returncode == 2 and "No schedule named" in unknown.stderr


def test_backup_then_restore_elsewhere_then_refusals(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    upgrade(f"sqlite+aiosqlite:///{source / 'salesbot.db'}")
    (source / "files" / "files").mkdir(parents=True)
    (source / "files" / "files" / "note").write_bytes(b"a stored file")
    archive = tmp_path / "b.tar.gz"

    made = _cli(source, "backup", "--output", str(archive))
    assert made.returncode == 0, made.stderr
    assert "Backup written" in made.stdout and "1 files" in made.stdout

    restored = _cli(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert (target / "files" / "files" / "note").read_bytes() == b"a stored file"

    again = _cli(target, "restore", str(archive))
    assert again.returncode == 2 and "not empty" in again.stderr
    forced = _cli(target, "restore", str(archive), "--force")
    assert forced.returncode == 0, forced.stderr

    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[:-100])
    refused = _cli(tmp_path / "elsewhere", "restore", str(cut))
    assert refused.returncode == 2 and "damaged or cut short" in refused.stderr
    assert "Traceback" not in refused.stderr
