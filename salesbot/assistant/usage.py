"""Token usage and cost: one record per model call, and the costs report.

Cost = uncached input × input price + cached input × cached price + output × output price,
per million tokens. Providers count reasoning tokens inside the output tokens; they are stored
for information and never priced a second time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.assistant.metrics import LLM_COST, LLM_TOKENS
from salesbot.assistant.models import UsageRecord
from salesbot.auth.service import Principal
from salesbot.kit.errors import ValidationFailed
from salesbot.kit.logging import get_logger
from salesbot.settings import LlmPrice
from salesbot.users import service as users_service

log = get_logger(__name__)

MILLION = Decimal(1_000_000)
COST_PLACES = Decimal("0.00000001")
GroupBy = Literal["day", "user", "model", "call_type"]
MAX_RANGE_DAYS = 366


@dataclass(frozen=True)
class CallUsage:
    """What one model call consumed (provider-reported or estimated)."""

    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0


def price_for(prices: dict[str, LlmPrice], model: str) -> LlmPrice | None:
    """The price of `provider:name` or of `name` alone."""
    if model in prices:
        return prices[model]
    return prices.get(model.split(":", 1)[-1])


def cost_of(usage: CallUsage, price: LlmPrice | None) -> Decimal:
    if price is None:
        return Decimal(0)
    cached = min(usage.cached_tokens, usage.input_tokens)
    cached_price = price.cached_input if price.cached_input is not None else price.input
    total = (
        Decimal(usage.input_tokens - cached) * price.input
        + Decimal(cached) * cached_price
        + Decimal(usage.output_tokens) * price.output
    ) / MILLION
    return total.quantize(COST_PLACES)


async def record(
    session: AsyncSession,
    *,
    prices: dict[str, LlmPrice],
    user_id: uuid.UUID | None,
    conversation_id: uuid.UUID | None,
    run_id: str | None,
    model: str,
    call_type: str,
    usage: CallUsage,
    now: datetime,
) -> UsageRecord:
    price = price_for(prices, model)
    if is_free(model):
        # The offline model runs in-process: no tokens are sent anywhere, so none are counted
        # (its token estimates would read as spend on the costs page).
        usage = CallUsage()
    elif price is None:
        log.warning("llm_price_unknown", model=model)
    row = UsageRecord(
        user_id=user_id,
        conversation_id=conversation_id,
        run_id=run_id,
        model=model[:120],
        call_type=call_type,
        input_tokens=usage.input_tokens,
        cached_tokens=usage.cached_tokens,
        output_tokens=usage.output_tokens,
        reasoning_tokens=usage.reasoning_tokens,
        cost=cost_of(usage, price),
        created_at=now,
    )
    session.add(row)
    await session.commit()
    LLM_TOKENS.labels(model, "input").inc(usage.input_tokens)
    LLM_TOKENS.labels(model, "cached").inc(usage.cached_tokens)
    LLM_TOKENS.labels(model, "output").inc(usage.output_tokens)
    LLM_COST.labels(model).inc(float(row.cost))
    return row


def is_free(model: str) -> bool:
    """The built-in offline model costs nothing and uses no provider tokens."""
    return model.startswith("offline")


@dataclass
class CostLine:
    key: str
    label: str = ""  # how the line reads to people (a person's name); the key when empty
    free: bool = False
    calls: int = 0
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal = field(default_factory=lambda: Decimal(0))

    def add(self, calls: int, inp: int, cached: int, out: int, cost: Decimal) -> None:
        self.calls += calls
        self.input_tokens += inp
        self.cached_tokens += cached
        self.output_tokens += out
        self.cost += cost


@dataclass
class CostReport:
    start: date
    end: date
    group_by: GroupBy
    scope: Literal["own", "all"]
    lines: list[CostLine]
    total: CostLine


def _bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, zone),
        datetime.combine(end + timedelta(days=1), time.min, zone),
    )


async def report(
    session: AsyncSession,
    principal: Principal,
    *,
    start: date,
    end: date,
    group_by: GroupBy,
    zone: ZoneInfo,
) -> CostReport:
    """Usage between `start` and `end` (inclusive, local dates): everyone's for admins."""
    if end < start:
        raise ValidationFailed("The end date is before the start date.")
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationFailed("Pick a range of at most one year.")
    see_all = principal.has("costs:read_all")
    low, high = _bounds(start, end, zone)
    where = [UsageRecord.created_at >= low, UsageRecord.created_at < high]
    if not see_all:
        where.append(UsageRecord.user_id == principal.user_id)
    if group_by == "day":
        lines = await _by_day(session, where, zone)
    else:
        lines = await _by_column(session, where, group_by)
    ordered = sorted(lines.values(), key=lambda line: line.key)
    total = CostLine("total")
    for line in ordered:
        total.add(line.calls, line.input_tokens, line.cached_tokens, line.output_tokens, line.cost)
    return CostReport(start, end, group_by, "all" if see_all else "own", ordered, total)


async def _by_day(
    session: AsyncSession, where: list[ColumnElement[bool]], zone: ZoneInfo
) -> dict[str, CostLine]:
    # Local days need the time zone's rules, so rows are bucketed here; a sales team's
    # volume is small.
    rows = select(
        UsageRecord.created_at,
        UsageRecord.input_tokens,
        UsageRecord.cached_tokens,
        UsageRecord.output_tokens,
        UsageRecord.cost,
    ).where(*where)
    lines: dict[str, CostLine] = {}
    for created, inp, cached, out, cost in (await session.execute(rows)).all():
        day = created.astimezone(zone).date().isoformat()
        lines.setdefault(day, CostLine(day)).add(1, inp, cached, out, Decimal(cost))
    return lines


async def _by_column(
    session: AsyncSession, where: list[ColumnElement[bool]], group_by: GroupBy
) -> dict[str, CostLine]:
    column = {
        "user": UsageRecord.user_id,
        "model": UsageRecord.model,
        "call_type": UsageRecord.call_type,
    }[group_by]
    sums = (
        func.count(UsageRecord.id),
        func.coalesce(func.sum(UsageRecord.input_tokens), 0),
        func.coalesce(func.sum(UsageRecord.cached_tokens), 0),
        func.coalesce(func.sum(UsageRecord.output_tokens), 0),
        func.coalesce(func.sum(UsageRecord.cost), 0),
    )
    stmt = select(column, *sums).where(*where).group_by(column)
    people: dict[uuid.UUID, tuple[str, str]] = {}
    if group_by == "user":
        people = {u.id: (u.email, u.name) for u in await users_service.list_users(session)}
    lines: dict[str, CostLine] = {}
    for key, calls, inp, cached, out, cost in (await session.execute(stmt)).all():
        if key is None:
            name, label = "(deleted user)", "(deleted user)"
        elif isinstance(key, uuid.UUID):
            name, label = people.get(key, (str(key), str(key)))
        else:
            name, label = str(key), str(key)
        free = group_by == "model" and is_free(name)
        line = lines.setdefault(name, CostLine(name, label=label, free=free))
        line.add(calls, inp, cached, out, Decimal(cost))
    return lines
