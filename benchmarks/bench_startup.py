"""Start-up: importing the app and the time until the login page is served, against bare FastAPI.

Run: `.venv/bin/python benchmarks/bench_startup.py [--repeat N]`.
Both figures are measured in fresh processes, in the same run, for the product and for a
baseline (a one-route FastAPI app served the same way), so a loaded machine shows in both:
- import: `python -c "import salesbot.app"` vs `python -c "import fastapi"` (wall time);
- first page: `salesbot serve` on an already-bound socket (migrated, demo data loaded) until
  `GET /login` answers 200, vs uvicorn serving the bare app until `GET /` answers 200.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

TARGET_IMPORT_S = 2.0
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


def _import_s(module: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.perf_counter() - start


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
        env.pop("SALESBOT_DATABASE_URL", None)
        env.pop("SALESBOT_REDIS_URL", None)
        cli = [sys.executable, "-m", "salesbot.cli"]
        for verb in ("migrate", "demo"):
            subprocess.run([*cli, verb], env=env, check=True, capture_output=True)
        bare_serve = [sys.executable, "-m", "uvicorn", "bare_app:app", "--log-level", "warning"]
        figures: dict[str, list[float]] = {k: [] for k in ("fa", "app", "fa_page", "app_page")}
        for _ in range(args.repeat):
            figures["fa"].append(_import_s("fastapi"))
            figures["app"].append(_import_s("salesbot.app"))
            figures["fa_page"].append(_first_page_s(bare_serve, "/", env, work))
            figures["app_page"].append(_first_page_s([*cli, "serve"], "/login", env, work))
    med = {k: statistics.median(v) for k, v in figures.items()}
    load = os.getloadavg()[0]
    print(f"start-up, median of {args.repeat} (1-minute load average {load:.1f})")
    print(f"  import fastapi (baseline)          {med['fa']:6.2f} s")
    print(
        f"  import salesbot.app                {med['app']:6.2f} s"
        f"  ({med['app'] / med['fa']:.1f}x baseline; target < {TARGET_IMPORT_S:.0f} s unloaded)"
    )
    print(f"  bare FastAPI app: first page       {med['fa_page']:6.2f} s")
    print(
        f"  salesbot serve: first /login page  {med['app_page']:6.2f} s"
        f"  ({med['app_page'] / med['fa_page']:.1f}x baseline)"
    )


if __name__ == "__main__":
    main()
