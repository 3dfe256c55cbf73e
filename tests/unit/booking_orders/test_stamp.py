from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from salesbot.booking_orders.documents.stamp import (
    CORNER_ORDER,
    Corner,
    StampError,
    choose_corner,
    ink_share,
    spot_box,
    stamp_document,
)
from salesbot.booking_orders.documents.templates import default_stamp

STAMP = default_stamp("Viola")


def _page(size: int = 1000) -> np.ndarray:
    return np.full((size, size), 255, dtype=np.uint8)


def _ink(gray: np.ndarray, corner: Corner, rows: int | None = None) -> None:
    x0, y0, x1, y1 = spot_box(gray.shape[1], gray.shape[0], corner)
    gray[y0 : y0 + (rows if rows is not None else y1 - y0), x0:x1] = 0


def test_a_blank_page_takes_the_bottom_right() -> None:
    assert choose_corner(_page()) is Corner.BOTTOM_RIGHT


@pytest.mark.parametrize("inked", range(1, 4))
def test_inked_corners_are_skipped_in_order(inked: int) -> None:
    gray = _page()
    for corner in CORNER_ORDER[:inked]:
        _ink(gray, corner)
    assert choose_corner(gray) is CORNER_ORDER[inked]


def test_a_spot_qualifies_at_exactly_ten_percent_ink() -> None:
    gray = _page()
    # The spot is 250 × 250; 25 inked rows are 10 %, 26 rows are 10.4 %.
    _ink(gray, Corner.BOTTOM_RIGHT, rows=25)
    assert ink_share(gray, Corner.BOTTOM_RIGHT) == pytest.approx(0.10)
    assert choose_corner(gray) is Corner.BOTTOM_RIGHT
    _ink(gray, Corner.BOTTOM_RIGHT, rows=26)
    assert choose_corner(gray) is Corner.BOTTOM_LEFT


def test_when_no_spot_qualifies_the_least_inked_wins() -> None:
    gray = _page()
    for corner, rows in zip(CORNER_ORDER, (250, 200, 60, 120), strict=True):
        _ink(gray, corner, rows=rows)
    assert choose_corner(gray) is Corner.TOP_RIGHT


def test_choose_corner_needs_a_grayscale_image() -> None:
    with pytest.raises(ValueError, match="2-D grayscale"):
        choose_corner(np.zeros((10, 10, 3), dtype=np.uint8))


# ---------------------------------------------------------------- whole documents


def _document(rotate: int = 0) -> bytes:
    """Two A4 pages: text at the top of page 1 and a black block in its bottom-right corner."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for line in range(20):
        canvas.drawString(60, 780 - line * 14, f"Booking order line {line}: client, net, dates")
    canvas.rect(395, 25, 180, 180, fill=1)
    canvas.showPage()
    canvas.drawString(72, 400, "Terms and conditions")
    canvas.showPage()
    canvas.save()
    if not rotate:
        return out.getvalue()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(out.getvalue())))
    writer.pages[0].rotate(rotate)
    rotated = io.BytesIO()
    writer.write(rotated)
    return rotated.getvalue()


def _render(pdf: bytes, index: int = 0) -> np.ndarray:
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[index].render(scale=1).to_pil().convert("RGB")
        return np.asarray(image).astype(int)
    finally:
        document.close()


def _changed(before: np.ndarray, after: np.ndarray, corner: Corner) -> int:
    x0, y0, x1, y1 = spot_box(before.shape[1], before.shape[0], corner)
    diff = np.abs(before[y0:y1, x0:x1] - after[y0:y1, x0:x1]).sum(axis=2)
    return int(np.count_nonzero(diff > 60))


def _stamp_blue(image: np.ndarray, corner: Corner) -> int:
    x0, y0, x1, y1 = spot_box(image.shape[1], image.shape[0], corner)
    spot = image[y0:y1, x0:x1]
    return int(np.count_nonzero((spot[..., 2] - spot[..., 0]) > 60))


def test_a_document_inked_bottom_right_is_stamped_bottom_left() -> None:
    original = _document()
    stamped = stamp_document(original, "pdf", STAMP, "01-03-2025")
    before, after = _render(original), _render(stamped)
    assert _stamp_blue(after, Corner.BOTTOM_LEFT) > 500
    assert _changed(before, after, Corner.BOTTOM_LEFT) > 500
    for untouched in (Corner.BOTTOM_RIGHT, Corner.TOP_RIGHT, Corner.TOP_LEFT):
        assert _changed(before, after, untouched) == 0, untouched
    assert len(PdfReader(io.BytesIO(stamped)).pages) == 2
    assert np.array_equal(_render(original, 1), _render(stamped, 1))
    assert "01-03-2025" in (PdfReader(io.BytesIO(stamped)).pages[0].extract_text() or "")


def test_a_rotated_first_page_is_stamped_where_it_is_seen_empty() -> None:
    # Upside down: the text shows at the bottom-right and the block at the top-left.
    original = _document(rotate=180)
    before = _render(original)
    gray = np.asarray(Image.fromarray(before.astype(np.uint8)).convert("L"))
    expected = choose_corner(gray)
    assert expected is Corner.BOTTOM_LEFT
    after = _render(stamp_document(original, "pdf", STAMP, "31-12-2025"))
    assert after.shape == before.shape
    assert _stamp_blue(after, expected) > 500
    for other in CORNER_ORDER:
        if other is not expected:
            assert _changed(before, after, other) == 0, other


def test_an_image_original_becomes_a_stamped_pdf() -> None:
    photo = Image.new("RGB", (1200, 1600), "white")
    ImageDraw.Draw(photo).rectangle((850, 1150, 1199, 1599), fill="black")
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG")
    stamped = stamp_document(buffer.getvalue(), "image", STAMP, "01-03-2025")
    assert len(PdfReader(io.BytesIO(stamped)).pages) == 1
    after = _render(stamped)
    assert _stamp_blue(after, Corner.BOTTOM_LEFT) > 200
    assert _stamp_blue(after, Corner.BOTTOM_RIGHT) == 0
    assert _stamp_blue(after, Corner.TOP_LEFT) == 0


def test_bad_inputs_get_clear_errors() -> None:
    with pytest.raises(StampError, match="31-03-2025"):
        stamp_document(_document(), "pdf", STAMP, "2025-03-01")
    with pytest.raises(StampError, match="could not be read as a PDF"):
        stamp_document(b"not a pdf", "pdf", STAMP, "01-03-2025")
    with pytest.raises(StampError, match="could not be read as an image"):
        stamp_document(b"not an image", "image", STAMP, "01-03-2025")
    with pytest.raises(StampError, match="stamp image could not be read"):
        stamp_document(_document(), "pdf", b"nope", "01-03-2025")
