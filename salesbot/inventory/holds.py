"""Holds: a proposal reserves its locations' dates for a while, visible to every salesperson.

A hold expires `SALESBOT_HOLD_DAYS` after it is placed and may be renewed once (for as long
again, from the renewal). Holds never refuse each other: what else claims the dates comes back
as warnings (`UAE21 is held for Pepsi until 12 Jan 2027`). A hold on dates already sold is
refused (409): there is nothing left to hold.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.inventory import occupancy, repository, service
from salesbot.inventory.models import Commitment
from salesbot.inventory.occupancy import HOLD
from salesbot.inventory.schemas import CommitmentOut, HoldList, HoldsOut
from salesbot.kit.errors import Conflict, Forbidden, NotFound
from salesbot.locations import service as locations
from salesbot.locations.service import LocationInfo
from salesbot.settings import Settings


@dataclass(frozen=True)
class Wanted:
    """One location of a proposal: its dates and, for a digital screen, its spots."""

    key: str
    start: date
    end: date
    spots: int = 1


@dataclass(frozen=True)
class _Place:
    loc: LocationInfo
    wanted: Wanted
    units: int


async def _places(session: AsyncSession, wanted: Sequence[Wanted]) -> list[_Place]:
    found: list[_Place] = []
    for item in wanted:
        loc = locations.info(await locations.get_location(session, item.key))
        cap = service.capacity(loc)
        units = min(item.spots, cap.units) if loc.display_type == "digital" else cap.units
        found.append(_Place(loc, item, units))
    return found


async def _in_the_way(
    session: AsyncSession, place: _Place, client: str, now: datetime, kinds: tuple[str, ...]
) -> list[Commitment]:
    """Live claims of other clients that leave too little of the location for `place`."""
    rows = await repository.active_for(
        session, [place.loc.id], place.wanted.start, place.wanted.end
    )
    others = [
        r for r in rows if service.counts(r, now) and r.client.casefold() != client.casefold()
    ]
    claims = [service.claim(r) for r in others if r.kind in kinds]
    hit = occupancy.collisions(
        claims,
        place.wanted.start,
        place.wanted.end,
        place.units,
        service.capacity(place.loc).units,
        kinds=kinds,
    )
    ids = {c.id for c in hit}
    return [r for r in others if r.id in ids]


async def warnings(
    session: AsyncSession,
    settings: Settings,
    client: str,
    wanted: Sequence[Wanted],
    *,
    now: datetime | None = None,
) -> list[tuple[str, str]]:
    """(location key, sentence) for each other client's hold or booking in the way."""
    when = now or service.now_utc()
    found: list[tuple[str, str]] = []
    for place in await _places(session, wanted):
        for row in await _in_the_way(session, place, client, when, (HOLD, occupancy.BOOKING)):
            found.append((place.loc.key, service.describe(row, place.loc.display_name, settings)))
    return found


async def place_holds(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    *,
    proposal_id: uuid.UUID,
    client: str,
    wanted: Sequence[Wanted],
    now: datetime | None = None,
) -> HoldsOut:
    """Hold each location of a proposal on its dates (once per proposal), and commit."""
    when = now or service.now_utc()
    existing = [
        r
        for r in await repository.holds_of_proposal(session, proposal_id)
        if service.counts(r, when)
    ]
    if existing:
        raise Conflict(
            "This proposal's dates are already held; renew the hold instead.",
            code="already_held",
        )
    places = await _places(session, wanted)
    await repository.lock_locations(session, [p.loc.id for p in places])
    for place in places:
        sold = await _in_the_way(session, place, client, when, (occupancy.BOOKING,))
        if sold:  # nothing written yet
            raise _sold(
                place.loc, [service.describe(r, place.loc.display_name, settings) for r in sold]
            )
    notes = await warnings(session, settings, client, wanted, now=when)
    rows = [_hold(place, client, principal, proposal_id, when, settings) for place in places]
    for row in rows:
        repository.add(session, row)
    await session.commit()
    names = {p.loc.key: p.loc.display_name for p in places}
    return HoldsOut(
        holds=[service.commitment_out(r, names[r.location_key], settings, when) for r in rows],
        warnings=[text for _, text in notes],
    )


def _sold(loc: LocationInfo, reasons: Sequence[str]) -> Conflict:
    return Conflict(
        f"{loc.display_name} can't be held on those dates: {'; '.join(reasons)}.",
        code="already_booked",
        details={"location": loc.key, "conflicts": list(reasons)},
    )


def _hold(
    place: _Place,
    client: str,
    principal: Principal,
    proposal_id: uuid.UUID,
    now: datetime,
    settings: Settings,
) -> Commitment:
    return Commitment(
        kind=HOLD,
        status=repository.ACTIVE,
        location_id=place.loc.id,
        location_key=place.loc.key,
        start_date=place.wanted.start,
        end_date=place.wanted.end,
        units=place.units,
        client=client[:200],
        owner_id=principal.user_id,
        owner_name=principal.name[:200],
        proposal_id=proposal_id,
        expires_at=now + timedelta(days=settings.hold_days),
        renewals=0,
        created_at=now,
    )


async def _own_hold(session: AsyncSession, principal: Principal, hold_id: uuid.UUID) -> Commitment:
    row = await repository.get(session, hold_id)
    if row is None or row.kind != HOLD:
        raise NotFound(service.HOLD_NOT_FOUND, code="hold_not_found")
    if row.owner_id != principal.user_id and not principal.has("locations:manage"):
        raise Forbidden("Only the salesperson who placed a hold (or an admin) can change it.")
    return row


async def renew(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    hold_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> CommitmentOut:
    """Extend a live hold once, by `SALESBOT_HOLD_DAYS` from now."""
    when = now or service.now_utc()
    row = await _own_hold(session, principal, hold_id)
    if not service.counts(row, when):
        raise Conflict("This hold has ended; place a new one from the proposal.", code="hold_ended")
    if row.renewals >= 1:
        raise Conflict("A hold can be renewed once, and this one already was.", code="renewed_once")
    row.renewals += 1
    row.expires_at = when + timedelta(days=settings.hold_days)
    out = service.commitment_out(row, await _name(session, row), settings, when)
    await session.commit()
    return out


async def release(
    session: AsyncSession, principal: Principal, hold_id: uuid.UUID, *, now: datetime | None = None
) -> None:
    """Let a hold go before it expires (a released or expired hold stays released)."""
    row = await _own_hold(session, principal, hold_id)
    if row.status == repository.ACTIVE:
        row.status = "released"
        row.ended_at = now or service.now_utc()
        await session.commit()


async def _name(session: AsyncSession, row: Commitment) -> str:
    found = await locations.by_ids(session, [row.location_id])
    loc = found.get(row.location_id)
    return loc.display_name if loc is not None else row.location_key


async def list_holds(
    session: AsyncSession,
    settings: Settings,
    *,
    key: str | None = None,
    now: datetime | None = None,
) -> HoldList:
    """Every live hold (of one location when `key` is given), soonest first."""
    when = now or service.now_utc()
    location_id = None
    if key:
        location_id = (await locations.get_location(session, key)).id
    rows = [
        r for r in await repository.active_holds(session, location_id) if service.counts(r, when)
    ]
    found = await locations.by_ids(session, [r.location_id for r in rows])
    names = {i: loc.display_name for i, loc in found.items()}
    return HoldList(
        items=[
            service.commitment_out(r, names.get(r.location_id, r.location_key), settings, when)
            for r in rows
        ]
    )


async def expire_lapsed(session: AsyncSession, *, now: datetime) -> int:
    """Write down the holds past their expiry (they stopped counting at expiry already)."""
    rows = await repository.lapsed_holds(session, now)
    for row in rows:
        row.status = "expired"
        row.ended_at = row.expires_at
    await session.commit()
    return len(rows)
