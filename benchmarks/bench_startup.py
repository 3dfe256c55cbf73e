"""Start-up and idle: import time, time to the first page, first vs warm request, idle memory.

Run: `.venv/bin/python benchmarks/bench_startup.py [--repeat N]`.
Every figure is measured in fresh processes, in the same run, for the product and for a
baseline (a one-route FastAPI app served the same way), so a loaded machine shows in both:
- import: `python -c "import salesbot.app"` vs `python -c "import fastapi"` (wall and CPU time),
  with the bytecode written once beforehand into a private cache (`PYTHONPYCACHEPREFIX`), as a
  deployed app has it after its first start (with `PYTHONDONTWRITEBYTECODE` every start would
  compile the app's sources again: that figure is printed too);
- first page: `salesbot serve` on an already-bound socket (migrated, demo data loaded) until
  `GET /login` answers 200, vs uvicorn serving the bare app until `GET /` answers 200;
- first vs warm request (issue #19: within 2x): `salesbot serve` binds its own port, so a
  connection is accepted only once start-up is done; then the first authenticated GET of a
  50-message page and of `/login` are timed, against the median of 20 more of each (every
  request on a new connection, so first and warm pay the same TCP set-up);
- idle RSS (target <= 150 MB with no provider configured): the server process after those
  requests and a pause, vs the bare uvicorn app after a few requests.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_message_page as seeding

from tests.support.private_services import free_port  # on the path through bench_message_page

TARGET_IMPORT_S = 2.0
TARGET_IDLE_MB = 150
BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    async def page() -> str:
        return "<html><body>Sign in</body></html>"
    """
)


def _import_s(module: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of a fresh interpreter importing `module`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def _first_page_s(command: list[str], path: str, env: dict[str, str], cwd: Path) -> float:
    """Seconds from starting `command` (serving on an inherited socket) to a 200 on `path`."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}{path}"
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*command, "--fd", str(sock.fileno())],
            env=env,
            cwd=cwd,
            pass_fds=[sock.fileno()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        while True:
            try:
                if httpx.get(url, timeout=30).status_code == 200:
                    return time.perf_counter() - start
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError(f"{command} exited with {proc.returncode}")
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _accepting(port: int, proc: subprocess.Popen[bytes]) -> None:
    """Wait until the server accepts a connection (without sending a request)."""
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)


def _timed_ms(port: int, path: str, headers: dict[str, str]) -> float:
    """One plain HTTP/1.1 request on a new connection (first and warm alike pay the TCP set-up;
    no client library overhead in the figure)."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    elapsed = (time.perf_counter() - start) * 1000
    status = b"".join(chunks).split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        raise RuntimeError(f"{path}: {status!r}")
    return elapsed


def _first_vs_warm(
    command: list[str], env: dict[str, str], cwd: Path, paths: dict[str, str], token: str
) -> dict[str, float]:
    """First and median-of-20 warm latency (ms) of each path, then the idle RSS (MB)."""
    port = free_port()
    proc = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    figures: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        _accepting(port, proc)
        for label, path in paths.items():
            figures[f"{label}_first"] = _timed_ms(port, path, headers)
        for label, path in paths.items():
            warm = [_timed_ms(port, path, headers) for _ in range(20)]
            figures[f"{label}_warm"] = statistics.median(warm)
        time.sleep(3)
        figures["rss"] = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return figures


def _token(database_url: str) -> tuple[str, str]:
    """A seeded salesperson's access token (signed with the run's key) and their chat's path."""
    import asyncio
    from datetime import UTC, datetime

    from sqlalchemy import select

    from salesbot.auth.tokens import create_access_token
    from salesbot.kit.db import Database, make_engine
    from salesbot.users.models import User

    chat = asyncio.run(seeding._seed(database_url))

    async def user_id() -> object:
        db = Database(make_engine(database_url))
        try:
            async with db.sessions() as session:
                stmt = select(User.id).where(User.email == seeding.EMAIL)
                return (await session.execute(stmt)).scalar_one()
        finally:
            await db.dispose()

    token, _ = create_access_token(
        asyncio.run(user_id()),  # type: ignore[arg-type]
        secret=seeding.SECRET,
        now=datetime.now(UTC),
        minutes=60,
    )
    return token, f"/api/conversations/{chat}/messages?limit=50"


def _report_first_vs_warm(rounds: list[dict[str, float]], bare: list[dict[str, float]]) -> None:
    med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    bare_med = {k: statistics.median(r[k] for r in bare) for k in bare[0]}
    for label in ("messages", "login"):
        first, warm = med[f"{label}_first"], med[f"{label}_warm"]
        print(
            f"  first {label:<8} request after start {first:7.1f} ms, warm {warm:6.1f} ms"
            f"  ({first / warm:.1f}x; target <= 2x)"
        )
    print(
        f"  bare FastAPI: first request {bare_med['page_first']:6.1f} ms, warm"
        f" {bare_med['page_warm']:5.1f} ms ({bare_med['page_first'] / bare_med['page_warm']:.1f}x)"
    )
    print(
        f"  idle RSS: salesbot serve {med['rss']:6.0f} MB,"
        f" bare uvicorn app {bare_med['rss']:4.0f} MB"
        f"  ({med['rss'] / bare_med['rss']:.1f}x; target <= {TARGET_IDLE_MB} MB, no provider set)"
    )


def _imports(work: Path, env: dict[str, str], repeat: int) -> dict[str, float]:
    """Median wall/CPU seconds of the imports: bytecode cached (written once first), and the
    app's import compiling its sources (no bytecode cache, as with PYTHONDONTWRITEBYTECODE)."""
    cached = {**env, "PYTHONPYCACHEPREFIX": str(work / "pycache")}
    cached.pop("PYTHONDONTWRITEBYTECODE", None)
    uncached = {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(work / "none")}
    for module in ("fastapi", "salesbot.app"):
        _import_s(module, cached)  # writes the bytecode
    runs: dict[str, list[tuple[float, float]]] = {"fa": [], "app": [], "app_source": []}
    for _ in range(repeat):
        runs["fa"].append(_import_s("fastapi", cached))
        runs["app"].append(_import_s("salesbot.app", cached))
        runs["app_source"].append(_import_s("salesbot.app", uncached))
    med: dict[str, float] = {}
    for key, pairs in runs.items():
        med[key] = statistics.median(p[0] for p in pairs)
        med[f"{key}_cpu"] = statistics.median(p[1] for p in pairs)
    return med


def _report_imports(med: dict[str, float]) -> None:
    print(
        f"  import fastapi (baseline)          {med['fa']:6.2f} s wall, {med['fa_cpu']:5.2f} s CPU"
    )
    print(
        f"  import salesbot.app                {med['app']:6.2f} s wall,"
        f" {med['app_cpu']:5.2f} s CPU"
        f"  ({med['app'] / med['fa']:.1f}x baseline; target < {TARGET_IMPORT_S:.0f} s unloaded)"
    )
    print(
        f"  import salesbot.app, no bytecode   {med['app_source']:6.2f} s wall,"
        f" {med['app_source_cpu']:5.2f} s CPU  (compiling the sources every start)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        work = Path(tmp)
        (work / "bare_app.py").write_text(BARE_APP)
        env = {
            **os.environ,
            "SALESBOT_ENVIRONMENT": "development",
            "SALESBOT_DATA_DIR": str(work / "var"),
            "SALESBOT_LOG_LEVEL": "WARNING",
        }
        for name in ("SALESBOT_DATABASE_URL", "SALESBOT_REDIS_URL", "SALESBOT_LLM_MODEL"):
            env.pop(name, None)
        imports = _imports(work, env, args.repeat)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")  # the servers start as deployed
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        cli = [sys.executable, "-m", "salesbot.cli"]
        for verb in ("migrate", "demo"):
            subprocess.run([*cli, verb], env=env, check=True, capture_output=True)
        bare_serve = [sys.executable, "-m", "uvicorn", "bare_app:app", "--log-level", "warning"]
        figures: dict[str, list[float]] = {k: [] for k in ("fa_page", "app_page")}
        env["SALESBOT_SECRET_KEY"] = seeding.SECRET
        token, messages = _token(f"sqlite+aiosqlite:///{work / 'var' / 'salesbot.db'}")
        paths = {"messages": messages, "login": "/login"}
        rounds: list[dict[str, float]] = []
        bare: list[dict[str, float]] = []
        for _ in range(args.repeat):
            figures["fa_page"].append(_first_page_s(bare_serve, "/", env, work))
            figures["app_page"].append(_first_page_s([*cli, "serve"], "/login", env, work))
            rounds.append(_first_vs_warm([*cli, "serve"], env, work, paths, token))
            bare.append(_first_vs_warm(bare_serve, env, work, {"page": "/"}, ""))
    med = {k: statistics.median(v) for k, v in figures.items()}
    load = os.getloadavg()[0]
    print(f"start-up, median of {args.repeat} (1-minute load average {load:.1f})")
    _report_imports(imports)
    print(f"  bare FastAPI app: first page       {med['fa_page']:6.2f} s")
    print(
        f"  salesbot serve: first /login page  {med['app_page']:6.2f} s"
        f"  ({med['app_page'] / med['fa_page']:.1f}x baseline)"
    )
    _report_first_vs_warm(rounds, bare)


if __name__ == "__main__":
    main()
