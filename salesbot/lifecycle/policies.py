"""Retention policies: the global default from settings, overridden per company by an admin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.errors import NotFound
from salesbot.lifecycle.models import RetentionPolicy
from salesbot.settings import Settings
from salesbot.users import audit
from salesbot.users.models import Company

PERIODS = ("archive_idle_days", "purge_deleted_days", "orphan_upload_days", "business_record_years")


@dataclass(frozen=True)
class Periods:
    """Effective periods; 0 days turns a rule off."""

    archive_idle_days: int
    purge_deleted_days: int
    orphan_upload_days: int
    business_record_years: int


def default(settings: Settings) -> Periods:
    return Periods(
        archive_idle_days=settings.retention_archive_idle_days,
        purge_deleted_days=settings.retention_purge_deleted_days,
        orphan_upload_days=settings.retention_orphan_upload_days,
        business_record_years=settings.retention_business_record_years,
    )


def effective(base: Periods, row: RetentionPolicy | None) -> Periods:
    if row is None:
        return base
    values = {
        name: getattr(row, name) if getattr(row, name) is not None else getattr(base, name)
        for name in PERIODS
    }
    return Periods(**values)


def longest(periods: list[Periods], base: Periods) -> Periods:
    """For someone under several companies: each period the longest (0, off, is longest)."""
    if not periods:
        return base

    def pick(name: str) -> int:
        values = [getattr(p, name) for p in periods]
        return 0 if 0 in values else max(values)

    return Periods(**{f.name: pick(f.name) for f in fields(Periods)})


async def by_company(session: AsyncSession, settings: Settings) -> dict[uuid.UUID, Periods]:
    base = default(settings)
    rows = {r.company_id: r for r in (await session.scalars(select(RetentionPolicy))).all()}
    companies = (await session.scalars(select(Company.id))).all()
    return {cid: effective(base, rows.get(cid)) for cid in companies}


async def list_rows(
    session: AsyncSession,
) -> list[tuple[Company, RetentionPolicy | None]]:
    rows = {r.company_id: r for r in (await session.scalars(select(RetentionPolicy))).all()}
    companies = (await session.scalars(select(Company).order_by(Company.code))).all()
    return [(c, rows.get(c.id)) for c in companies]


async def set_policy(
    session: AsyncSession,
    actor: audit.Actor,
    company_id: uuid.UUID,
    values: dict[str, int | None],
    now: datetime,
) -> tuple[Company, RetentionPolicy]:
    company = await session.get(Company, company_id)
    if company is None:
        raise NotFound("Company not found.")
    row = await session.get(RetentionPolicy, company_id)
    before = {name: getattr(row, name) for name in PERIODS} if row else {}
    if row is None:
        row = RetentionPolicy(company_id=company_id)
        session.add(row)
    for name in PERIODS:
        setattr(row, name, values.get(name))
    row.updated_by_id, row.updated_at = actor.user_id, now
    audit.record(
        session,
        actor,
        "retention_policy_changed",
        audit.Target("company", company_id),
        {"before": before, "after": {name: values.get(name) for name in PERIODS}},
    )
    await session.commit()
    return company, row
