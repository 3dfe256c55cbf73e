"""Deterministic booking-order extraction (no LLM): XLSX/CSV forms and tables, text PDFs, notes."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from salesbot.booking_orders.calculations import (
    BASE_CURRENCY,
    BookingOrder,
    BookingOrderError,
    Location,
    parse_date,
    parse_money,
    parse_percent,
)
from salesbot.booking_orders.documents.templates import (
    FORM_CELLS,
    SHEET_NAME,
    SIGNATURE_CELL,
    SPLITS_CELL,
    SPLITS_LABEL,
)
from salesbot.booking_orders.edits import apply_edit
from salesbot.kit.money import ZERO, cents

Source = Literal["template", "table", "pdf_text"]
Kind = Literal["xlsx", "csv", "pdf", "image"]
# Enough for any booking order; stops a hostile sheet from making us read millions of cells.
MAX_ROWS = 400
MAX_COLUMNS = 40
MAX_SHEETS = 5
MAX_CSV_BYTES = 2_000_000
CURRENCIES = ("AED", "USD", "EUR", "GBP", "SAR", "QAR", "KWD", "OMR", "BHD", "INR", "EGP")


class ParseError(ValueError):
    """A document could not be read (message is safe to show)."""


class NeedsLLM(ParseError):
    """The document has no readable text: extracting it needs an LLM provider."""


@dataclass(frozen=True)
class ParseResult:
    bo: BookingOrder
    warnings: tuple[str, ...] = ()
    source: Source = "table"


# ---------------------------------------------------------------- labels

_FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "client": ("client", "client name", "advertiser", "customer", "buyer"),
    "bo_number": (
        "bo number",
        "bo ref",
        "bo reference",
        "booking order number",
        "booking order ref",
        "po number",
        "order number",
        "client bo number",
    ),
    "bo_date": ("bo date", "booking order date", "order date", "date"),
    "agency": ("agency", "media agency", "agency name"),
    "brand_campaign": (
        "brand/campaign",
        "brand / campaign",
        "brand campaign",
        "brand and campaign",
        "brand",
        "campaign",
        "campaign name",
    ),
    "category": ("category", "industry", "sector"),
    "asset": ("asset", "assets"),
    "currency": ("currency",),
    "payment_terms": ("payment terms", "terms of payment", "payment"),
    "sales_person": (
        "sales person",
        "salesperson",
        "sales executive",
        "account manager",
        "sales rep",
    ),
    "commission_pct": ("commission", "agency commission", "commission rate"),
    "sla_pct": ("sla", "sla rate", "sla percentage"),
    "municipality_fee": (
        "municipality fee",
        "municipality fees",
        "municipality",
        "dm fee",
        "dm fees",
        "dm",
    ),
    "production_upload_fee": (
        "production/upload fee",
        "production / upload fee",
        "production upload fee",
        "production fee",
        "upload fee",
        "production cost",
        "production",
        "production/upload",
    ),
    "net_pre_vat": (
        "net amount",
        "net",
        "net total",
        "total net",
        "net pre vat",
        "net before vat",
        "net amount pre vat",
        "net amount excl vat",
        "total excl vat",
        "subtotal",
        "sub total",
    ),
    "vat": ("vat", "vat amount", "tax"),
    "gross": (
        "gross",
        "gross amount",
        "gross total",
        "total incl vat",
        "grand total",
        "total amount",
        "total",
    ),
    "notes": ("notes", "remarks", "comments"),
    # Labels that are not BO fields but end in a word that is ("Start Date" ends in "Date").
    "_ignored": (
        "start date",
        "end date",
        "campaign start",
        "campaign end",
        "due date",
        "invoice date",
        "sla deduction",
        "net excl sla",
        "campaign duration",
        "head of sales signature",
        "signature",
        "location splits excl sla",
    ),
}
_COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "name": (
        "location",
        "location name",
        "locations",
        "site",
        "site name",
        "name",
        "screen",
        "billboard",
        "board",
    ),
    "asset": ("asset", "asset code", "asset id", "asset ref"),
    "start_date": ("start", "start date", "from", "campaign start", "start of campaign"),
    "end_date": ("end", "end date", "to", "campaign end", "end of campaign"),
    "net_amount": (
        "net",
        "net amount",
        "amount",
        "net rental",
        "rental",
        "net rate",
        "rate",
        "price",
        "net cost",
        "cost",
        "net value",
        "value",
    ),
    "campaign_duration": ("duration", "campaign duration", "period"),
}
_TOTAL_ROWS = frozenset({"total", "totals", "grand total", "subtotal", "sub total", "net total"})


def normalise_label(text: str) -> str:
    """'Net Amount (AED):' → 'net amount', 'BO No.' → 'bo number', 'VAT 5%' → 'vat'."""
    text = text.lower().strip()
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"\d+(?:\.\d+)?\s*%", " ", text)
    text = text.replace("#", " number ").replace("&", " and ").replace("%", " ")
    text = re.sub(r"\bno\b\.?", "number", text)
    text = text.replace("-", " ").replace(".", " ").replace(":", " ").replace("_", " ")
    return " ".join(text.split())


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_label(label): key for key, labels in table.items() for label in labels}


_LABEL_INDEX = _index(_FIELD_LABELS)
_COLUMN_INDEX = _index(_COLUMN_LABELS)


# ---------------------------------------------------------------- value readers


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def parse_amount(value: object) -> Decimal | None:
    """'AED 160,000.00', 160000, 160000.0 → Decimal; None when there is no number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        # Spreadsheet numbers arrive as binary floats; their shortest repr is what was typed.
        return cents(Decimal(repr(value)))
    if isinstance(value, Decimal | int):
        return Decimal(value)
    text = str(value)
    if not re.search(r"\d", text):
        return None
    try:
        return parse_money(text)
    except BookingOrderError:
        return None


def parse_any_date(value: object) -> date | None:
    """A date cell or text in the usual formats (day first, as in the UAE); None otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    if not text or not re.search(r"\d", text):
        return None
    try:
        return parse_date(text)
    except BookingOrderError:
        return None


def _currency_in(text: str) -> str | None:
    match = re.search(r"\b(" + "|".join(CURRENCIES) + r")\b", text.upper())
    return match.group(1) if match else None


# ---------------------------------------------------------------- building the BO


@dataclass
class _Collected:
    """Raw values found in a document before conversion."""

    fields: dict[str, object] = field(default_factory=dict)
    locations: list[dict[str, object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def put(self, key: str, value: object) -> None:
        if key not in self.fields and _cell_text(value):
            self.fields[key] = value


_AMOUNT_FIELDS = ("municipality_fee", "production_upload_fee", "net_pre_vat", "vat", "gross")
_LABEL_WORDS = {
    "municipality_fee": "municipality fee",
    "production_upload_fee": "production/upload fee",
    "net_pre_vat": "net amount",
    "vat": "VAT",
    "gross": "gross amount",
    "commission_pct": "commission",
    "sla_pct": "SLA",
    "bo_date": "BO date",
}


def _text_of(raw: object) -> str:
    return _cell_text(raw)[:500]


def _build(
    collected: _Collected, company: str, own_companies: Sequence[str]
) -> tuple[BookingOrder, list[str]]:
    warnings = list(collected.warnings)
    values = collected.fields
    found: dict[str, Any] = {"company": company}
    texts = ("bo_number", "agency", "brand_campaign", "category", "payment_terms")
    for key in (*texts, "sales_person", "notes"):
        if key in values:
            found[key] = _text_of(values[key])

    client = _text_of(values.get("client"))
    own = [name for name in (company, *own_companies) if name.strip()]
    if client and any(client.casefold() == name.strip().casefold() for name in own):
        warnings.append(f"The client can't be our own company ({client}); please give the buyer")
        client = ""
    found["client"] = client

    if "asset" in values:
        parts = re.split(r"\s*(?:,|;|/|&|\band\b)\s*", _text_of(values["asset"]))
        found["asset"] = tuple(part for part in parts if part)

    currency = _currency_in(_text_of(values.get("currency")))
    if currency is None:
        scanned = " ".join(_text_of(values.get(key)) for key in _AMOUNT_FIELDS)
        scanned += " ".join(_text_of(loc.get("net_amount")) for loc in collected.locations)
        currency = _currency_in(scanned) or BASE_CURRENCY
    found["currency"] = currency

    if "bo_date" in values:
        found["bo_date"] = parse_any_date(values["bo_date"])
        if found["bo_date"] is None:
            warnings.append("Couldn't read the BO date")

    for key in _AMOUNT_FIELDS:
        if key in values:
            amount = parse_amount(values[key])
            if amount is None:
                warnings.append(f"Couldn't read the {_LABEL_WORDS[key]}")
            else:
                found[key] = amount

    for key in ("commission_pct", "sla_pct"):
        if key in values:
            raw = values[key]
            try:
                found[key] = parse_percent(
                    raw if isinstance(raw, str | int | Decimal) else _cell_text(raw)
                )
            except BookingOrderError:
                warnings.append(f"Couldn't read the {_LABEL_WORDS[key]}")

    locations: list[Location] = []
    for index, raw_loc in enumerate(collected.locations):
        name = _text_of(raw_loc.get("name"))
        label = name or f"Location {index + 1}"
        start = parse_any_date(raw_loc.get("start_date"))
        end = parse_any_date(raw_loc.get("end_date"))
        net = parse_amount(raw_loc.get("net_amount"))
        for key, parsed in (("start_date", start), ("end_date", end), ("net_amount", net)):
            if _cell_text(raw_loc.get(key)) and parsed is None:
                warnings.append(f"Couldn't read the {key.replace('_', ' ')} of {label}")
        locations.append(
            Location(
                name=name,
                asset=_text_of(raw_loc.get("asset")),
                start_date=start,
                end_date=end,
                net_amount=net,
                campaign_duration=_text_of(raw_loc.get("campaign_duration")),
            )
        )
    found["locations"] = tuple(locations)
    return BookingOrder(**found), warnings


# ---------------------------------------------------------------- grids (XLSX sheets, CSV)

Grid = list[list[object]]


def _find_table(grid: Grid) -> tuple[int, dict[int, str]] | None:
    for row_index, row in enumerate(grid):
        columns: dict[int, str] = {}
        for col_index, value in enumerate(row):
            if isinstance(value, str):
                key = _COLUMN_INDEX.get(normalise_label(value))
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
        name = _cell_text(row[name_column] if name_column < len(row) else None)
        if not any(_cell_text(value) for value in cells.values()):
            break
        if normalise_label(name) in _TOTAL_ROWS:
            last = row_index
            break
        rows.append(cells)
        last = row_index
    return rows, last


def _scan_labels(grid: Grid, skip: range, collected: _Collected) -> None:
    """Label/value pairs: 'Client:' then the next filled cell, or 'Client: Nike' in one cell."""
    for row_index, row in enumerate(grid):
        if row_index in skip:
            continue
        for col_index, value in enumerate(row):
            if not isinstance(value, str) or not value.strip():
                continue
            key = _LABEL_INDEX.get(normalise_label(value))
            if key is None and ":" in value:
                label, _, inline = value.partition(":")
                inline_key = _LABEL_INDEX.get(normalise_label(label))
                if inline_key and inline.strip():
                    collected.put(inline_key, inline.strip())
                continue
            if key is None:
                continue
            for candidate in row[col_index + 1 :]:
                text = _cell_text(candidate)
                if not text:
                    continue
                if isinstance(candidate, str) and normalise_label(candidate) in _LABEL_INDEX:
                    break
                collected.put(key, candidate)
                break


def parse_grid(grid: Grid) -> _Collected:
    """Extract a generic labelled booking order from rows of cells."""
    grid = [list(row[:MAX_COLUMNS]) for row in grid[:MAX_ROWS]]
    collected = _Collected()
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


def _read_own_template(sheet: object) -> _Collected:
    collected = _Collected()
    cells = {cell.key: sheet[cell.value_cell].value for cell in FORM_CELLS}  # type: ignore[index]
    direct = (
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
    for key in direct:
        collected.put(key, cells.get(key))

    splits_text = _cell_text_lines(sheet[SPLITS_CELL].value)  # type: ignore[index]
    post_sla: dict[str, Decimal | None] = {}
    for line in splits_text.splitlines():
        if normalise_label(line) == normalise_label(SPLITS_LABEL) or not line.strip():
            continue
        name, sep, amount_text = line.rpartition(": ")
        if sep:
            post_sla[name.strip()] = parse_amount(amount_text)
    names = list(post_sla)
    for key in ("start_dates", "end_dates", "durations"):
        for group, _value in _grouped_lines(_cell_text_lines(cells.get(key))):
            for name in _names_in(group, names) or [group]:
                if name not in names:
                    names.append(name)
                    post_sla[name] = None
    per_name: dict[str, dict[str, object]] = {name: {"name": name} for name in names}
    column = {
        "start_dates": "start_date",
        "end_dates": "end_date",
        "durations": "campaign_duration",
    }
    for key, target in column.items():
        for group, value in _grouped_lines(_cell_text_lines(cells.get(key))):
            for name in _names_in(group, names) or [group]:
                per_name[name][target] = value

    # The form shows amounts after SLA; the document's rentals are post-SLA + the SLA deduction.
    sla_deduction = parse_amount(cells.get("sla_deduction")) or ZERO
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
    collected.locations = [per_name[name] for name in names]
    return collected


def _cell_text_lines(value: object) -> str:
    return "" if value is None else str(value)


def _signed_by(sheet: object) -> str:
    return _cell_text(sheet[SIGNATURE_CELL].value)  # type: ignore[index]


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
        bo, warnings = _build(collected, company, own_companies)
        if _signed_by(sheet):
            warnings.append("This form is already signed by a head of sales")
        return ParseResult(bo=_normalise_sla(bo), warnings=tuple(warnings), source="template")
    best: _Collected | None = None
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
    bo, warnings = _build(best, company, own_companies)
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
    bo, warnings = _build(collected, company, own_companies)
    return ParseResult(bo=bo, warnings=tuple(warnings), source="table")


_DATE_TOKEN = re.compile(
    r"(?i)\b(?:\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}(?:st|nd|rd|th)?[ \-/.](?:[a-z]{3,9}|\d{1,2})[ \-/.,]+\d{2,4}"
    r"|[a-z]{3,9}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4})\b"
)


def _table_line(line: str) -> dict[str, object] | None:
    """'UAE02  1st March 2025  31st March 2025  AED 160,000.00' → a location row."""
    dates = [m for m in _DATE_TOKEN.finditer(line) if parse_any_date(m.group()) is not None]
    if len(dates) < 2:
        return None
    name = line[: dates[0].start()].strip(" -|\t")
    rest = line[dates[1].end() :]
    numbers = re.findall(r"\d[\d,]*(?:\.\d+)?", rest)
    if not name or not numbers:
        return None
    return {
        "name": name,
        "start_date": dates[0].group(),
        "end_date": dates[1].group(),
        "net_amount": numbers[-1],
    }


def _label_pairs(line: str) -> list[tuple[str, str]]:
    """'Client: Nike   BO Number: DPD-1' → [('client', 'Nike'), ('bo_number', 'DPD-1')]."""
    found: list[tuple[str, int, int]] = []  # key, label start, value start
    search_from = 0
    for colon in (m.start() for m in re.finditer(r":", line)):
        # A time such as 10:30 is not a label.
        if 0 < colon < len(line) - 1 and line[colon - 1].isdigit() and line[colon + 1].isdigit():
            continue
        before = line[search_from:colon]
        words = list(re.finditer(r"\S+", before))
        for take in range(min(6, len(words)), 0, -1):
            if not words[-take].group()[0].isalpha():
                continue
            start = words[-take].start() + search_from
            key = _LABEL_INDEX.get(normalise_label(line[start:colon]))
            if key:
                found.append((key, start, colon + 1))
                search_from = colon + 1
                break
    pairs: list[tuple[str, str]] = []
    for index, (key, _start, value_start) in enumerate(found):
        end = found[index + 1][1] if index + 1 < len(found) else len(line)
        pairs.append((key, line[value_start:end].strip()))
    return pairs


def parse_text(text: str) -> _Collected:
    """Labelled fields ('Client: Nike') and a locations table from extracted PDF text."""
    collected = _Collected()
    lines = [" ".join(line.split()) for line in text.splitlines()][: MAX_ROWS * 4]
    in_table = False
    for index, line in enumerate(lines):
        lowered = normalise_label(line)
        words = set(lowered.split())
        header = (
            words & {"location", "locations", "site", "screen"}
            and words & {"start", "from"}
            and words & {"end", "to"}
            and words & {"net", "amount", "rate", "rental"}
        )
        if header:
            in_table = True
            continue
        if in_table:
            row = _table_line(line)
            if row is not None:
                collected.locations.append(row)
                continue
            in_table = False
        for key, value in _label_pairs(line):
            if not value and index + 1 < len(lines) and ":" not in lines[index + 1]:
                value = lines[index + 1]
            collected.put(key, value)
    return collected


def parse_pdf(data: bytes, *, company: str = "", own_companies: Sequence[str] = ()) -> ParseResult:
    """A booking order from a text PDF with labelled fields; scans need an LLM."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError("The PDF is password-protected")
        text = "\n".join((page.extract_text() or "") for page in reader.pages[:10])
    except (PyPdfError, ValueError, OSError) as exc:
        if isinstance(exc, ParseError):
            raise
        raise ParseError("The PDF could not be read") from exc
    if len(text.strip()) < 20:
        raise NeedsLLM(
            "This PDF is a scan with no readable text; extracting it needs an LLM provider"
        )
    collected = parse_text(text)
    if not collected.fields and not collected.locations:
        raise ParseError("No booking order fields were found in the PDF")
    bo, warnings = _build(collected, company, own_companies)
    return ParseResult(bo=bo, warnings=tuple(warnings), source="pdf_text")


def parse_document(
    data: bytes, kind: Kind, *, company: str = "", own_companies: Sequence[str] = ()
) -> ParseResult:
    """Dispatch on the file kind; images always need an LLM provider."""
    if kind == "xlsx":
        return parse_xlsx(data, company=company, own_companies=own_companies)
    if kind == "csv":
        return parse_csv(data, company=company, own_companies=own_companies)
    if kind == "pdf":
        return parse_pdf(data, company=company, own_companies=own_companies)
    if kind == "image":
        raise NeedsLLM("This is a photo or scan; extracting it needs an LLM provider")
    raise ParseError("Booking orders can be PDF, Excel, CSV or an image")


# ---------------------------------------------------------------- classification


_BO_EVIDENCE = {
    "booking order": 3,
    "insertion order": 2,
    "purchase order": 1,
    "bo number": 2,
    "bo no": 2,
    "net amount": 1,
    "vat": 1,
    "gross": 1,
    "payment terms": 1,
    "client": 1,
    "agency": 1,
    "start date": 1,
    "end date": 1,
    "municipality": 1,
    "sla": 1,
    "signature": 1,
    "invoice": 1,
    "total": 1,
}
_ART_EVIDENCE = {
    "artwork": 3,
    "creative": 2,
    "resolution": 2,
    "pixels": 2,
    "px": 2,
    "dpi": 2,
    "mockup": 2,
    "bleed": 2,
    "cmyk": 2,
    "rgb": 1,
    "print ready": 2,
    "design": 1,
    "visual": 1,
    "jpeg": 1,
    "jpg": 1,
    "png": 1,
    "mp4": 1,
    "video": 1,
    "file format": 1,
    "dimensions": 1,
}


def _score(text: str, evidence: dict[str, int]) -> int:
    return sum(
        weight
        for word, weight in evidence.items()
        if re.search(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])", text)
    )


def classify_text(text: str) -> Literal["booking_order", "artwork", "unknown"]:
    """Booking order vs artwork by keyword evidence; too little evidence is 'unknown'."""
    lowered = " ".join(text.lower().split())
    bo_score, art_score = _score(lowered, _BO_EVIDENCE), _score(lowered, _ART_EVIDENCE)
    if bo_score >= 3 and bo_score > art_score:
        return "booking_order"
    if art_score >= 3 and art_score > bo_score:
        return "artwork"
    return "unknown"


# ---------------------------------------------------------------- notes from the user's message

_AMOUNT = r"(?P<amount>(?:[A-Za-z]{3}\s*)?\d[\d,]*(?:\.\d+)?(?:\s*(?:k|m|mn|million|thousand)\b)?)"
_AMOUNT_END = r"(?![\d%])(?![.,]\d)(?!\s*%)"
_LINK = r"\s*(?:is|are|=|:|of|to|at|should\s+be|will\s+be)?\s*"
_TEXT = r"(?P<text>[^,;\n]+?)(?=\s*(?:[,;\n]|\.(?:\s|$)|\band\b|$))"
_NOTE_AMOUNTS: tuple[tuple[str, str], ...] = (
    ("production_upload_fee", r"(?:production\s*/\s*upload|upload|production)\s+(?:fees?|costs?)"),
    ("municipality_fee", r"(?:municipality|dm)(?:\s+fees?)?"),
    ("net_pre_vat", r"net\s+(?:amount|total)(?:\s+(?:pre|before|excl\.?)\s*-?\s*vat)?"),
    ("vat", r"vat(?:\s+amount)?"),
)
_NOTE_PERCENTS: tuple[tuple[str, str], ...] = (
    ("sla_pct", r"sla"),
    ("commission_pct", r"(?:agency\s+)?commission"),
)
_NOTE_TEXTS: tuple[tuple[str, str], ...] = (
    ("client", r"(?:client(?:\s+name)?|advertiser)\s*(?:is|=|:)\s*"),
    ("client", r"client\s+(?=(?-i:[A-Z]))"),
    ("agency", r"agency\s*(?:is|=|:)\s*"),
    ("brand_campaign", r"(?:brand|campaign)\s*(?:is|=|:)\s*"),
    ("category", r"category\s*(?:is|=|:)\s*"),
    ("payment_terms", r"payment\s+terms\s*(?:are|is|=|:)?\s*"),
    ("sales_person", r"sales\s*person\s*(?:is|=|:)\s*"),
)


def parse_notes(notes: str, companies: Iterable[str] = ()) -> dict[str, Decimal | str]:
    """Values the user states in the message ('upload fee is 2000', 'client is Nike')."""
    text = notes[:4000]
    overrides: dict[str, Decimal | str] = {}
    for key, pattern in _NOTE_AMOUNTS:
        match = re.search(r"(?i)\b" + pattern + _LINK + _AMOUNT + _AMOUNT_END, text)
        # "UAE21 net amount 150000" is one location's amount, not the booking order's net.
        preceding = text[: match.start()] if match else ""
        if key == "net_pre_vat" and re.search(r"\w*\d\w*\s+$", preceding):
            continue
        if match:
            try:
                overrides[key] = parse_money(match.group("amount"))
            except BookingOrderError:
                continue
    for key, pattern in _NOTE_PERCENTS:
        match = re.search(r"(?i)\b" + pattern + _LINK + r"(?P<pct>\d+(?:\.\d+)?)\s*%?", text)
        if match:
            overrides[key] = parse_percent(match.group("pct") + "%")
    for key, pattern in _NOTE_TEXTS:
        if key in overrides:
            continue
        match = re.search(r"(?i)\b" + pattern + _TEXT, text)
        if match and match.group("text").strip():
            overrides[key] = match.group("text").strip()[:200]
    number = re.search(
        r"(?i)\b(?:bo|booking\s+order|po)\s*(?:number|no\.?|#)\s*(?:is|=|:)?\s*"
        r"(?P<ref>[A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9])",
        text,
    )
    if number:
        overrides["bo_number"] = number.group("ref")
    currency = re.search(
        r"(?i)\b(?:currency\s*(?:is|=|:)?\s*|in\s+)(?P<code>" + "|".join(CURRENCIES) + r")\b",
        text,
    )
    if currency:
        overrides["currency"] = currency.group("code").upper()
    mentioned = [
        name
        for name in companies
        if name.strip() and re.search(r"(?i)(?<!\w)" + re.escape(name.strip()) + r"(?!\w)", text)
    ]
    if len(mentioned) == 1:
        overrides["company"] = mentioned[0].strip()
    return overrides


def apply_overrides(bo: BookingOrder, overrides: dict[str, Decimal | str]) -> BookingOrder:
    """The user's stated values win over the document's (company first: it guards the client)."""
    ordered = sorted(overrides.items(), key=lambda item: item[0] != "company")
    for key, value in ordered:
        # A stated currency says what the document's figures are in; it is not a conversion.
        is_currency = key == "currency"
        bo = replace(bo, currency=str(value)) if is_currency else apply_edit(bo, key, value)
    return bo
