"""The revocation check with Redis gone: the database answers, so a revocation made during the
outage still ends the session (a private redis-server, killed by the test)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from salesbot.auth.revocation import KEY_PREFIX, SessionRevocations
from salesbot.kit.redis import RedisFacade
from tests.api.auth.conftest import Seeded
from tests.conftest import Stack
from tests.support.auth import login
from tests.unit.kit.test_redis_facade import _start_redis, redis_process, redis_socket

__all__ = ["redis_process", "redis_socket"]  # fixtures used below


async def test_revocation_during_a_redis_outage_is_read_from_the_database(
    stack: Stack,
    app: FastAPI,
    client: httpx.AsyncClient,
    seeded: Seeded,
    redis_process: tuple[Path, list[subprocess.Popen[bytes]]],
) -> None:
    if stack.name != "sqlite":
        pytest.skip("one database is enough: the outage is Redis's")
    path, procs = redis_process
    procs.append(_start_redis(path))
    facade = RedisFacade(f"unix://{path}", retry_interval=3600)
    app.state.revocations = SessionRevocations(facade, cache_s=0, revoked_ttl_s=960)
    try:
        tokens = (await login(client, "sales@example.com")).json()
        client.cookies.clear()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert (await client.get("/api/auth/me", headers=auth)).status_code == 200
        assert facade.client is not None
        assert await facade.client.keys(f"{KEY_PREFIX}*")  # the answer is shared through Redis
        procs[0].kill()
        procs[0].wait()
        assert (await client.get("/api/auth/me", headers=auth)).status_code == 200
        out = await client.post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]})
        assert out.status_code == 204
        assert not facade.available  # Redis is known to be down: the database answered
        assert (await client.get("/api/auth/me", headers=auth)).status_code == 401
    finally:
        await facade.close()
