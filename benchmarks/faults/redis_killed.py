"""Fault drill: Redis is SIGKILLed under read load, then restarted.

Starts a private redis-server (temporary folder, free port) and the real app (`salesbot migrate`,
`demo`, `serve` on a free loopback port, embedded SQLite, SALESBOT_REDIS_URL at the private
Redis), drives authenticated GETs (conversation list, message page) from concurrent clients,
kills Redis mid-run and starts it again on the same port.

Goal: 0 failed requests (Redis is an accelerator: rate limits and caches fall back to memory);
/health/ready 200 before, 503 while Redis is down, 200 again after it returns.

Run: PYTHONPATH=. .venv/bin/python benchmarks/faults/redis_killed.py [--phase-s 8] [--clients 4]
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
    first,
    phase_report,
    poll_ready,
    read_load,
    sign_in,
)
from tests.live_server import live_server
from tests.support.private_services import PrivateRedis, private_redis


async def drill(base: str, redis: PrivateRedis, phase_s: float, clients: int) -> int:
    headers, conversation = await sign_in(base)
    recorder, stop = Recorder(), asyncio.Event()
    load = asyncio.gather(
        read_load(base, headers, conversation, recorder, stop, workers=clients),
        poll_ready(base, recorder, stop),
    )
    await asyncio.sleep(phase_s)
    killed = recorder.mark("redis SIGKILL")
    redis.kill()
    await asyncio.sleep(phase_s)
    restarted = recorder.mark("redis restart")
    await asyncio.to_thread(redis.start)
    recorder.mark("redis accepting connections")
    await asyncio.sleep(phase_s)
    end = recorder.mark("end")
    stop.set()
    await load

    sent = len(recorder.requests)
    failed = [s for s in recorder.requests if s.status != 200]
    print(f"\nrequests sent: {sent}   failed (not 200): {len(failed)}   (goal 0)")
    phase_report(
        recorder,
        [("before", 0.0, killed), ("outage", killed, restarted), ("after", restarted, end)],
    )
    down = first(recorder.ready, killed, 503)
    up = first(recorder.ready, restarted, 200)
    print(
        "/health/ready: first 503 "
        + (f"{down - killed:.2f}s after the kill" if down is not None else "never")
        + ", first 200 again "
        + (f"{up - restarted:.2f}s after the restart" if up is not None else "never")
    )
    ok = not failed and down is not None and up is not None
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase-s", type=float, default=8.0, help="seconds before/during/after")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    args = parser.parse_args()
    with private_redis() as redis, tempfile.TemporaryDirectory() as tmp:
        print(f"private Redis on port {redis.port}; starting the app (migrate, demo, serve)...")
        overrides = {"SALESBOT_REDIS_URL": redis.url, "SALESBOT_RATE_LIMIT_API": "100000/minute"}
        with live_server(Path(tmp), **overrides) as base:
            return asyncio.run(drill(base, redis, args.phase_s, args.clients))


if __name__ == "__main__":
    sys.exit(main())
