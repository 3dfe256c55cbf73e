"""Facts of the host the app runs on, read once at start-up: the memory it may use, the install's
own secret key file, whether a bind address is loopback, crontab lines as triggers. No app
imports: `settings` builds on these (and re-exports them)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import secrets
import socket
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

# The public default of earlier versions: never used to sign anything any more (development
# replaces it with the install's own key, production refuses to start with it).
DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105
# Where development keeps the random key it made for this install (under SALESBOT_DATA_DIR).
SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)


class ConfigError(Exception):
    """The configuration cannot be used; `problems` lists each item to fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid configuration: " + "; ".join(problems))


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NUMBER = re.compile(r"(?<![/\d])[0-7](?!\d)")


# The memory the process may use: its cgroup's limit (v2, then v1), else the machine's.
CGROUP_MEMORY_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
MEMINFO = "/proc/meminfo"
_GIB = 1 << 30


def memory_limit(
    cgroup_files: tuple[str, ...] = CGROUP_MEMORY_LIMITS, meminfo: str = MEMINFO
) -> int | None:
    """Bytes of memory this process may use (cgroup limit, else MemTotal); None when unknown."""
    for name in cgroup_files:
        with contextlib.suppress(OSError, ValueError):
            value = Path(name).read_text().strip()
            # "max" (v2) or a near-2^63 number (v1) means no limit: the machine's memory counts.
            if value != "max" and int(value) < 1 << 60:
                return int(value)
    with contextlib.suppress(OSError, ValueError):
        for line in Path(meminfo).read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return None


def mockup_concurrency_for(memory: int | None, cpus: int) -> int:
    """Compositions at once: 1 below 1 GiB, then one per 384 MiB beyond 256 MiB (a mockup adds
    up to ~300 MB to a running process), never more than the CPUs (it is CPU-bound) or 4."""
    if memory is None:
        return min(2, max(1, cpus))
    if memory < _GIB:
        return 1
    return max(1, min((memory - (256 << 20)) // (384 << 20), cpus, 4))


def default_mockup_concurrency() -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return mockup_concurrency_for(memory_limit(CGROUP_MEMORY_LIMITS, MEMINFO), cpus or 1)


def crontab_trigger(expression: str) -> BaseTrigger:
    """A crontab line (minute hour day month weekday) as an APScheduler trigger, in UTC.

    APScheduler 3 counts weekdays from Monday = 0; crontab from Sunday = 0 (and 7). Numbers in
    the weekday field are turned into names so `0 2 * * 0` means Sunday, as in crontab.
    """
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) != 5:
        raise ValueError("a crontab line has five fields")
    fields[4] = _WEEKDAY_NUMBER.sub(lambda m: _WEEKDAYS[int(m.group())], fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=UTC)


def install_secret_key(data_dir: Path) -> str:
    """This install's signing key: read from data_dir, or made once (random, mode 0600).

    Concurrent first starts (several server processes, a worker) agree on one key: each writes
    a private temp file and links it into place, and whoever loses the race reads the winner's.
    """
    path = data_dir / SECRET_KEY_FILE
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    temp = data_dir / f".{SECRET_KEY_FILE}.{secrets.token_hex(8)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # readable by others (copied around?): make it private again
    secret = path.read_text(encoding="utf-8").strip()
    if len(secret) < 32:
        raise ConfigError([f"{path} holds no usable secret key: delete it to make a new one"])
    return secret


_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # any other name may resolve to a public interface


def bound_host(fd: int) -> str:
    """The address an inherited, already-bound socket listens on."""
    with socket.socket(fileno=os.dup(fd)) as sock:
        address = sock.getsockname()
    return str(address[0]) if isinstance(address, tuple) else "localhost"  # AF_UNIX: local
