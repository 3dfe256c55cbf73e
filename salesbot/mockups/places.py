"""The locations mockups are made for, as plain values read through `locations.service`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.locations import service as locations


class _LocationLike(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def key(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def company_id(self) -> uuid.UUID: ...


@dataclass(frozen=True)
class Place:
    id: uuid.UUID
    key: str
    display_name: str
    company_id: uuid.UUID

    @classmethod
    def of(cls, location: _LocationLike) -> Place:
        return cls(location.id, location.key, location.display_name, location.company_id)


async def resolve(session: AsyncSession, query: str, *, include_inactive: bool = False) -> Place:
    """The one location `query` names (the locations service's errors when it names none)."""
    return Place.of(await locations.resolve(session, query, include_inactive=include_inactive))


async def by_key(session: AsyncSession, key: str) -> Place:
    return Place.of(await locations.get_location(session, key))


async def by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Place]:
    found = await locations.by_ids(session, ids)
    return {location_id: Place.of(location) for location_id, location in found.items()}
