"""Intake: is this document a booking order, and what does it say?

With an LLM configured the document goes to the model (text for PDFs and office files, the image
for photos) with a strict output schema; without one the deterministic parser reads Excel/CSV and
text PDFs. Nothing here touches the database or storage: bytes in, a `BookingOrder` out.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from salesbot.booking_orders.calculations import BookingOrder
from salesbot.booking_orders.reading.llm import extract_with_llm
from salesbot.booking_orders.reading.results import (
    IMAGE_KINDS,
    IMAGE_NEEDS_AI,
    Extracted,
    ExtractionRefused,
    Kind,
    NeedsLLM,
    ParseError,
    refuse_classification,
)
from salesbot.files.extract import EXTRACTABLE_KINDS, ExtractionError, extract_text
from salesbot.kit.logging import get_logger

log = get_logger(__name__)

PARSER_KINDS: dict[str, Kind] = {"xlsx": "xlsx", "csv": "csv", "pdf": "pdf"}
TEXT_LIMIT = 30_000


def document_text(data: bytes, kind: str, limit: int = TEXT_LIMIT) -> str:
    """Blocking: the document's text (empty for images and unreadable files)."""
    if kind not in EXTRACTABLE_KINDS:
        return ""
    with tempfile.TemporaryDirectory(prefix="salesbot-bo-") as folder:
        path = Path(folder) / f"original.{kind}"
        path.write_bytes(data)
        try:
            return extract_text(path, kind, limit)
        except (ExtractionError, ValueError, OSError):
            return ""


# ---------------------------------------------------------------- extraction


def _has_substance(bo: BookingOrder) -> bool:
    return bool(bo.client or bo.locations or bo.net_pre_vat or bo.bo_number)


def extract_deterministic(
    data: bytes, kind: str, *, company: str, own_companies: Sequence[str], text: str
) -> Extracted:
    """Blocking: classify by keywords and read the document with the deterministic parser."""
    # The parsers bring openpyxl and pypdf: loaded with the first document, not at start-up.
    from salesbot.booking_orders.reading.text import classify_text, parse_document

    if kind in IMAGE_KINDS:
        raise ExtractionRefused(IMAGE_NEEDS_AI, code="needs_ai_provider")
    parser_kind = PARSER_KINDS.get(kind)
    if parser_kind is None:
        raise ExtractionRefused(
            "Booking orders can be read from PDF, Excel (.xlsx) or CSV files, or from a photo "
            "when an AI provider is configured.",
            code="unsupported_document",
        )
    classification = classify_text(text) if text.strip() else "unknown"
    if classification == "artwork":
        raise refuse_classification(classification)
    try:
        result = parse_document(data, parser_kind, company=company, own_companies=own_companies)
    except NeedsLLM as exc:
        raise ExtractionRefused(str(exc), code="needs_ai_provider") from exc
    except ParseError as exc:
        if classification == "unknown":
            raise refuse_classification(classification) from exc
        raise ExtractionRefused(str(exc), code="unreadable_document") from exc
    if classification == "unknown" and not _has_substance(result.bo):
        raise refuse_classification(classification)
    return Extracted(
        bo=result.bo,
        warnings=result.warnings,
        source=result.source,
        classification="booking_order",
        text=text,
    )


async def extract(
    data: bytes,
    kind: str,
    content_type: str,
    *,
    company: str,
    own_companies: Sequence[str],
    model: Any = None,
) -> Extracted:
    """Classify and extract; a failing LLM falls back to the parser where it can read the file."""
    text = await asyncio.to_thread(document_text, data, kind)
    if model is not None:
        try:
            return await extract_with_llm(
                model,
                data,
                kind,
                content_type,
                company=company,
                own_companies=own_companies,
                text=text,
            )
        except ExtractionRefused:
            raise
        except Exception as exc:  # any provider failure: network, quota, invalid output
            log.warning("bo_llm_extraction_failed", error_type=type(exc).__name__)
            if kind not in PARSER_KINDS:
                raise ExtractionRefused(
                    "The AI provider could not read this document right now; please try again "
                    "in a moment, or upload the PDF or Excel instead.",
                    code="ai_provider_failed",
                ) from exc
            fallback = await asyncio.to_thread(
                extract_deterministic,
                data,
                kind,
                company=company,
                own_companies=own_companies,
                text=text,
            )
            note = "The AI provider was unavailable; the document was read without it"
            return replace(fallback, warnings=(*fallback.warnings, note))
    return await asyncio.to_thread(
        extract_deterministic, data, kind, company=company, own_companies=own_companies, text=text
    )
