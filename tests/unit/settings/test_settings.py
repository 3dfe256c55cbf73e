"""Settings: production start-up rules, masking, `salesbot config check`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from salesbot import hosting
from salesbot.settings import ConfigError, Settings, memory_limit, mockup_concurrency_for


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_development_defaults_to_sqlite_under_data_dir(tmp_path: Path) -> None:
    settings = _settings(data_dir=tmp_path)
    assert (
        settings.effective_database_url == f"sqlite+aiosqlite:///{tmp_path.resolve()}/salesbot.db"
    )
    settings.validate_for_startup()


def test_production_names_every_missing_item() -> None:
    settings = _settings(environment="production", dev_login=True)
    with pytest.raises(ConfigError) as caught:
        settings.validate_for_startup()
    problems = " | ".join(caught.value.problems)
    assert "SALESBOT_SECRET_KEY" in problems
    assert "SALESBOT_DATABASE_URL" in problems
    assert "SALESBOT_DEV_LOGIN" in problems
    assert len(caught.value.problems) == 3


def test_production_never_falls_back_to_sqlite() -> None:
    settings = _settings(environment="production", secret_key="x" * 40)
    assert settings.startup_problems() == [
        "SALESBOT_DATABASE_URL is not set (production never falls back to SQLite)"
    ]


def test_production_with_everything_starts() -> None:
    settings = _settings(
        environment="production",
        secret_key="s" * 40,
        database_url="postgresql+asyncpg://app:pw@db:5432/salesbot",
    )
    settings.validate_for_startup()
    assert settings.json_logs


def test_production_refuses_a_short_metrics_token() -> None:
    ready = {
        "environment": "production",
        "secret_key": "s" * 40,
        "database_url": "postgresql+asyncpg://app:pw@db:5432/salesbot",
    }
    assert _settings(**ready, metrics_token="t" * 23).startup_problems() == [
        "SALESBOT_METRICS_TOKEN must be at least 24 characters"
    ]
    assert _settings(**ready, metrics_token="t" * 24).startup_problems() == []


def test_production_with_email_needs_a_public_url() -> None:
    ready = {
        "environment": "production",
        "secret_key": "s" * 40,
        "database_url": "postgresql+asyncpg://app:pw@db:5432/salesbot",
        "smtp_host": "smtp.example.com",
    }
    [problem] = _settings(**ready).startup_problems()
    assert problem.startswith("SALESBOT_PUBLIC_URL must be set")
    assert _settings(**ready, public_url="https://sales.example.com/").startup_problems() == []
    assert _settings(**ready, public_url="https://sales.example.com/").public_url == (
        "https://sales.example.com"
    )


@pytest.mark.parametrize("url", ["sales.example.com", "ftp://sales.example.com", "https://x/?a=1"])
def test_a_public_url_must_be_an_http_address(url: str) -> None:
    with pytest.raises(ValueError, match="SALESBOT_PUBLIC_URL must look like"):
        _settings(public_url=url)


def test_bad_trusted_proxy_is_rejected() -> None:
    with pytest.raises(ValueError, match="not a CIDR"):
        _settings(trusted_proxies="10.0.0.0/8,not-a-network")


def test_masked_hides_secrets_and_url_passwords() -> None:
    settings = _settings(
        secret_key="super-secret-value-1234567890",
        database_url="postgresql+asyncpg://app:hunter2@db:5432/salesbot",
        redis_url="redis://:redispw@cache:6379/0",
        llm_api_key="sk-live-abc",
        slack_webhook_url="https://hooks.slack.com/services/T000/B000/webhooksecret",
    )
    masked = settings.masked()
    assert masked["slack_webhook_url"] == "https://hooks.slack.com/***"
    shown = "\n".join(masked.values())
    for secret in ("super-secret-value", "hunter2", "redispw", "sk-live-abc", "webhooksecret"):
        assert secret not in shown
    assert "db:5432/salesbot" in shown


def test_config_check_cli_masks_and_reports(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "SALESBOT_ENVIRONMENT": "production",
        "SALESBOT_SECRET_KEY": "",
        "SALESBOT_DATABASE_URL": "postgresql+asyncpg://app:topsecretpw@db/salesbot",
    }
    result = subprocess.run(
        [sys.executable, "-m", "salesbot.cli", "config", "check"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "topsecretpw" not in result.stdout + result.stderr
    assert "SALESBOT_SECRET_KEY is empty" in result.stderr
    assert "database_url" in result.stdout


# --- the mockup concurrency default follows the memory available ----------------------------


def _files(tmp_path: Path, v2: str | None, v1: str | None, mem_kb: int | None) -> tuple[Any, str]:
    names = []
    for name, value in (("memory.max", v2), ("memory.limit_in_bytes", v1)):
        path = tmp_path / name
        if value is not None:
            path.write_text(value + "\n")
        names.append(str(path))
    meminfo = tmp_path / "meminfo"
    if mem_kb is not None:
        meminfo.write_text(f"MemTotal:       {mem_kb} kB\nMemFree:        1000 kB\n")
    return tuple(names), str(meminfo)


@pytest.mark.parametrize(
    ("v2", "v1", "mem_kb", "expected"),
    [
        ("536870912", None, 16 * 1024 * 1024, 512 << 20),  # cgroup v2 limit wins over MemTotal
        ("max", "1073741824", 16 * 1024 * 1024, 1 << 30),  # v2 unlimited, v1 limit
        ("max", "9223372036854771712", 2 * 1024 * 1024, 2 << 30),  # both unlimited: MemTotal
        (None, None, 768 * 1024, 768 << 20),  # no cgroup files: MemTotal
        (None, None, None, None),  # nothing to read
        ("garbage", None, 1024 * 1024, 1 << 30),  # unreadable limit: MemTotal
    ],
)
def test_memory_limit_reads_the_cgroup_limit_then_memtotal(
    tmp_path: Path, v2: str | None, v1: str | None, mem_kb: int | None, expected: int | None
) -> None:
    cgroup, meminfo = _files(tmp_path, v2, v1, mem_kb)
    assert memory_limit(cgroup, meminfo) == expected


@pytest.mark.parametrize(
    ("memory", "cpus", "expected"),
    [
        (512 << 20, 8, 1),  # a 512 MB instance: one at a time
        ((1 << 30) - 1, 8, 1),
        (1 << 30, 8, 2),
        (2 << 30, 8, 4),
        (2 << 30, 2, 2),  # never more than the CPUs
        (64 << 30, 64, 4),  # nor more than 4
        (64 << 30, 1, 1),
        (None, 8, 2),  # unknown memory: the old default
    ],
)
def test_mockup_concurrency_follows_memory_and_cpus(
    memory: int | None, cpus: int, expected: int
) -> None:
    assert mockup_concurrency_for(memory, cpus) == expected


def test_mockup_concurrency_default_uses_the_limits_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cgroup, meminfo = _files(tmp_path, "536870912", None, 16 * 1024 * 1024)
    monkeypatch.setattr(hosting, "CGROUP_MEMORY_LIMITS", cgroup)
    monkeypatch.setattr(hosting, "MEMINFO", meminfo)
    monkeypatch.delenv("SALESBOT_MOCKUP_CONCURRENCY", raising=False)
    assert Settings(_env_file=None).mockup_concurrency == 1
    (tmp_path / "memory.max").write_text("max\n")
    expected = min(4, len(os.sched_getaffinity(0)))
    assert Settings(_env_file=None).mockup_concurrency == expected
    monkeypatch.setenv("SALESBOT_MOCKUP_CONCURRENCY", "3")
    assert Settings(_env_file=None).mockup_concurrency == 3  # an explicit value wins


def test_production_refuses_write_behind_without_redis() -> None:
    ready = {
        "environment": "production",
        "secret_key": "s" * 40,
        "database_url": "postgresql+asyncpg://app:pw@db:5432/salesbot",
        "chat_write_behind": True,
    }
    assert _settings(**ready).startup_problems() == [
        "SALESBOT_CHAT_WRITE_BEHIND needs SALESBOT_REDIS_URL (its messages live in a Redis "
        "Stream until they are stored)"
    ]
    assert _settings(**ready, redis_url="redis://cache:6379/0").startup_problems() == []
    assert _settings(environment="development", chat_write_behind=True).startup_problems() == []
