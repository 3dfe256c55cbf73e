"""CORS: an explicit allow-list per environment, never `*` with credentials."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from salesbot.app import create_app
from salesbot.settings import Settings
from tests.conftest import Stack, make_settings


async def _client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@pytest.fixture
async def cors_client(stack: Stack, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(stack, tmp_path, cors_origins="https://app.example.com")
    async for c in _client(settings):
        yield c


async def test_allowed_origin_gets_credentials_headers(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.options(
        "/health",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "GET",
        },
    )
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"
    assert response.headers["access-control-allow-credentials"] == "true"


async def test_other_origin_is_not_allowed(cors_client: httpx.AsyncClient) -> None:
    response = await cors_client.get("/health", headers={"Origin": "https://evil.example.net"})
    assert "access-control-allow-origin" not in response.headers


async def test_no_cors_headers_without_configuration(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"Origin": "https://app.example.com"})
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_wildcard_origin_is_refused_everywhere(environment: str) -> None:
    with pytest.raises(ValueError, match="list origins"):
        Settings(_env_file=None, environment=environment, cors_origins="*")
