"""Originals that are not PDFs or images become a PDF to stamp: spreadsheets as a table of their
visible cells (dates and long values shown as a reader expects), other documents as text."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from pypdf import PdfReader

from salesbot.booking_orders.documents.forms import (
    MAX_CELL_CHARS,
    DocumentError,
    original_for_stamping,
    spreadsheet_rows,
)


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["BO No.", "DPD-112652"])
    sheet.append(["Date", date(2025, 2, 20)])
    sheet.append(["Notes", "x" * 200])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_excel_original_is_read_cell_by_cell() -> None:
    rows = spreadsheet_rows(_xlsx(), "xlsx")
    assert rows[0] == ["BO No.", "DPD-112652"]
    assert rows[1] == ["Date", "20-02-2025"]
    assert len(rows[2][1]) == MAX_CELL_CHARS and rows[2][1].endswith("…")


def test_a_damaged_excel_original_is_refused_with_a_reason() -> None:
    with pytest.raises(DocumentError, match="could not be read"):
        spreadsheet_rows(b"PK\x03\x04 not really a workbook", "xlsx")


def test_an_excel_original_becomes_a_table_pdf() -> None:
    pdf, kind = original_for_stamping(_xlsx(), "xlsx", title="Nike BO")
    assert kind == "pdf" and pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "DPD-112652" in text and "20-02-2025" in text


def test_a_word_original_becomes_a_text_pdf() -> None:
    pdf, kind = original_for_stamping(
        b"ignored", "docx", title="Signed BO", text="Client: Nike\n\nBO No. DPD-7"
    )
    assert kind == "pdf"
    text = _text(pdf)
    assert "Signed BO" in text and "Client: Nike" in text and "DPD-7" in text


def test_pdfs_and_images_are_stamped_as_they_are() -> None:
    assert original_for_stamping(b"%PDF-1.4", "pdf", title="t") == (b"%PDF-1.4", "pdf")
    assert original_for_stamping(b"\x89PNG", "png", title="t") == (b"\x89PNG", "image")
