"""Spreadsheets the product writes: text never runs as a formula when the file is opened.

Text starting like a formula (=, +, -, @, tab, CR) gets a leading apostrophe, and every text
cell of an XLSX sheet is stored as text, without the control characters XLSX cannot hold (a
stored name with one must not make the whole export fail).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 (and so XLSX) cannot carry: control characters other than tab, LF and CR.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _writable(value: object) -> object:
    return _UNWRITABLE.sub("", value) if isinstance(value, str) else value


def safe_cell(text: str) -> str:
    """Text made inert for spreadsheets."""
    return "'" + text if text.startswith(FORMULA_START) else text


def xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet: the header row, then the rows; string cells are stored as text."""
    from openpyxl import Workbook  # loaded with the first spreadsheet, not at start-up

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append([_writable(value) for value in row])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
