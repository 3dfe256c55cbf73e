"""The companies and people booking orders involve, read through the users capability.

Booking orders keep plain copies (`Company`, `Person`) so nothing here depends on how the users
capability stores them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.errors import ValidationFailed
from salesbot.users import service as users


class CompanyLike(Protocol):
    """Anything naming a company (a `Company` here, or the users capability's own record)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Company:
    id: uuid.UUID
    code: str
    name: str


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    email: str
    name: str
    is_active: bool


async def companies(session: AsyncSession) -> list[Company]:
    """Every company, by name."""
    return [Company(id=c.id, code=c.code, name=c.name) for c in await users.list_companies(session)]


async def company_map(session: AsyncSession) -> dict[uuid.UUID, Company]:
    return {c.id: c for c in await companies(session)}


async def company(session: AsyncSession, company_id: uuid.UUID) -> Company | None:
    found = await users.find_company(session, company_id)
    return None if found is None else Company(id=found.id, code=found.code, name=found.name)


def resolve_company(listed: Iterable[Company], wanted: str) -> Company:
    """The company named by code or name (any case and spacing)."""
    key = " ".join(wanted.split()).casefold()
    candidates = list(listed)
    for candidate in candidates:
        if key in (candidate.code.casefold(), candidate.name.casefold()):
            return candidate
    names = " or ".join(c.name for c in candidates) or "none are set up yet"
    raise ValidationFailed(
        f"Unknown company; choose {names}.",
        code="unknown_company",
        details={"allowed": [c.code for c in candidates]},
    )


async def person(session: AsyncSession, user_id: uuid.UUID | None) -> Person | None:
    found = await users.find_user(session, user_id) if user_id is not None else None
    if found is None:
        return None
    return Person(id=found.id, email=found.email, name=found.name, is_active=found.is_active)


async def people_with_role(session: AsyncSession, role: str, company_id: uuid.UUID) -> list[Person]:
    """Active users holding `role` for the company, by email."""
    return [
        Person(id=u.id, email=u.email, name=u.name, is_active=u.is_active)
        for u in await users.users_with_role(session, role, company_id)
    ]
