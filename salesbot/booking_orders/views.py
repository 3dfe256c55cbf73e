"""A booking order as one user sees it, and what the service needs from the running app."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.booking_orders import access, directory, repository
from salesbot.booking_orders.calculations import (
    BookingOrder,
    BookingOrderError,
    Calculated,
    calculate,
    problems,
)
from salesbot.booking_orders.directory import Company
from salesbot.booking_orders.models import BookingOrderRow
from salesbot.booking_orders.stored import decode
from salesbot.booking_orders.workflow import Action
from salesbot.commercial import service as commercial
from salesbot.files import service as files
from salesbot.files.service import FileTooLargeToProcess
from salesbot.kit.errors import NotFound, ValidationFailed
from salesbot.kit.storage import Storage
from salesbot.kit.tools import FileCard
from salesbot.settings import Settings


@dataclass(frozen=True)
class Env:
    """What the service needs from the running app."""

    settings: Settings
    storage: Storage
    # A PydanticAI model (or model name) for extraction; None reads documents without an LLM.
    llm: Any = None


@dataclass(frozen=True)
class TotalsCheck:
    """Totals printed on the document that differ from the calculated ones, and whether a
    coordinator acknowledged exactly these differences (an edit that changes them asks again)."""

    differences: list[str]
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return bool(self.differences) and self.acknowledged_at is None


def totals_check(row: BookingOrderRow, calc: Calculated | None) -> TotalsCheck:
    differences = list(calc.warnings) if calc is not None else []
    ack = row.totals_acknowledged or {}
    if differences and set(differences) <= set(ack.get("warnings") or []):
        return TotalsCheck(differences, str(ack.get("by") or ""), datetime.fromisoformat(ack["at"]))
    return TotalsCheck(differences)


@dataclass
class View:
    """A booking order as one user sees it."""

    row: BookingOrderRow
    company: Company
    bo: BookingOrder
    calc: Calculated | None
    problems: list[str]
    allowed: list[Action]
    editable: bool
    # The source, excel, stamped and final_pdf files (None: not there, or deleted).
    files: dict[str, FileCard | None] = field(default_factory=dict)
    # How the amounts typed in this request were read, when one was converted or assumed.
    currency_note: str | None = None

    @property
    def totals_check(self) -> TotalsCheck:
        return totals_check(self.row, self.calc)

    @property
    def warnings(self) -> list[str]:
        """What to check: intake warnings, and totals differences until acknowledged (then
        they are only in `totals_check`, as acknowledged, never an open line)."""
        found = list(self.row.intake_warnings or [])
        check = self.totals_check
        if check.pending:
            found += [w for w in check.differences if w not in found]
        return found


def tz(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.timezone)


def when(settings: Settings, moment: datetime) -> str:
    return moment.astimezone(tz(settings)).strftime("%d-%m-%Y %H:%M")


async def read_upload(read: Awaitable[bytes]) -> bytes:
    """An uploaded file's bytes; one too large to process is the user's to fix."""
    try:
        return await read
    except FileTooLargeToProcess as exc:
        raise ValidationFailed(str(exc), code="file_too_large") from exc


def checked(bo: BookingOrder, settings: Settings) -> tuple[Calculated | None, list[str]]:
    found = problems(bo)
    if found:
        return None, found
    try:
        return calculate(bo, commercial.vat_pct(settings)), found
    except BookingOrderError as exc:
        return None, [str(exc)]


async def _file_cards(session: AsyncSession, row: BookingOrderRow) -> dict[str, FileCard | None]:
    cards: dict[str, FileCard | None] = {}
    for key, file_id in (
        ("source", row.source_file_id),
        ("excel", row.excel_file_id),
        ("stamped", row.stamped_file_id),
        ("final_pdf", row.final_pdf_file_id),
    ):
        record = await files.find_live(session, file_id)
        cards[key] = files.file_card(record) if record is not None else None
    return cards


async def build_view(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    row: BookingOrderRow,
    companies: dict[uuid.UUID, Company],
) -> View:
    company = companies[row.company_id]
    bo = decode(row.data)
    calc, found = checked(bo, env.settings)
    actor = access.actor_of(principal, companies)
    return View(
        row=row,
        company=company,
        bo=bo,
        calc=calc,
        problems=found,
        allowed=access.allowed_actions(principal, actor, row, company),
        editable=access.editable(principal, actor, row, company),
        files=await _file_cards(session, row),
    )


async def load(
    session: AsyncSession, principal: Principal, bo_id: uuid.UUID
) -> tuple[BookingOrderRow, dict[uuid.UUID, Company]]:
    """The booking order if the principal may see it (NotFound otherwise), and the companies."""
    row = await repository.get(session, bo_id)
    if row is None or not access.can_see(access.scope_of(principal), row):
        raise NotFound(access.NOT_FOUND)
    return row, await directory.company_map(session)


async def fresh_view(
    session: AsyncSession, env: Env, principal: Principal, bo_id: uuid.UUID
) -> View:
    """Reloaded from the database (after commits or a rollback expired what was loaded)."""
    row = await session.get_one(BookingOrderRow, bo_id, populate_existing=True)
    return await build_view(session, env, principal, row, await directory.company_map(session))
