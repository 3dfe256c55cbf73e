"""Availability from holds and bookings; holds placed, shown, renewed once, expiring on time,
and turned into bookings by an approved booking order."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from salesbot.inventory import holds as inventory_holds
from tests.api.booking_orders.conftest import World, act
from tests.api.inventory.conftest import (
    DUBAI,
    Clock,
    Period,
    availability,
    bo_in_hos_review,
    day_text,
    hold,
    make_proposal,
    proposal,
)

pytestmark = pytest.mark.jobs

HOLD_DAYS = 7  # the default SALESBOT_HOLD_DAYS


def two_months_on(clock: Clock, days: int = 30) -> Period:
    """A campaign starting two months after the clock's today."""
    start = clock.today + timedelta(days=60)
    return Period(start, start + timedelta(days=days))


def range_text(period: Period) -> str:
    s, e = period.start, period.end
    if (s.year, s.month) == (e.year, e.month):
        return f"{s.day}–{e.day} {e:%b %Y}"
    if s.year == e.year:
        return f"{s.day} {s:%b} – {day_text(e)}"
    return f"{day_text(s)} – {day_text(e)}"


def held_text(clock: Clock, client_name: str, period: Period, days: int = HOLD_DAYS) -> str:
    until = day_text((clock.now + timedelta(days=days)).astimezone(DUBAI).date())
    return f"UAE21 is held for {client_name} until {until} ({range_text(period)})"


async def test_a_free_static_site_then_held_and_shown_to_another_salesperson(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    period = two_months_on(clock)
    free = await availability(client, world.sales2, "uae21", period)
    assert free["status"] == "free"
    assert (free["capacity"], free["unit"], free["free_units"]) == (2, "face", 2)
    assert free["answer"] == f"UAE21 is free {range_text(period)} (all 2 faces)."
    assert free["commitments"] == []

    made = await make_proposal(client, world.sales, proposal("Pepsi", "uae21", period))
    held = await hold(client, world.sales, made["id"])
    assert held.status_code == 201, held.text
    [placed] = held.json()["holds"]
    expected = held_text(clock, "Pepsi", period)
    assert placed["text"] == expected
    assert (placed["units"], placed["renewable"], placed["counts"]) == (2, True, True)

    # Every salesperson sees it: in the availability and in the list of holds.
    seen = await availability(client, world.sales2, "uae21", period)
    assert seen["status"] == "held" and seen["free_units"] == 0
    assert [c["text"] for c in seen["commitments"]] == [expected]
    assert seen["days"][0] == {"date": period.start.isoformat(), "booked": 0, "held": 2, "free": 0}
    assert seen["answer"] == f"UAE21 is not free for all of {range_text(period)}: {expected}."
    listed = await client.get("/api/inventory/holds", headers=world.sales2.headers)
    assert [h["id"] for h in listed.json()["items"]] == [placed["id"]]

    # Proposing the same dates to another client warns; the proposal is still made.
    other = proposal("Nike", "uae21", period)
    preview = await client.post("/api/proposals/preview", json=other, headers=world.sales2.headers)
    assert preview.status_code == 200, preview.text
    warning = {"code": "inventory_conflict", "field": "dates", "location": "uae21"}
    assert {**warning, "message": expected} in preview.json()["warnings"]
    nike = await client.post("/api/proposals", json=other, headers=world.sales2.headers)
    assert nike.status_code == 201
    assert expected in [w["message"] for w in nike.json()["warnings"]]
    # The same client's proposal is not warned about its own hold; other dates are not either.
    own = proposal("Pepsi", "uae21", period)
    later = proposal("Nike", "uae21", Period(period.end + timedelta(1), period.end + timedelta(9)))
    for body in (own, later):
        answer = await client.post("/api/proposals/preview", json=body, headers=world.sales.headers)
        assert [w for w in answer.json()["warnings"] if w["code"] == "inventory_conflict"] == []
    # A proposal is held once.
    twice = await hold(client, world.sales, made["id"])
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_held"


async def test_a_digital_screen_is_held_by_share_of_voice(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    """The Landmark: 16 s spots in a 96 s loop = 6 spots; a 2-spot hold leaves 4."""
    period = two_months_on(clock, days=13)
    body = proposal("Pepsi", "landmark", period, spots=2)
    made = await make_proposal(client, world.sales, body)
    assert (await hold(client, world.sales, made["id"])).status_code == 201
    seen = await availability(client, world.sales2, "the_landmark", period)
    assert (seen["capacity"], seen["unit"]) == (6, "spot")
    assert (seen["status"], seen["free_units"]) == ("partly_free", 4)
    assert seen["answer"].startswith(
        f"The Landmark has 4 of 6 spots free on every day {range_text(period)}. Taken: "
    )
    # Four more spots fit beside it without a warning; five do not.
    fits = proposal("Nike", "landmark", period, spots=4)
    answer = await client.post("/api/proposals/preview", json=fits, headers=world.sales2.headers)
    assert [w["code"] for w in answer.json()["warnings"]] == []
    crowded = proposal("Nike", "landmark", period, spots=5)
    answer = await client.post("/api/proposals/preview", json=crowded, headers=world.sales2.headers)
    assert [w["code"] for w in answer.json()["warnings"]] == ["inventory_conflict"]


async def test_a_hold_expires_on_time_and_renews_once(
    app: FastAPI, client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    period = two_months_on(clock)
    made = await make_proposal(client, world.sales, proposal("Pepsi", "uae21", period))
    [placed] = (await hold(client, world.sales, made["id"])).json()["holds"]

    # Someone else may not renew or release it.
    url = f"/api/inventory/holds/{placed['id']}"
    assert (await client.post(f"{url}/renew", headers=world.sales2.headers)).status_code == 403
    assert (await client.delete(url, headers=world.sales2.headers)).status_code == 403

    clock.advance(timedelta(days=HOLD_DAYS) - timedelta(minutes=1))
    assert (await availability(client, world.sales, "uae21", period))["status"] == "held"
    renewed = await client.post(f"{url}/renew", headers=world.sales.headers)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["renewals"] == 1 and renewed.json()["renewable"] is False
    assert renewed.json()["text"] == held_text(clock, "Pepsi", period)
    again = await client.post(f"{url}/renew", headers=world.sales.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "renewed_once"

    clock.advance(timedelta(days=HOLD_DAYS) - timedelta(minutes=1))
    assert (await availability(client, world.sales, "uae21", period))["status"] == "held"
    clock.advance(timedelta(minutes=2))  # past the renewed expiry: it stops counting at once
    after = await availability(client, world.sales, "uae21", period)
    assert (after["status"], after["commitments"]) == ("free", [])
    listed = await client.get("/api/inventory/holds", headers=world.sales.headers)
    assert listed.json()["items"] == []
    ended = await client.post(f"{url}/renew", headers=world.sales.headers)
    assert ended.status_code == 409 and ended.json()["error"]["code"] == "hold_ended"

    # The scheduled clean-up writes it down (and only it).
    async with app.state.db.sessions() as session:
        assert await inventory_holds.expire_lapsed(session, now=clock.now) == 1
        assert await inventory_holds.expire_lapsed(session, now=clock.now) == 0
    # The proposal may be held again now.
    assert (await hold(client, world.sales, made["id"])).status_code == 201


async def test_a_released_hold_stops_counting(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    period = two_months_on(clock)
    made = await make_proposal(client, world.sales, proposal("Pepsi", "uae21", period))
    [placed] = (await hold(client, world.sales, made["id"])).json()["holds"]
    gone = await client.delete(f"/api/inventory/holds/{placed['id']}", headers=world.sales.headers)
    assert gone.status_code == 204
    assert (await availability(client, world.sales2, "uae21", period))["status"] == "free"


async def test_approval_turns_the_clients_hold_into_a_booking_and_refuses_a_double_booking(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    period = two_months_on(clock)
    made = await make_proposal(client, world.sales, proposal("Pepsi", "uae21", period))
    [placed] = (await hold(client, world.sales, made["id"])).json()["holds"]

    pepsi = await bo_in_hos_review(client, world, "Pepsi", [("UAE21", period)])
    approved = await act(client, world.hos, pepsi["id"], "approve")
    assert approved.status_code == 200, approved.text
    reference = approved.json()["reference"]

    seen = await availability(client, world.sales2, "uae21", period)
    [booking] = seen["commitments"]
    assert booking["kind"] == "booking" and booking["reference"] == reference
    assert booking["booking_order_id"] == pepsi["id"] and booking["units"] == 2
    assert booking["text"] == f"UAE21 is booked for Pepsi ({reference}) {range_text(period)}"
    assert seen["status"] == "booked"
    listed = await client.get("/api/inventory/holds", headers=world.sales.headers)
    assert placed["id"] not in [h["id"] for h in listed.json()["items"]]  # converted

    # A hold on sold dates is refused, naming the booking.
    nike_proposal = await make_proposal(client, world.sales2, proposal("Nike", "uae21", period))
    refused = await hold(client, world.sales2, nike_proposal["id"])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "already_booked"
    assert booking["text"] in refused.json()["error"]["message"]

    # Another client's booking order over some of those days: 409 at approval, nothing kept.
    overlap = Period(period.end - timedelta(days=3), period.end + timedelta(days=10))
    nike = await bo_in_hos_review(client, world, "Nike", [("UAE21", overlap)])
    clash = await act(client, world.hos, nike["id"], "approve")
    assert clash.status_code == 409, clash.text
    error = clash.json()["error"]
    assert error["code"] == "double_booking"
    assert error["message"] == (
        f"Double booking: UAE21 is not free {range_text(overlap)}. {booking['text']}."
    )
    still = await client.get(f"/api/booking-orders/{nike['id']}", headers=world.hos.headers)
    assert still.json()["state"] == "hos_review" and still.json()["reference"] is None
    after = await availability(client, world.sales, "uae21", overlap)
    assert [c["reference"] for c in after["commitments"]] == [reference]
    # After the clash the next approval still gets the next reference number.
    later = Period(period.end + timedelta(days=1), period.end + timedelta(days=5))
    fine = await bo_in_hos_review(client, world, "Nike", [("UAE21", later)])
    ok = await act(client, world.hos, fine["id"], "approve")
    assert ok.status_code == 200, ok.text
    number = int(reference.rsplit("-", 1)[1])
    assert ok.json()["reference"] == f"{reference.rsplit('-', 1)[0]}-{number + 1:04d}"


async def test_occupancy_by_week_and_its_excel_export(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    monday = clock.today + timedelta(days=63 - clock.today.weekday())
    week = Period(monday, monday + timedelta(days=6))
    pepsi = await bo_in_hos_review(client, world, "Pepsi", [("UAE21", week)])
    assert (await act(client, world.hos, pepsi["id"], "approve")).status_code == 200
    first_half = Period(monday + timedelta(days=7), monday + timedelta(days=9))  # 3 of 7 days
    made = await make_proposal(client, world.sales, proposal("Nike", "uae21", first_half))
    assert (await hold(client, world.sales, made["id"])).status_code == 201

    params = {"from": monday.isoformat(), "weeks": "3"}
    response = await client.get(
        "/api/inventory/occupancy", params=params, headers=world.viewer.headers
    )
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["weeks"] == [(monday + timedelta(weeks=n)).isoformat() for n in range(3)]
    row = next(r for r in view["rows"] if r["key"] == "uae21")
    assert [(w["booked_pct"], w["held_pct"]) for w in row["weeks"]] == [(100, 0), (0, 43), (0, 0)]
    landmark = next(r for r in view["rows"] if r["key"] == "the_landmark")
    assert all(w["booked_pct"] == 0 == w["held_pct"] for w in landmark["weeks"])

    exported = await client.get(
        "/api/inventory/occupancy/export", params=params, headers=world.viewer.headers
    )
    assert exported.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(exported.content)).active
    assert sheet is not None
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:5] == ["Location", "Key", "Type", "Capacity", f"Week of {monday:%d %b %Y}"]
    uae21 = next(r for r in rows if r[1] == "uae21")
    assert uae21[2:] == ["static", "2 faces", "100% booked", "43% held", "free"]


async def test_bad_ranges_are_refused_with_a_message(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    reversed_ = await client.get(
        "/api/locations/uae21/availability",
        params={"from": "2030-02-01", "to": "2030-01-01"},
        headers=world.sales.headers,
    )
    assert reversed_.status_code == 422
    assert reversed_.json()["error"]["message"] == "The end date is before the start date."
    unknown = await client.get("/api/locations/nowhere/availability", headers=world.sales.headers)
    assert unknown.status_code == 404
    for url, params in (
        ("/api/locations/uae21/availability", {"from": "9999-12-31"}),
        ("/api/inventory/occupancy", {"from": "9999-12-31", "weeks": "104"}),
        ("/api/inventory/occupancy/export", {"from": "0001-01-01"}),
    ):
        far = await client.get(url, params=params, headers=world.sales.headers)
        assert far.status_code == 422, (url, far.text)
        assert far.json()["error"]["message"] == "Ask about dates between 2000 and 2200."


async def test_erasing_the_salesperson_leaves_the_hold_under_a_pseudonym(
    client: httpx.AsyncClient, world: World, clock: Clock
) -> None:
    period = two_months_on(clock)
    made = await make_proposal(client, world.sales, proposal("Pepsi", "uae21", period))
    [placed] = (await hold(client, world.sales, made["id"])).json()["holds"]
    assert placed["owner_name"] == world.sales.name
    erased = await client.request(
        "DELETE",
        f"/api/users/{world.sales.id}",
        json={"reason": "Asked to be forgotten"},
        headers=world.admin.headers,
    )
    assert erased.status_code == 200, erased.text
    seen = await availability(client, world.sales2, "uae21", period)
    [kept] = seen["commitments"]
    assert kept["id"] == placed["id"] and kept["counts"] is True
    assert kept["owner_name"] not in ("", world.sales.name)
