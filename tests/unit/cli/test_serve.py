"""`salesbot serve`: $HOST/$PORT, worker count and proxy headers reach uvicorn as intended."""

from __future__ import annotations

import os
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from salesbot.cli import app

SECRET = "s" * 40


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    """What `serve` hands to uvicorn (uvicorn itself is not started)."""
    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: captured.update(kw, target=target))
    for name in ("HOST", "PORT", "WEB_CONCURRENCY", "SALESBOT_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESBOT_ENVIRONMENT", "development")
    monkeypatch.setenv("SALESBOT_DATA_DIR", str(tmp_path))
    return captured


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, ["serve", *args], env=env)


def test_defaults_bind_loopback_one_worker_no_proxy_headers(served: dict[str, Any]) -> None:
    result = run()
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"], served["workers"]) == ("127.0.0.1", 8000, 1)
    assert served["proxy_headers"] is False


def test_host_and_port_come_from_the_environment(served: dict[str, Any]) -> None:
    # Render sets PORT (and the blueprint HOST); a loopback host keeps development's bind rule out.
    result = run(env={"HOST": "::1", "PORT": "10000"})
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("::1", 10000)


def test_options_win_over_the_environment(served: dict[str, Any]) -> None:
    result = run("--port", "9001", "--workers", "3", env={"PORT": "10000"})
    assert result.exit_code == 0, result.output
    assert (served["port"], served["workers"]) == (9001, 3)


def test_production_defaults_to_one_worker_per_cpu(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    env = {
        "SALESBOT_ENVIRONMENT": "production",
        "SALESBOT_SECRET_KEY": SECRET,
        "SALESBOT_DATABASE_URL": "postgresql+asyncpg://app@db.example/app",
    }
    result = run(env=env)
    assert result.exit_code == 0, result.output
    assert served["workers"] == 6
    assert run("--workers", "2", env=env).exit_code == 0
    assert served["workers"] == 2


def test_trusted_proxies_turn_proxy_headers_on(served: dict[str, Any]) -> None:
    result = run(env={"SALESBOT_TRUSTED_PROXIES": "10.0.0.0/8,127.0.0.1"})
    assert result.exit_code == 0, result.output
    assert served["proxy_headers"] is True
    assert served["forwarded_allow_ips"] == "10.0.0.0/8,127.0.0.1"
    assert run("--no-proxy-headers", env={"SALESBOT_TRUSTED_PROXIES": "10.0.0.0/8"}).exit_code == 0
    assert served["proxy_headers"] is False


def test_proxy_headers_without_trusted_proxies_is_refused(served: dict[str, Any]) -> None:
    result = run("--proxy-headers")
    assert result.exit_code == 2
    assert "SALESBOT_TRUSTED_PROXIES" in result.output
    assert served == {}
