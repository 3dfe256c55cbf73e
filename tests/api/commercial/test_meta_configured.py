"""`GET /api/meta` serves the configured terms, written as people write them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from salesbot.settings import Settings
from tests.api.locations.support import Team
from tests.conftest import Stack, make_settings


@pytest.fixture
def settings(stack: Stack, tmp_path: Path) -> Settings:
    return make_settings(
        stack,
        tmp_path / "data",
        vat_pct=Decimal("7.50"),
        dm_fee=Decimal("600.00"),
        default_upload_fee=Decimal("2500"),
        proposal_validity_days=14,
        max_upload_mb=3,
    )


async def test_configured_terms_are_served(client: httpx.AsyncClient, team: Team) -> None:
    body = (await client.get("/api/meta", headers=team.sales.headers)).json()
    assert body["vat_pct"] == "7.5"
    assert (body["dm_fee"], body["default_upload_fee"]) == ("600", "2500")
    assert body["proposal_validity_days"] == 14
    assert body["limits"]["max_upload_bytes"] == 3 * 1024 * 1024
