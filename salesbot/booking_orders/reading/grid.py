"""Booking orders from cells: the product's own Excel form, labelled sheets and CSV files."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from openpyxl import load_workbook

from salesbot.booking_orders.calculations import BookingOrder
from salesbot.booking_orders.documents.templates import (
    FORM_CELLS,
    SHEET_NAME,
    SIGNATURE_CELL,
    SPLITS_CELL,
    SPLITS_LABEL,
)
from salesbot.booking_orders.reading.collected import Collected, build
from salesbot.booking_orders.reading.labels import (
    COLUMN_INDEX,
    LABEL_INDEX,
    MAX_COLUMNS,
    MAX_CSV_BYTES,
    MAX_ROWS,
    MAX_SHEETS,
    TOTAL_ROWS,
    cell_text,
    normalise_label,
    parse_amount,
)
from salesbot.booking_orders.reading.results import ParseError, ParseResult
from salesbot.kit.money import ZERO, cents

Grid = list[list[object]]


def _find_table(grid: Grid) -> tuple[int, dict[int, str]] | None:
    for row_index, row in enumerate(grid):
        columns: dict[int, str] = {}
        for col_index, value in enumerate(row):
            if isinstance(value, str):
                key = COLUMN_INDEX.get(normalise_label(value))
                if key and key not in columns.values():
                    columns[col_index] = key
        keys = set(columns.values())
        if {"name", "net_amount"} <= keys and keys & {"start_date", "end_date"}:
            return row_index, columns
    return None


def _read_table(
    grid: Grid, header: int, columns: dict[int, str]
) -> tuple[list[dict[str, object]], int]:
    """Rows under the header until a blank or total row; returns them and the last row used."""
    rows: list[dict[str, object]] = []
    last = header
    name_column = next(col for col, key in columns.items() if key == "name")
    for row_index in range(header + 1, len(grid)):
        row = grid[row_index]
        cells = {key: row[col] if col < len(row) else None for col, key in columns.items()}
        name = cell_text(row[name_column] if name_column < len(row) else None)
        if not any(cell_text(value) for value in cells.values()):
            break
        if normalise_label(name) in TOTAL_ROWS:
            last = row_index
            break
        rows.append(cells)
        last = row_index
    return rows, last


def _scan_labels(grid: Grid, skip: range, collected: Collected) -> None:
    """Label/value pairs: 'Client:' then the next filled cell, or 'Client: Nike' in one cell."""
    for row_index, row in enumerate(grid):
        if row_index in skip:
            continue
        for col_index, value in enumerate(row):
            if not isinstance(value, str) or not value.strip():
                continue
            key = LABEL_INDEX.get(normalise_label(value))
            if key is None and ":" in value:
                label, _, inline = value.partition(":")
                inline_key = LABEL_INDEX.get(normalise_label(label))
                if inline_key and inline.strip():
                    collected.put(inline_key, inline.strip())
                continue
            if key is None:
                continue
            for candidate in row[col_index + 1 :]:
                text = cell_text(candidate)
                if not text:
                    continue
                if isinstance(candidate, str) and normalise_label(candidate) in LABEL_INDEX:
                    break
                collected.put(key, candidate)
                break


def parse_grid(grid: Grid) -> Collected:
    """Extract a generic labelled booking order from rows of cells."""
    grid = [list(row[:MAX_COLUMNS]) for row in grid[:MAX_ROWS]]
    collected = Collected()
    skip = range(0)
    found = _find_table(grid)
    if found is not None:
        header, columns = found
        collected.locations, last = _read_table(grid, header, columns)
        skip = range(header, last + 1)
    _scan_labels(grid, skip, collected)
    return collected


# ---------------------------------------------------------------- the product's own template


def _grouped_lines(text: str) -> list[tuple[str, str]]:
    """'UAE02 & UAE03: 1st March 2025' lines → [(names part, value)]."""
    pairs: list[tuple[str, str]] = []
    for line in text.splitlines():
        names, sep, value = line.rpartition(":")
        if sep and names.strip() and value.strip():
            pairs.append((names.strip(), value.strip()))
    return pairs


def _names_in(group: str, known: Sequence[str]) -> list[str]:
    found = []
    for name in sorted(known, key=len, reverse=True):
        pattern = r"(?:^|, | & )" + re.escape(name) + r"(?=$|, | & )"
        if re.search(pattern, group):
            found.append(name)
    return found


def _is_own_template(sheet: object) -> bool:
    """Our labels, or a company's own labels around our splits box, mean our cell layout."""
    splits = sheet[SPLITS_CELL].value  # type: ignore[index]
    if isinstance(splits, str) and splits.startswith(SPLITS_LABEL):
        return True
    matches = 0
    for cell in FORM_CELLS:
        value = sheet[cell.label_cell].value  # type: ignore[index]
        if isinstance(value, str) and normalise_label(value) == normalise_label(cell.label):
            matches += 1
    return matches >= len(FORM_CELLS) // 2


# The form cells read as they are; dates, durations and amounts are per location.
_DIRECT_CELLS = (
    "agency",
    "bo_number",
    "client",
    "bo_date",
    "brand_campaign",
    "asset",
    "category",
    "gross",
    "production_upload_fee",
    "municipality_fee",
    "vat",
    "payment_terms",
    "net_pre_vat",
    "sales_person",
    "commission_pct",
)
_LOCATION_CELLS = {
    "start_dates": "start_date",
    "end_dates": "end_date",
    "durations": "campaign_duration",
}


def _post_sla_amounts(splits_text: str) -> dict[str, Decimal | None]:
    """The splits box: 'UAE02: 144,000.00' lines, each location's amount after SLA."""
    post_sla: dict[str, Decimal | None] = {}
    for line in splits_text.splitlines():
        if normalise_label(line) == normalise_label(SPLITS_LABEL) or not line.strip():
            continue
        name, sep, amount_text = line.rpartition(": ")
        if sep:
            post_sla[name.strip()] = parse_amount(amount_text)
    return post_sla


def _per_location(
    cells: dict[str, object], post_sla: dict[str, Decimal | None]
) -> tuple[list[str], dict[str, dict[str, object]]]:
    """Every location named in the splits or the date and duration cells, with those values
    (a location only in the date cells joins `post_sla` without an amount)."""
    names = list(post_sla)
    for key in _LOCATION_CELLS:
        for group, _value in _grouped_lines(_cell_text_lines(cells.get(key))):
            for name in _names_in(group, names) or [group]:
                if name not in names:
                    names.append(name)
                    post_sla[name] = None
    per_name: dict[str, dict[str, object]] = {name: {"name": name} for name in names}
    for key, target in _LOCATION_CELLS.items():
        for group, value in _grouped_lines(_cell_text_lines(cells.get(key))):
            for name in _names_in(group, names) or [group]:
                per_name[name][target] = value
    return names, per_name


def _net_amounts(
    collected: Collected,
    sla_cell: object,
    post_sla: dict[str, Decimal | None],
    per_name: dict[str, dict[str, object]],
) -> None:
    """The form shows amounts after SLA; the document's rentals are post-SLA + the SLA
    deduction, which gives the SLA percentage and each location's net amount back."""
    sla_deduction = parse_amount(sla_cell) or ZERO
    post_total = sum((amount or ZERO for amount in post_sla.values()), ZERO)
    rentals = post_total + sla_deduction
    if rentals > 0 and post_total > 0:
        collected.put("sla_pct", (sla_deduction * 100 / rentals).quantize(Decimal("0.0001")))
        for name, amount in post_sla.items():
            if amount is not None:
                per_name[name]["net_amount"] = cents(amount * rentals / post_total)
    elif sla_deduction == 0:
        for name, amount in post_sla.items():
            per_name[name]["net_amount"] = amount


def _read_own_template(sheet: object) -> Collected:
    collected = Collected()
    cells = {cell.key: sheet[cell.value_cell].value for cell in FORM_CELLS}  # type: ignore[index]
    for key in _DIRECT_CELLS:
        collected.put(key, cells.get(key))
    post_sla = _post_sla_amounts(_cell_text_lines(sheet[SPLITS_CELL].value))  # type: ignore[index]
    names, per_name = _per_location(cells, post_sla)
    _net_amounts(collected, cells.get("sla_deduction"), post_sla, per_name)
    collected.locations = [per_name[name] for name in names]
    return collected


def _cell_text_lines(value: object) -> str:
    return "" if value is None else str(value)


def _signed_by(sheet: object) -> str:
    return cell_text(sheet[SIGNATURE_CELL].value)  # type: ignore[index]


# ---------------------------------------------------------------- entry points


def parse_xlsx(data: bytes, *, company: str = "", own_companies: Sequence[str] = ()) -> ParseResult:
    """A booking order from an Excel file: the product's own form, else a labelled table."""
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ParseError("The Excel file could not be read") from exc
    if SHEET_NAME in book.sheetnames and _is_own_template(book[SHEET_NAME]):
        sheet = book[SHEET_NAME]
        collected = _read_own_template(sheet)
        bo, warnings = build(collected, company, own_companies)
        if _signed_by(sheet):
            warnings.append("This form is already signed by a head of sales")
        return ParseResult(bo=_normalise_sla(bo), warnings=tuple(warnings), source="template")
    best: Collected | None = None
    for sheet in book.worksheets[:MAX_SHEETS]:
        grid: Grid = [
            list(row)
            for row in sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True)
        ]
        collected = parse_grid(grid)
        score = len(collected.fields) + 2 * len(collected.locations)
        if best is None or score > len(best.fields) + 2 * len(best.locations):
            best = collected
    if best is None or (not best.fields and not best.locations):
        raise ParseError("No booking order fields were found in the Excel file")
    bo, warnings = build(best, company, own_companies)
    return ParseResult(bo=bo, warnings=tuple(warnings), source="table")


def _normalise_sla(bo: BookingOrder) -> BookingOrder:
    """An SLA read back as 10.0000 is shown as 10."""
    if bo.sla_pct is not None and bo.sla_pct == bo.sla_pct.to_integral_value():
        return replace(bo, sla_pct=bo.sla_pct.to_integral_value())
    if bo.sla_pct is not None:
        return replace(bo, sla_pct=bo.sla_pct.normalize())
    return bo


def parse_csv(data: bytes, *, company: str = "", own_companies: Sequence[str] = ()) -> ParseResult:
    """A booking order from a CSV of label/value rows and a locations table."""
    if len(data) > MAX_CSV_BYTES:
        raise ParseError("The CSV file is too large for a booking order")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    # Label/value rows have uneven widths, which defeats csv.Sniffer; the commonest separator wins.
    sample = text[:4096]
    delimiter = max((",", ";", "\t"), key=sample.count)
    grid: Grid = [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    collected = parse_grid(grid)
    if not collected.fields and not collected.locations:
        raise ParseError("No booking order fields were found in the CSV file")
    bo, warnings = build(collected, company, own_companies)
    return ParseResult(bo=bo, warnings=tuple(warnings), source="table")
