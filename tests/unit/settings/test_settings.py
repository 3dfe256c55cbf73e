"""Settings: production start-up rules, masking, `salesbot config check`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from salesbot.settings import ConfigError, Settings


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
