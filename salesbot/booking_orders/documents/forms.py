"""The documents of a booking order, from bytes to bytes: preview, signed Excel, stamped original,
final combined PDF. No database or storage here; the service reads and stores the files.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Literal
from xml.sax.saxutils import escape

from openpyxl import load_workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from salesbot.booking_orders.calculations import BookingOrder, Calculated
from salesbot.booking_orders.documents.excel import fill_template
from salesbot.booking_orders.documents.pdf import (
    FONT,
    FONT_BOLD,
    combine_final,
    register_fonts,
    render_form_pdf,
)
from salesbot.booking_orders.documents.stamp import stamp_document
from salesbot.booking_orders.documents.templates import SHEET_NAME

# A spreadsheet original is shown as a table; beyond this it is not a booking order any more.
MAX_TABLE_ROWS = 120
MAX_TABLE_COLUMNS = 12
MAX_CELL_CHARS = 80
MAX_TEXT_LINES = 400
IMAGE_KINDS = frozenset({"jpeg", "png", "gif", "webp", "bmp"})
SPREADSHEET_KINDS = frozenset({"xlsx", "csv"})

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


class DocumentError(ValueError):
    """A booking-order document could not be produced (message is safe to show)."""


@dataclass(frozen=True)
class FinalDocuments:
    excel: bytes
    stamped_original: bytes
    final_pdf: bytes


def stamp_date(day: date) -> str:
    """The date printed under the stamp: DD-MM-YYYY."""
    return day.strftime("%d-%m-%Y")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _trim(rows: list[list[str]]) -> list[list[str]]:
    """Drop empty rows and the empty columns on the right, and pad rows to one width."""
    kept = [row[:MAX_TABLE_COLUMNS] for row in rows if any(cell for cell in row)]
    kept = kept[:MAX_TABLE_ROWS]
    width = max(
        (max((i + 1 for i, c in enumerate(row) if c), default=0) for row in kept), default=0
    )
    return [(row + [""] * width)[:width] for row in kept]


def spreadsheet_rows(data: bytes, kind: Literal["xlsx", "csv"]) -> list[list[str]]:
    """The visible cells of a spreadsheet original (the BO sheet, else the first)."""
    if kind == "csv":
        text = data[:2_000_000].decode("utf-8-sig", errors="replace")
        delimiter = max((",", ";", "\t"), key=text[:4096].count)
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        rows = [[_cell(c) for c in row] for row in itertools.islice(reader, MAX_TABLE_ROWS * 2)]
        return _trim(rows)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DocumentError("The original Excel file could not be read") from exc
    try:
        sheet = book[SHEET_NAME] if SHEET_NAME in book.sheetnames else book.worksheets[0]
        rows = [
            [_cell(c) for c in row]
            for row in sheet.iter_rows(
                max_row=MAX_TABLE_ROWS * 2, max_col=MAX_TABLE_COLUMNS, values_only=True
            )
        ]
    finally:
        book.close()
    return _trim(rows)


def table_pdf(rows: list[list[str]], title: str) -> bytes:
    """A plain PDF rendering of a table (how a spreadsheet original is stamped and archived)."""
    register_fonts()
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9)
    heading = ParagraphStyle("heading", fontName=FONT_BOLD, fontSize=11, leading=14)
    width = max((len(row) for row in rows), default=0)
    page = landscape(A4) if width > 6 else A4
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        invariant=True,
    )
    story: list[object] = [Paragraph(escape(title), heading), Spacer(1, 4 * mm)]
    if rows and width:
        column = (page[0] - 24 * mm) / width
        data = [[Paragraph(escape(value), cell) for value in row] for row in rows]
        table = Table(data, colWidths=[column] * width, repeatRows=0)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B8BFCC")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    else:
        story.append(Paragraph("(The original file has no visible cells.)", cell))
    document.build(story)
    return out.getvalue()


def text_pdf(text: str, title: str) -> bytes:
    """A plain PDF of a text original (a Word or text booking order read as text)."""
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    heading = ParagraphStyle("heading", fontName=FONT_BOLD, fontSize=11, leading=14)
    lines = text.splitlines()[:MAX_TEXT_LINES]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, title=title, invariant=True
    )
    story: list[object] = [Paragraph(escape(title), heading), Spacer(1, 4 * mm)]
    story += [Paragraph(escape(line) or "&nbsp;", body) for line in lines]
    document.build(story)
    return out.getvalue()


def original_for_stamping(
    data: bytes, kind: str, *, title: str, text: str = ""
) -> tuple[bytes, Literal["pdf", "image"]]:
    """The original as something `stamp_document` takes: PDFs and images as they are,
    spreadsheets as a table PDF, other documents as a text PDF."""
    if kind == "pdf":
        return data, "pdf"
    if kind in IMAGE_KINDS:
        return data, "image"
    if kind == "xlsx":
        return table_pdf(spreadsheet_rows(data, "xlsx"), title), "pdf"
    if kind == "csv":
        return table_pdf(spreadsheet_rows(data, "csv"), title), "pdf"
    return text_pdf(text, title), "pdf"


def render_preview_pdf(
    bo: BookingOrder, calc: Calculated, *, reference: str | None = None, hos_name: str | None = None
) -> bytes:
    """The form as it stands, with warnings and missing data listed under it."""
    return render_form_pdf(bo, calc, hos_name=hos_name, reference=reference, show_checks=True)


def render_excel(
    template: bytes, bo: BookingOrder, calc: Calculated, *, hos_name: str | None = None
) -> bytes:
    """The company template filled cell by cell (signed when `hos_name` is given)."""
    return fill_template(template, bo, calc, hos_name=hos_name)


def render_final(
    *,
    bo: BookingOrder,
    calc: Calculated,
    template: bytes,
    stamp_png: bytes,
    original: bytes,
    original_kind: Literal["pdf", "image"],
    hos_name: str,
    reference: str,
    approved_on: date,
) -> FinalDocuments:
    """Everything produced on head-of-sales approval."""
    excel = fill_template(template, bo, calc, hos_name=hos_name)
    stamped = stamp_document(original, original_kind, stamp_png, stamp_date(approved_on))
    form = render_form_pdf(bo, calc, hos_name=hos_name, reference=reference)
    return FinalDocuments(
        excel=excel, stamped_original=stamped, final_pdf=combine_final(form, stamped)
    )
