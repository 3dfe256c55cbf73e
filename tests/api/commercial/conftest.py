"""Fixtures for the commercial API tests: one account per role."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.api.locations.support import Team, make_team


@pytest.fixture
async def team(app: FastAPI) -> Team:
    return await make_team(app)
