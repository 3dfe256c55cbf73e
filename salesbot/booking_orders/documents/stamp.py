"""Stamp page 1 of an approved booking order with the company stamp and date (emptiest corner)."""

from __future__ import annotations

import io
import re
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PyPdfError
from reportlab.lib.colors import Color
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from salesbot.booking_orders.documents.pdf import FONT_BOLD, register_fonts
from salesbot.kit import fonts


class Corner(StrEnum):
    BOTTOM_RIGHT = "bottom_right"
    BOTTOM_LEFT = "bottom_left"
    TOP_RIGHT = "top_right"
    TOP_LEFT = "top_left"


CORNER_ORDER = (Corner.BOTTOM_RIGHT, Corner.BOTTOM_LEFT, Corner.TOP_RIGHT, Corner.TOP_LEFT)
# The stamp spot is a square a quarter of the page's shorter side, set in from the edge.
SPOT_FRACTION = 0.25
MARGIN_FRACTION = 0.03
# Gray levels below this are ink (scans put blank paper around 230–255).
INK_LEVEL = 160
# A spot qualifies when at most this share of it is ink (domain spec §4).
MAX_INK_SHARE = 0.10
# 108 dpi: enough to see thin text, cheap to render.
RENDER_SCALE = 1.5
# Longest side of a photographed order in the stamped PDF (A4 at 300 dpi).
MAX_IMAGE_SIDE = 3508
_STAMP_RGB = (28, 63, 170)
_DATE_RE = re.compile(r"(0[1-9]|[12]\d|3[01])-(0[1-9]|1[0-2])-\d{4}")

GrayImage = npt.NDArray[Any]


class StampError(ValueError):
    """The original document or stamp cannot be used (message is safe to show)."""


def spot_box(width: int, height: int, corner: Corner) -> tuple[int, int, int, int]:
    """The stamp spot in pixels, `(x0, y0, x1, y1)` with the origin at the top-left."""
    side = max(1, round(min(width, height) * SPOT_FRACTION))
    margin = round(min(width, height) * MARGIN_FRACTION)
    left = corner in (Corner.BOTTOM_LEFT, Corner.TOP_LEFT)
    top = corner in (Corner.TOP_LEFT, Corner.TOP_RIGHT)
    x0 = margin if left else max(0, width - margin - side)
    y0 = margin if top else max(0, height - margin - side)
    return x0, y0, min(width, x0 + side), min(height, y0 + side)


def ink_share(gray: GrayImage, corner: Corner) -> float:
    """Share of the corner's spot that is ink (0–1)."""
    x0, y0, x1, y1 = spot_box(gray.shape[1], gray.shape[0], corner)
    spot = gray[y0:y1, x0:x1]
    return float(np.count_nonzero(spot < INK_LEVEL)) / max(1, spot.size)


def choose_corner(gray_image: GrayImage) -> Corner:
    """First corner (BR, BL, TR, TL) whose spot is ≤ 10 % ink, else the least-inked one."""
    if gray_image.ndim != 2 or gray_image.size == 0:
        raise ValueError("choose_corner needs a non-empty 2-D grayscale image")
    shares = {corner: ink_share(gray_image, corner) for corner in CORNER_ORDER}
    for corner in CORNER_ORDER:
        if shares[corner] <= MAX_INK_SHARE:
            return corner
    return min(CORNER_ORDER, key=lambda corner: shares[corner])


def _layout(
    box: tuple[float, float, float, float], stamp_size: tuple[int, int]
) -> tuple[tuple[float, float, float, float], tuple[float, float, float]]:
    """Place the stamp in the top of a spot and the date line under it (top-left origin).

    Returns the stamp rectangle (x, y, w, h) and the date's centre x, baseline y and font size.
    """
    x0, y0, x1, y1 = box
    side_w, side_h = x1 - x0, y1 - y0
    date_size = side_h * 0.11
    room_h = side_h - date_size * 1.5
    ratio = min(side_w / stamp_size[0], room_h / stamp_size[1])
    width, height = stamp_size[0] * ratio, stamp_size[1] * ratio
    stamp_x = x0 + (side_w - width) / 2
    # Sit the stamp on the date line so a wide stamp and its date read as one mark.
    stamp_y = y0 + room_h - height
    baseline = y0 + room_h + date_size * 1.15
    return (stamp_x, stamp_y, width, height), (x0 + side_w / 2, baseline, date_size)


def _load_stamp(stamp_png: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(stamp_png)) as opened:
            return opened.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise StampError("The company stamp image could not be read") from exc


def _stamp_pdf(original: bytes, stamp: Image.Image, date_text: str) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(original))
        if reader.is_encrypted and not reader.decrypt(""):
            raise StampError("The original PDF is password-protected")
        if len(reader.pages) == 0:
            raise StampError("The original PDF has no pages")
        writer = PdfWriter(clone_from=reader)
    except (PyPdfError, ValueError, OSError) as exc:
        if isinstance(exc, StampError):
            raise
        raise StampError("The original document could not be read as a PDF") from exc

    try:
        rendered = pdfium.PdfDocument(original)
        try:
            bitmap = rendered[0].render(scale=RENDER_SCALE, grayscale=True)
            gray = np.asarray(bitmap.to_pil().convert("L"))
        finally:
            rendered.close()
    except pdfium.PdfiumError as exc:
        raise StampError("Page 1 of the original PDF could not be rendered") from exc
    corner = choose_corner(gray)
    pixel_box = spot_box(gray.shape[1], gray.shape[0], corner)

    page = writer.pages[0]
    # pdfium renders the page as displayed; make the content match that orientation.
    if page.rotation % 360:
        page.transfer_rotation_to_content()
    crop = page.cropbox
    page_w, page_h = float(crop.width), float(crop.height)
    scale_x, scale_y = page_w / gray.shape[1], page_h / gray.shape[0]
    box = (
        pixel_box[0] * scale_x,
        pixel_box[1] * scale_y,
        pixel_box[2] * scale_x,
        pixel_box[3] * scale_y,
    )
    (sx, sy, sw, sh), (date_x, baseline, date_size) = _layout(box, stamp.size)

    register_fonts()
    overlay = io.BytesIO()
    canvas = Canvas(overlay, pagesize=(page_w, page_h), invariant=True)
    # reportlab's origin is bottom-left.
    canvas.drawImage(ImageReader(stamp), sx, page_h - sy - sh, sw, sh, mask="auto")
    canvas.setFillColor(Color(*(c / 255 for c in _STAMP_RGB)))
    canvas.setFont(FONT_BOLD, date_size)
    canvas.drawCentredString(date_x, page_h - baseline, date_text)
    canvas.save()
    overlay_page = PdfReader(io.BytesIO(overlay.getvalue())).pages[0]
    page.merge_transformed_page(
        overlay_page, Transformation().translate(float(crop.left), float(crop.bottom))
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stamp_image(original: bytes, stamp: Image.Image, date_text: str) -> bytes:
    try:
        with Image.open(io.BytesIO(original)) as opened:
            # Phone photos store their orientation in EXIF.
            image = ImageOps.exif_transpose(opened).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise StampError("The original document could not be read as an image") from exc
    if max(image.size) > MAX_IMAGE_SIDE:
        image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE), Image.Resampling.LANCZOS)
    gray = np.asarray(image.convert("L"))
    corner = choose_corner(gray)
    box = tuple(float(v) for v in spot_box(image.width, image.height, corner))
    (sx, sy, sw, sh), (date_x, baseline, date_size) = _layout(
        (box[0], box[1], box[2], box[3]), stamp.size
    )
    resized = stamp.resize((max(1, round(sw)), max(1, round(sh))), Image.Resampling.LANCZOS)
    image.paste(resized, (round(sx), round(sy)), resized)
    font = ImageFont.truetype(str(fonts.BOLD), max(6, round(date_size)))
    ImageDraw.Draw(image).text(
        (date_x, baseline), date_text, font=font, fill=_STAMP_RGB, anchor="ms"
    )
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=150.0)
    return out.getvalue()


def stamp_document(
    original: bytes, kind: Literal["pdf", "image"], stamp_png: bytes, date_text: str
) -> bytes:
    """Page 1 stamped with the company stamp and `date_text` (DD-MM-YYYY); returns PDF bytes.

    A PDF keeps its other pages untouched; an image original becomes a one-page PDF.
    """
    if not _DATE_RE.fullmatch(date_text):
        raise StampError("The stamp date must look like 31-03-2025")
    stamp = _load_stamp(stamp_png)
    if kind == "pdf":
        return _stamp_pdf(original, stamp, date_text)
    if kind == "image":
        return _stamp_image(original, stamp, date_text)
    raise StampError("Only PDF and image originals can be stamped")
