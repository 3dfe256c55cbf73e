"""Fixtures for the mockups API tests: a crew with coordinators, the catalogue, job settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.api.locations.support import seed_catalogue
from tests.api.mockups.support import Crew, make_crew
from tests.conftest import Stack, make_settings
from tests.support.fake_images import FakeImageService, fake_image_service


@pytest.fixture
def image_service() -> Iterator[FakeImageService]:
    """A fake AI image service on a loopback port (tests/support/fake_images.py)."""
    with fake_image_service() as fake:
        yield fake


@pytest.fixture
async def crew(app: FastAPI) -> Crew:
    return await make_crew(app)


@pytest.fixture
async def catalogue(client: httpx.AsyncClient, crew: Crew) -> Crew:
    """The crew, with the example catalogue created through the API by the admin."""
    await seed_catalogue(client, crew.admin)
    return crew


AppFactory = Callable[..., Any]


@pytest.fixture
def app_with(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    """Start another app with setting overrides: `async with app_with(x=1) as (app, client)`."""

    @asynccontextmanager
    async def start(**overrides: object) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        from salesbot.app import create_app

        settings = make_settings(stack, tmp_path / "other", **overrides)
        application = create_app(settings)
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield application, c

    return start
