"""Queries for companies, users and role assignments."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.users.models import Company, RoleAssignment, User


async def company_by_code(session: AsyncSession, code: str) -> Company | None:
    return (await session.execute(select(Company).where(Company.code == code))).scalar_one_or_none()


async def list_companies(session: AsyncSession) -> list[Company]:
    return list((await session.execute(select(Company).order_by(Company.name))).scalars())


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == email.strip().lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


def add_role(user: User, role: str, company_id: uuid.UUID | None) -> None:
    if not any(r.role == role and r.company_id == company_id for r in user.roles):
        user.roles.append(RoleAssignment(role=role, company_id=company_id))
