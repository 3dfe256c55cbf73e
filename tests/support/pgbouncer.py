"""A private PgBouncer in transaction mode on a free loopback port, in front of PostgreSQL."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

PGBOUNCER_PATHS = ("pgbouncer", "/usr/sbin/pgbouncer")


def pgbouncer_binary() -> str | None:
    for candidate in PGBOUNCER_PATHS:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def pgbouncer(postgres_url: str, *, server_connections: int = 2) -> Iterator[str]:
    """Run PgBouncer (pool_mode=transaction) for `postgres_url`; yields the URL through it.

    Few server connections for many client connections, as behind Supavisor: consecutive
    transactions of one client land on different server connections, and different clients
    share one, which is what breaks cached or same-named prepared statements.
    """
    binary = pgbouncer_binary()
    if binary is None:
        raise RuntimeError("pgbouncer is not installed (make pgbouncer)")
    target = urlsplit(postgres_url)
    user = target.username or "postgres"
    with tempfile.TemporaryDirectory(prefix="salesbot-pgbouncer-") as tmp:
        work = Path(tmp)
        port = _free_port()
        (work / "users.txt").write_text(f'"{user}" ""\n')
        (work / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={target.hostname or '127.0.0.1'} port={target.port or 5432}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {port}\n"
            "unix_socket_dir =\n"
            "auth_type = trust\n"
            f"auth_file = {work / 'users.txt'}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {server_connections}\n"
            "max_client_conn = 200\n"
            "ignore_startup_parameters = extra_float_digits\n"
            f"logfile = {work / 'pgbouncer.log'}\n"
        )
        command = [binary, str(work / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            shutil.chown(work, "postgres")
            for path in work.iterdir():
                shutil.chown(path, "postgres")
            command[1:1] = ["-u", "postgres"]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), 1).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                        raise RuntimeError(f"pgbouncer did not start: {output[-2000:]}") from None
                    time.sleep(0.1)
            yield target._replace(netloc=f"{user}@127.0.0.1:{port}").geturl()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
