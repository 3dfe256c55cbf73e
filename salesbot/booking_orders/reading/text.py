"""Booking orders from text: labelled fields and a locations table in a text PDF; telling a
booking order from artwork by its words."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Literal

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from salesbot.booking_orders.reading.collected import Collected, build
from salesbot.booking_orders.reading.grid import parse_csv, parse_xlsx
from salesbot.booking_orders.reading.labels import LABEL_INDEX, MAX_ROWS, normalise_label
from salesbot.booking_orders.reading.results import Kind, NeedsLLM, ParseError, ParseResult
from salesbot.kit.parse import find_dates


def _table_line(line: str) -> dict[str, object] | None:
    """'UAE02  1st March 2025  31st March 2025  AED 160,000.00' → a location row."""
    # Two-digit years as parse_date reads them in documents ("1-Mar-25").
    dates = find_dates(line, short_years=True)
    if len(dates) < 2:
        return None
    name = line[: dates[0].start].strip(" -|\t")
    rest = line[dates[1].end :]
    numbers = re.findall(r"\d[\d,]*(?:\.\d+)?", rest)
    if not name or not numbers:
        return None
    return {
        "name": name,
        "start_date": dates[0].text,
        "end_date": dates[1].text,
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
            key = LABEL_INDEX.get(normalise_label(line[start:colon]))
            if key:
                found.append((key, start, colon + 1))
                search_from = colon + 1
                break
    pairs: list[tuple[str, str]] = []
    for index, (key, _start, value_start) in enumerate(found):
        end = found[index + 1][1] if index + 1 < len(found) else len(line)
        pairs.append((key, line[value_start:end].strip()))
    return pairs


def parse_text(text: str) -> Collected:
    """Labelled fields ('Client: Nike') and a locations table from extracted PDF text."""
    collected = Collected()
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
    bo, warnings = build(collected, company, own_companies)
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
