"""The proposal's PDF as page images for the client page, drawn by the product (pypdfium2)."""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

# pypdfium2 loads with the first page drawn, not with the app (start-up time).

# Wide enough for a sharp slide on a laptop, small enough for a phone on mobile data.
PAGE_WIDTH_PX = 1280
JPEG_QUALITY = 82
# PDFium is not thread-safe: one document operation at a time per process.
_PDFIUM = threading.Lock()


class PdfUnreadable(ValueError):
    """The stored PDF could not be opened (never expected for a file the product made)."""


def page_count(pdf: bytes) -> int:
    import pypdfium2

    with _PDFIUM:
        try:
            document = pypdfium2.PdfDocument(pdf)
        except pypdfium2.PdfiumError as exc:
            raise PdfUnreadable("The proposal's PDF cannot be read.") from exc
        try:
            return len(document)
        finally:
            document.close()


def page_jpeg(pdf: bytes, number: int, width_px: int = PAGE_WIDTH_PX) -> bytes:
    """Page `number` (1-based) as a JPEG `width_px` wide; IndexError when there is no such page."""
    with _PDFIUM:
        image = _render(pdf, number, width_px)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _render(pdf: bytes, number: int, width_px: int) -> Image.Image:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(pdf)
    except pypdfium2.PdfiumError as exc:
        raise PdfUnreadable("The proposal's PDF cannot be read.") from exc
    try:
        if not 1 <= number <= len(document):
            raise IndexError(number)
        page = document[number - 1]
        try:
            scale = width_px / page.get_width()
            bitmap = page.render(scale=scale)
            image: Image.Image = bitmap.to_pil().convert("RGB")
        finally:
            page.close()
    finally:
        document.close()
    return image
