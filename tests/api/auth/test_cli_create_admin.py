"""`salesbot users create-admin`: creates a usable admin, is idempotent, refuses bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from salesbot.app import create_app
from tests.conftest import Stack, make_settings
from tests.support.auth import login


def _cli(stack: Stack, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "test",
        "SALESBOT_DATA_DIR": str(data_dir),
        "SALESBOT_DATABASE_URL": stack.database_url,
        "SALESBOT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
    }
    return subprocess.run(
        [sys.executable, "-m", "salesbot.cli", "users", "create-admin", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


async def test_create_admin_then_sign_in(stack: Stack, tmp_path: Path) -> None:
    args = ["--email", "Root@Example.com", "--password", "correct-horse-battery"]
    first = _cli(stack, tmp_path, *args)
    assert first.returncode == 0, first.stderr
    again = _cli(stack, tmp_path, *args)  # idempotent
    assert again.returncode == 0, again.stderr

    app = create_app(make_settings(stack, tmp_path / "data"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            signed_in = await login(c, "root@example.com", "correct-horse-battery")
            assert signed_in.status_code == 200, signed_in.text
            token = signed_in.json()["access_token"]
            users = await c.get("/api/users", headers={"Authorization": f"Bearer {token}"})
    assert users.status_code == 200
    admins = [u for u in users.json() if u["email"] == "root@example.com"]
    assert len(admins) == 1
    assert any(r["role"] == "admin" for r in admins[0]["roles"])


def test_create_admin_refuses_bad_input_clearly(stack: Stack, tmp_path: Path) -> None:
    short = _cli(stack, tmp_path, "--email", "a@example.com", "--password", "short")
    assert short.returncode != 0
    assert "at least 10 characters" in short.stderr
    assert "Traceback" not in short.stderr
    bad_email = _cli(stack, tmp_path, "--email", "not-an-email", "--password", "long-enough-pw")
    assert bad_email.returncode != 0
    assert "valid e-mail" in bad_email.stderr
    assert "Traceback" not in bad_email.stderr
