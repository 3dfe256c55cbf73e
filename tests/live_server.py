"""Start the real product (`salesbot migrate`, `demo`, `serve`) on a loopback port of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


@contextmanager
def live_server(data_dir: Path, **env_overrides: str) -> Iterator[str]:
    """Migrate, load the demo data and serve."""
    with _serve(data_dir, env_overrides, prepare=True) as url:
        yield url


@contextmanager
def live_server_as_is(data_dir: Path, **env_overrides: str) -> Iterator[str]:
    """Serve the database named in the overrides as it is (no migration, no demo data)."""
    with _serve(data_dir, env_overrides, prepare=False) as url:
        yield url


@contextmanager
def _serve(data_dir: Path, env_overrides: dict[str, str], *, prepare: bool) -> Iterator[str]:
    env = {
        **os.environ,
        "SALESBOT_ENVIRONMENT": "development",
        "SALESBOT_DATA_DIR": str(data_dir),
        "SALESBOT_LOG_LEVEL": "WARNING",
    }
    env.pop("SALESBOT_DATABASE_URL", None)  # the embedded SQLite unless an override names one
    env.update(env_overrides)
    cli = [sys.executable, "-m", "salesbot.cli"]
    if prepare:
        subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    # The socket is bound and listening here, then inherited by the server: no other process
    # can take the port between choosing it and serving on it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        port = int(sock.getsockname()[1])
        log = (data_dir / "server.log").open("w")
        proc = subprocess.Popen(
            [*cli, "serve", "--fd", str(sock.fileno())],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=[sock.fileno()],
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # Only a ceiling against a hang: on a loaded machine (CI at load 10-20) the start alone
        # takes longer than 30 s. The loop ends as soon as /health answers or the process exits.
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the server did not start: " + (data_dir / "server.log").read_text()[-2000:]
                )
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
