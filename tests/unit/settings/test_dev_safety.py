"""Development mode is safe on a laptop: its own random secret key, and loopback only."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from salesbot.settings import (
    DEV_SECRET_KEY,
    SECRET_KEY_FILE,
    ConfigError,
    Settings,
    refuse_insecure_bind,
)


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_development_makes_a_private_random_key_once_per_install(tmp_path: Path) -> None:
    first = _settings(data_dir=tmp_path / "one").secret_key.get_secret_value()
    key_file = tmp_path / "one" / SECRET_KEY_FILE
    assert first != DEV_SECRET_KEY and len(first) >= 32
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # The same install keeps its key (sessions survive a restart); another install has its own.
    assert _settings(data_dir=tmp_path / "one").secret_key.get_secret_value() == first
    assert _settings(data_dir=tmp_path / "two").secret_key.get_secret_value() != first


def test_the_old_public_default_is_never_used(tmp_path: Path) -> None:
    settings = _settings(data_dir=tmp_path, secret_key=DEV_SECRET_KEY)
    assert (
        settings.secret_key.get_secret_value() == (tmp_path / SECRET_KEY_FILE).read_text().strip()
    )
    production = _settings(environment="production", data_dir=tmp_path, secret_key=DEV_SECRET_KEY)
    assert any("SALESBOT_SECRET_KEY" in p for p in production.startup_problems())


def test_a_configured_key_is_used_and_no_file_is_made(tmp_path: Path) -> None:
    settings = _settings(data_dir=tmp_path, secret_key="k" * 40)
    assert settings.secret_key.get_secret_value() == "k" * 40
    assert not (tmp_path / SECRET_KEY_FILE).exists()


def test_production_never_makes_a_key(tmp_path: Path) -> None:
    settings = _settings(environment="production", data_dir=tmp_path)
    assert settings.secret_key.get_secret_value() == ""
    assert not (tmp_path / SECRET_KEY_FILE).exists()
    assert any("SALESBOT_SECRET_KEY" in p for p in settings.startup_problems())


def test_a_key_file_readable_by_others_is_made_private_again(tmp_path: Path) -> None:
    key = _settings(data_dir=tmp_path).secret_key.get_secret_value()
    (tmp_path / SECRET_KEY_FILE).chmod(0o644)
    assert _settings(data_dir=tmp_path).secret_key.get_secret_value() == key
    assert stat.S_IMODE((tmp_path / SECRET_KEY_FILE).stat().st_mode) == 0o600


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "example.com"])
def test_development_refuses_to_serve_beyond_loopback(tmp_path: Path, host: str) -> None:
    settings = _settings(data_dir=tmp_path)
    with pytest.raises(ConfigError, match="SALESBOT_ALLOW_INSECURE_BIND"):
        refuse_insecure_bind(settings, host)
    refuse_insecure_bind(settings, host, allowed=True)  # the flag
    refuse_insecure_bind(_settings(data_dir=tmp_path, allow_insecure_bind=True), host)
    production = _settings(environment="production", data_dir=tmp_path, secret_key="p" * 40)
    refuse_insecure_bind(production, host)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_development_serves_on_loopback(tmp_path: Path, host: str) -> None:
    refuse_insecure_bind(_settings(data_dir=tmp_path), host)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SALESBOT_")}
    return {**env, "SALESBOT_ENVIRONMENT": "development", "SALESBOT_DATA_DIR": str(tmp_path)}


def test_serve_on_all_interfaces_exits_with_the_reason(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "salesbot.cli", "serve", "--host", "0.0.0.0", "--port", "9"],
        env=_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    assert "refusing to serve on 0.0.0.0" in result.stderr
    assert "--allow-insecure-bind" in result.stderr


def test_an_inherited_socket_is_checked_too_and_the_flag_lets_it_through(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        sock.listen(8)
        port = sock.getsockname()[1]
        cli = [sys.executable, "-m", "salesbot.cli", "serve", "--fd", str(sock.fileno())]
        refused = subprocess.run(
            cli,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            pass_fds=[sock.fileno()],
            check=False,
            timeout=120,
        )
        assert refused.returncode == 2, refused.stderr
        assert "refusing to serve on 0.0.0.0" in refused.stderr
        subprocess.run(
            [sys.executable, "-m", "salesbot.cli", "migrate"],
            env=_env(tmp_path),
            check=True,
            capture_output=True,
        )
        proc = subprocess.Popen(
            [*cli, "--allow-insecure-bind"],
            env=_env(tmp_path),
            pass_fds=[sock.fileno()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 120  # only a ceiling against a hang
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
