"""What reading a document produces, and how it refuses one that is not a booking order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from salesbot.booking_orders.calculations import BookingOrder

Source = Literal["template", "table", "pdf_text"]
Kind = Literal["xlsx", "csv", "pdf", "image"]
Classification = Literal["booking_order", "artwork", "unknown"]
IMAGE_NEEDS_AI = (
    "Reading a photographed booking order needs an AI provider; upload the PDF or Excel instead."
)
IMAGE_KINDS = frozenset({"jpeg", "png", "gif", "webp", "bmp"})


class ParseError(ValueError):
    """A document could not be read (message is safe to show)."""


class NeedsLLM(ParseError):
    """The document has no readable text: extracting it needs an LLM provider."""


@dataclass(frozen=True)
class ParseResult:
    bo: BookingOrder
    warnings: tuple[str, ...] = ()
    source: Source = "table"


class ExtractionRefused(ValueError):
    """The document is not something a booking order can be made from (message is safe to show)."""

    def __init__(self, message: str, *, code: str, classification: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.classification = classification


@dataclass(frozen=True)
class Extracted:
    bo: BookingOrder
    warnings: tuple[str, ...]
    source: str  # template | table | pdf_text | llm
    classification: Classification
    text: str = ""


def refuse_classification(classification: str) -> ExtractionRefused:
    if classification == "artwork":
        message = (
            "This looks like artwork, not a booking order (classified as: artwork). "
            "Upload the client's signed booking order instead."
        )
    else:
        message = (
            "This doesn't look like a booking order (classified as: not a booking order). "
            "Upload the client's signed booking order as a PDF, Excel or CSV file."
        )
    return ExtractionRefused(message, code="not_a_booking_order", classification=classification)
