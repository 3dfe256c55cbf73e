"""The catalogue as a spreadsheet: read CSV/XLSX rows, write CSV/XLSX (pure, bytes in and out).

Text that a spreadsheet would run as a formula (=, +, -, @ first) is written with a leading
apostrophe and read back without it, so exports are safe to open and still round-trip.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from salesbot.kit import sheets
from salesbot.kit.sheets import FORMULA_START, safe_cell

FileKind = Literal["csv", "xlsx"]

COLUMNS = (
    "key",
    "display_name",
    "aliases",
    "company",
    "display_type",
    "series",
    "width_m",
    "height_m",
    "number_of_faces",
    "spot_duration_s",
    "loop_duration_s",
    "sov_pct",
    "upload_fee",
    "is_active",
)
REQUIRED_COLUMNS = ("display_name", "display_type")
MAX_ROWS = 5000
MAX_CELL = 1000
_CSV_MEDIA = "text/csv"
_XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES: dict[FileKind, str] = {"csv": _CSV_MEDIA, "xlsx": _XLSX_MEDIA}


class CatalogueFileError(ValueError):
    """The file as a whole cannot be read as a catalogue (wrong columns, not a table...)."""


@dataclass(frozen=True)
class Row:
    """One data row: its number in the file (header = 1) and its non-empty cells."""

    number: int
    values: dict[str, str]


def _header_name(cell: object) -> str:
    return "_".join(str(cell or "").strip().lower().replace("-", " ").split())


def _cell_text(value: object) -> str:
    """A cell as text; integral floats (Excel numbers) lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_START:
        text = text[1:]
    return text


def _rows(table: Sequence[Sequence[object]]) -> list[Row]:
    if not table:
        raise CatalogueFileError("The file is empty; the first row must name the columns.")
    header = [_header_name(cell) for cell in table[0]]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        shown = ", ".join(sorted(set(unknown))[:5])[:200]
        raise CatalogueFileError(
            f"Unknown columns: {shown}. The columns are: {', '.join(COLUMNS)}."
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CatalogueFileError(f"Missing columns: {', '.join(missing)}.")
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise CatalogueFileError(f"Columns appear twice: {', '.join(repeated)}.")
    if len(table) - 1 > MAX_ROWS:
        raise CatalogueFileError(f"The file has more than {MAX_ROWS} rows.")
    rows: list[Row] = []
    for number, cells in enumerate(table[1:], start=2):
        values: dict[str, str] = {}
        for name, cell in zip(header, cells, strict=False):
            text = _cell_text(cell)
            if name and text:
                values[name] = text[:MAX_CELL]
        if values:
            rows.append(Row(number, values))
    return rows


def read_rows(data: bytes, kind: FileKind) -> list[Row]:
    """The data rows of a CSV (UTF-8, comma or semicolon) or XLSX (first sheet) file."""
    if kind == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CatalogueFileError("The CSV file must be saved as UTF-8.") from None
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
                text[:4096], delimiters=",;"
            )
        except csv.Error:
            dialect = csv.excel
        try:
            return _rows(list(csv.reader(io.StringIO(text), dialect)))
        except csv.Error:
            raise CatalogueFileError("The CSV file could not be read.") from None
    from openpyxl import load_workbook  # loaded with the first workbook, not at start-up
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise CatalogueFileError("The Excel file could not be read.") from None
    try:
        sheet = book.worksheets[0]
        table = []
        for cells in sheet.iter_rows(values_only=True):
            table.append(list(cells))
            if len(table) > MAX_ROWS + 1:
                break
        return _rows(table)
    finally:
        book.close()


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def write_csv(records: Sequence[Mapping[str, object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([safe_cell(_plain(record.get(name))) for name in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def write_xlsx(records: Sequence[Mapping[str, object]]) -> bytes:
    return sheets.xlsx("Locations", COLUMNS, (_xlsx_row(record) for record in records))


def _xlsx_row(record: Mapping[str, object]) -> list[object]:
    row: list[object] = []
    for name in COLUMNS:
        value = record.get(name)
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            row.append(value)
        else:
            row.append(safe_cell(_plain(value)))
    return row
