"""Fill a company's BO template ("BO Form" sheet) with a booking order, cell by cell."""

from __future__ import annotations

import io
import zipfile
from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils.cell import range_boundaries

from salesbot.booking_orders.calculations import (
    BookingOrder,
    Calculated,
    format_amount,
    format_percent,
)
from salesbot.booking_orders.documents.templates import (
    FORM_CELLS,
    SHEET_NAME,
    SIGNATURE_CELL,
    SIGNATURE_LABEL,
    SIGNATURE_LABEL_CELL,
    SPLITS_CELL,
    SPLITS_LABEL,
    SPLITS_RANGE,
    freeze_xlsx,
)

_HUNDRED = Decimal(100)


class TemplateError(ValueError):
    """The company template cannot be used (message is safe to show)."""


def ordinal_date(day: date) -> str:
    """`date(2025, 3, 1)` → `1st March 2025`."""
    if 11 <= day.day % 100 <= 13:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(day.day % 10, "th")
    return f"{day.day}{suffix} {day.strftime('%B')} {day.year}"


def join_names(names: list[str]) -> str:
    """`['A', 'B', 'C']` → `A, B & C`."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " & " + names[-1]


def grouped(pairs: list[tuple[str, str]]) -> str:
    """Locations sharing a value share a line: `UAE02 & UAE03: 1st March 2025`."""
    groups: dict[str, list[str]] = {}
    for name, value in pairs:
        if value:
            groups.setdefault(value, []).append(name or "Location")
    return "\n".join(f"{join_names(names)}: {value}" for value, names in groups.items())


def amount_format(currency: str) -> str:
    """Excel number format for amounts: `#,##0.00" AED"`."""
    return f'#,##0.00" {currency}"'


@dataclass(frozen=True)
class FormContent:
    """What the BO form shows, shared by the Excel and the PDF renderings."""

    values: dict[str, str | Decimal | None]
    currency: str
    splits: tuple[str, ...]
    hos_name: str | None


def form_content(bo: BookingOrder, calc: Calculated, hos_name: str | None = None) -> FormContent:
    """The values of every form cell: text, amounts (Decimal) or commission percent."""
    names = [loc.name for loc in bo.locations]
    values: dict[str, str | Decimal | None] = {
        "agency": bo.agency,
        "bo_number": bo.bo_number,
        "client": bo.client,
        "bo_date": ordinal_date(bo.bo_date) if bo.bo_date else "",
        "brand_campaign": bo.brand_campaign,
        "asset": ", ".join(bo.asset),
        "start_dates": grouped(
            [
                (n, ordinal_date(loc.start_date) if loc.start_date else "")
                for n, loc in zip(names, bo.locations, strict=True)
            ]
        ),
        "end_dates": grouped(
            [
                (n, ordinal_date(loc.end_date) if loc.end_date else "")
                for n, loc in zip(names, bo.locations, strict=True)
            ]
        ),
        "durations": grouped(
            [(t.name, t.campaign_duration) for t in calc.locations],
        ),
        "category": bo.category,
        "gross": calc.gross,
        "sla_deduction": calc.sla_deduction,
        "production_upload_fee": calc.production_upload_fee,
        "municipality_fee": calc.municipality_fee,
        "vat": calc.vat,
        "payment_terms": bo.payment_terms,
        "net_pre_vat": calc.net_pre_vat,
        "sales_person": bo.sales_person,
        "net_excl_sla": calc.net_excl_sla,
        "commission_pct": bo.commission_pct,
    }
    splits = tuple(
        f"{t.name or 'Location'}: {format_amount(t.post_sla)} {calc.currency}"
        for t in calc.locations
    )
    signer = " ".join(hos_name.split()) if hos_name else None
    return FormContent(values=values, currency=calc.currency, splits=splits, hos_name=signer)


def display_value(content: FormContent, key: str, kind: str) -> str:
    """A form value as text, the way the PDF shows it."""
    value = content.values.get(key)
    if value is None or value == "":
        return ""
    if kind == "amount" and isinstance(value, Decimal):
        return f"{format_amount(value)} {content.currency}"
    if kind == "percent" and isinstance(value, Decimal):
        return format_percent(value)
    return str(value)


def _ensure_merged(sheet: object, cell_range: str) -> None:
    """Merge the splits box, first undoing any template merges that overlap it."""
    min_col, min_row, max_col, max_row = range_boundaries(cell_range)
    merged = sheet.merged_cells  # type: ignore[attr-defined]
    for existing in list(merged.ranges):
        if existing.coord == cell_range:
            return
        overlaps = not (
            existing.max_col < min_col
            or existing.min_col > max_col
            or existing.max_row < min_row
            or existing.min_row > max_row
        )
        if overlaps:
            sheet.unmerge_cells(existing.coord)  # type: ignore[attr-defined]
    sheet.merge_cells(cell_range)  # type: ignore[attr-defined]


def fill_template(
    template: bytes, bo: BookingOrder, calc: Calculated, *, hos_name: str | None = None
) -> bytes:
    """The template with the booking order written into its 'BO Form' sheet; returns XLSX bytes.

    Labels already present in the template are kept (a company may word them its own way);
    empty label cells get the product's labels.
    """
    try:
        book = load_workbook(io.BytesIO(template))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TemplateError("The company template could not be read as an Excel file") from exc
    if SHEET_NAME not in book.sheetnames:
        raise TemplateError(f"The company template has no '{SHEET_NAME}' sheet")
    sheet = book[SHEET_NAME]
    content = form_content(bo, calc, hos_name)
    number_format = amount_format(content.currency)

    for cell in FORM_CELLS:
        if sheet[cell.label_cell].value in (None, ""):
            sheet[cell.label_cell] = cell.label
        target = sheet[cell.value_cell]
        value = content.values.get(cell.key)
        if value is None or value == "":
            target.value = None
            continue
        if cell.kind == "amount" and isinstance(value, Decimal):
            target.value = value
            target.number_format = number_format
        elif cell.kind == "percent" and isinstance(value, Decimal):
            target.value = value / _HUNDRED
            whole = value == value.to_integral_value()
            target.number_format = "0%" if whole else "0.00%"
        else:
            target.value = str(value)
            if "\n" in str(value):
                alignment = copy(target.alignment)
                alignment.wrap_text = True
                alignment.vertical = "top"
                target.alignment = alignment

    _ensure_merged(sheet, SPLITS_RANGE)
    sheet[SPLITS_CELL] = "\n".join((SPLITS_LABEL, *content.splits))
    sheet[SPLITS_CELL].alignment = Alignment(vertical="top", wrap_text=True)

    if sheet[SIGNATURE_LABEL_CELL].value in (None, ""):
        sheet[SIGNATURE_LABEL_CELL] = SIGNATURE_LABEL
    signature = sheet[SIGNATURE_CELL]
    signature.value = content.hos_name
    if content.hos_name:
        font = copy(signature.font)
        font.i = True
        signature.font = font

    out = io.BytesIO()
    book.save(out)
    return freeze_xlsx(out.getvalue())
