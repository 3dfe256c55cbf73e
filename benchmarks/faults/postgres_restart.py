"""Fault drill: PostgreSQL is restarted under read load; the app must not need a restart.

Starts a private PostgreSQL 15 cluster (initdb in a temporary folder, free port; run as the
`postgres` user when this runs as root) and the real app on it (`salesbot migrate`, `demo`,
`serve` on a free loopback port, no Redis), drives authenticated GETs (conversation list,
message page) from concurrent clients, stops PostgreSQL (`pg_ctl -m fast`), waits, and starts it
again on the same port.

Goal: during the outage every request gets 503 with Retry-After (never 500, never a hang);
afterwards 200 again, with no restart of the app. Prints the status histogram per phase and the
recovery time.

Run: PYTHONPATH=. .venv/bin/python benchmarks/faults/postgres_restart.py [--phase-s 6]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.faults._load import (
    Recorder,
    between,
    first,
    histogram,
    phase_report,
    poll_ready,
    read_load,
    sign_in,
)
from tests.live_server import live_server
from tests.support.private_services import PrivatePostgres, private_postgres


async def drill(base: str, postgres: PrivatePostgres, phase_s: float, clients: int) -> int:
    headers, conversation = await sign_in(base)
    recorder, stop = Recorder(), asyncio.Event()
    load = asyncio.gather(
        read_load(base, headers, conversation, recorder, stop, workers=clients),
        poll_ready(base, recorder, stop),
    )
    await asyncio.sleep(phase_s)
    stopping = recorder.mark("pg_ctl stop -m fast")
    await asyncio.to_thread(postgres.stop, "fast")
    recorder.mark("postgres stopped")
    await asyncio.sleep(phase_s)
    starting = recorder.mark("pg_ctl start")
    await asyncio.to_thread(postgres.start)
    started = recorder.mark("postgres accepting connections")
    await asyncio.sleep(phase_s)
    end = recorder.mark("end")
    stop.set()
    await load

    outage = between(recorder.requests, stopping, started)
    after = between(recorder.requests, started, end)
    bad = [s for s in outage if s.status not in (200, 503)]
    no_retry_after = [s for s in outage if s.status == 503 and not s.retry_after]
    failed_after = [s for s in after if s.status != 200]
    print(f"\nrequests sent: {len(recorder.requests)}")
    phase_report(
        recorder,
        [
            ("before", 0.0, stopping),
            ("outage", stopping, starting),
            ("restart", starting, started),
            ("after", started, end),
        ],
    )
    print(f"outage statuses (stop sent .. server back): {{{histogram(outage)}}}")
    retry_values = sorted({s.retry_after for s in outage if s.retry_after})
    print(f"503 without Retry-After: {len(no_retry_after)}; Retry-After values: {retry_values}")
    print(f"not 200/503 during the outage (500s, hangs, resets): {len(bad)}   (goal 0)")
    print(f"not 200 after the server was back: {len(failed_after)}   (goal 0)")
    ok_request = first(recorder.requests, started, 200)
    ok_ready = first(recorder.ready, started, 200)
    for name, at in (("request", ok_request), ("/health/ready", ok_ready)):
        print(
            f"first 200 {name}: "
            + (
                f"{at - started:.2f}s after PostgreSQL accepted connections, "
                f"{at - stopping:.2f}s after the stop began"
                if at is not None
                else "never"
            )
        )
    ok = not bad and not no_retry_after and not failed_after and ok_request is not None
    ok = ok and any(s.status == 503 for s in outage)
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase-s", type=float, default=6.0, help="seconds before/during/after")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    args = parser.parse_args()
    with private_postgres() as postgres, tempfile.TemporaryDirectory() as tmp:
        print(
            f"private PostgreSQL on port {postgres.port}; starting the app (migrate, demo, serve)"
        )
        overrides = {
            "SALESBOT_DATABASE_URL": postgres.url,
            "SALESBOT_RATE_LIMIT_API": "100000/minute",
        }
        with live_server(Path(tmp), **overrides) as base:
            return asyncio.run(drill(base, postgres, args.phase_s, args.clients))


if __name__ == "__main__":
    sys.exit(main())
