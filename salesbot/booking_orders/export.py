"""Every booking order a user may see, as one Excel workbook (admins and finance)."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.booking_orders import access, directory, repository
from salesbot.booking_orders.calculations import BookingOrderError, Calculated, calculate
from salesbot.booking_orders.directory import Company
from salesbot.booking_orders.models import BookingOrderRow
from salesbot.booking_orders.stored import decode
from salesbot.booking_orders.views import Env, tz
from salesbot.commercial import service as commercial
from salesbot.users import audit

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

EXPORT_COLUMNS = (
    "Reference",
    "Revision",
    "Company",
    "Stage",
    "BO number",
    "Client",
    "Agency",
    "Brand/Campaign",
    "Sales person",
    "Currency",
    "Net (pre-VAT)",
    "VAT",
    "Gross",
    "SLA deduction",
    "Net excl. SLA",
    "Created",
    "Approved",
    "Approved by",
    "PO number",
    "Invoice number",
)
_AMOUNT_COLUMNS = slice(10, 15)
_TIME_COLUMNS = slice(15, 17)
_WIDTHS = (14, 8, 12, 18, 16, 24)


async def export_xlsx(
    session: AsyncSession,
    env: Env,
    principal: Principal,
    *,
    stages: Sequence[str] = (),
    company: str | None = None,
) -> bytes:
    """Every booking order the user may see, one row each, amounts exact (admins and finance)."""
    companies = await directory.company_map(session)
    company_id = directory.resolve_company(companies.values(), company).id if company else None
    rows = await repository.all_visible(
        session, access.scope_of(principal), states=stages, company_id=company_id
    )
    audit.record(
        session,
        principal,
        "bo_export",
        audit.Target("booking_order"),
        {"count": len(rows), "stages": list(stages), "company": company},
    )
    await session.commit()
    return await asyncio.to_thread(
        _workbook, rows, companies, commercial.vat_pct(env.settings), tz(env.settings)
    )


def _workbook(
    rows: list[BookingOrderRow],
    companies: dict[uuid.UUID, Company],
    vat_pct: Decimal,
    zone: ZoneInfo,
) -> bytes:
    from openpyxl import Workbook  # loaded with the first export, not at start-up
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Booking orders"
    sheet.append(list(EXPORT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(_line(row, companies[row.company_id], vat_pct, zone))
        _format_line(sheet, row.currency)
    for column, width in zip("ABCDEFGHIJKLMNOPQR", _WIDTHS, strict=False):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _line(row: BookingOrderRow, company: Company, vat_pct: Decimal, zone: ZoneInfo) -> list[Any]:
    """One booking order's cells, in EXPORT_COLUMNS order."""
    bo = decode(row.data)
    try:
        calc: Calculated | None = calculate(bo, vat_pct)
    except BookingOrderError:
        calc = None
    amounts: list[Decimal | None] = (
        [calc.net_pre_vat, calc.vat, calc.gross, calc.sla_deduction, calc.net_excl_sla]
        if calc
        else [None] * 5
    )
    return [
        row.reference or "",
        row.revision,
        company.name,
        row.state,
        row.bo_number,
        row.client,
        bo.agency,
        bo.brand_campaign,
        bo.sales_person,
        row.currency,
        *amounts,
        row.created_at.astimezone(zone).replace(tzinfo=None),
        row.approved_at.astimezone(zone).replace(tzinfo=None) if row.approved_at else None,
        row.hos_name or "",
        row.po_number or "",
        row.invoice_number or "",
    ]


def _format_line(sheet: Worksheet, currency: str) -> None:
    from salesbot.booking_orders.documents.excel import amount_format

    number_format = amount_format(currency)
    for cell in sheet[sheet.max_row][_AMOUNT_COLUMNS]:
        cell.number_format = number_format
    for cell in sheet[sheet.max_row][_TIME_COLUMNS]:
        cell.number_format = "dd-mm-yyyy hh:mm"
