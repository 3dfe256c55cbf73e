"""Fixtures for the proposals API tests: the team and the spec's example locations."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.api.locations.support import Team, make_team, seed_catalogue


@pytest.fixture
async def team(app: FastAPI) -> Team:
    return await make_team(app)


@pytest.fixture
async def catalogue(client: httpx.AsyncClient, team: Team) -> Team:
    """The team, with the example catalogue created through the API by the admin."""
    await seed_catalogue(client, team.admin)
    return team
