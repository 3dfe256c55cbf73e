"""People, the catalogue, a controllable clock and booking-order helpers for inventory tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from salesbot.inventory import service as inventory
from tests.api.booking_orders.conftest import (
    WORKED_ROWS,
    Person,
    World,
    act,
    csv_bytes,
    make_world,
    new_bo,
)
from tests.api.locations.support import Person as CataloguePerson
from tests.api.locations.support import seed_catalogue

DUBAI = ZoneInfo("Asia/Dubai")


class Clock:
    """The inventory service's clock: starts at the real time, moves only when told."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    @property
    def today(self) -> date:
        return self.now.astimezone(DUBAI).date()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    found = Clock()
    monkeypatch.setattr(inventory, "now_utc", found)
    return found


@pytest.fixture
async def world(app: FastAPI, client: httpx.AsyncClient) -> World:
    """Viola and Backlite with one person per role, and the spec's example catalogue."""
    made = await make_world(app)
    await seed_catalogue(client, CataloguePerson(made.admin.id, made.admin.headers))
    return made


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Period:
    start: date
    end: date


def proposal(client_name: str, location: str, period: Period, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "location": location,
        "start_date": period.start.isoformat(),
        "end_date": period.end.isoformat(),
        "durations": ["2 weeks"],
        "net_rates": ["100000"],
        **extra,
    }
    if location == "uae21":
        item.setdefault("production_fee", "5000")
    return {"kind": "separate", "client_name": client_name, "proposals": [item]}


async def make_proposal(
    client: httpx.AsyncClient, person: Person, body: dict[str, Any]
) -> dict[str, Any]:
    made = await client.post("/api/proposals", json=body, headers=person.headers)
    assert made.status_code == 201, made.text
    data: dict[str, Any] = made.json()
    return data


async def hold(client: httpx.AsyncClient, person: Person, proposal_id: str) -> httpx.Response:
    return await client.post(f"/api/proposals/{proposal_id}/holds", headers=person.headers)


async def availability(
    client: httpx.AsyncClient, person: Person, key: str, period: Period
) -> dict[str, Any]:
    response = await client.get(
        f"/api/locations/{key}/availability",
        params={"from": period.start.isoformat(), "to": period.end.isoformat()},
        headers=person.headers,
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def bo_document(client_name: str, lines: Sequence[tuple[str, Period]]) -> bytes:
    """The worked example for `client_name`, its location lines replaced by `lines` (and no
    printed totals: they would differ from the new lines', which a coordinator would have to
    acknowledge first)."""
    rows: list[list[object]] = []
    for row in WORKED_ROWS:
        if row and row[0] == "Client:":
            rows.append(["Client:", client_name])
        elif row and str(row[0]).startswith(("UAE", "Net amount", "VAT", "Gross")):
            continue
        else:
            rows.append(list(row))
        if row and row[0] == "Location":
            rows += [[name, p.start.isoformat(), p.end.isoformat(), "100,000"] for name, p in lines]
    return csv_bytes(rows)


async def bo_in_hos_review(
    client: httpx.AsyncClient, world: World, client_name: str, lines: Sequence[tuple[str, Period]]
) -> dict[str, Any]:
    bo = await new_bo(client, world.sales, data=bo_document(client_name, lines))
    assert (await act(client, world.sales, bo["id"], "submit")).status_code == 200
    reviewed = await act(client, world.coord, bo["id"], "approve")
    assert reviewed.status_code == 200, reviewed.text
    data: dict[str, Any] = reviewed.json()
    assert data["state"] == "hos_review"
    return data
