from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from salesbot.booking_orders.calculations import calculate
from salesbot.booking_orders.documents.pdf import PdfError, combine_final, render_form_pdf
from tests.unit.booking_orders._sample import worked_example
from tests.unit.default_terms import VAT_PCT


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def _original(pages: int) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for number in range(pages):
        canvas.drawString(72, 700, f"Original page {number + 1}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_form_pdf_shows_the_same_content_as_the_excel_form() -> None:
    bo = worked_example()
    pdf = render_form_pdf(
        bo, calculate(bo, VAT_PCT), hos_name="Omar Haddad", reference="BO-2025-0001"
    )
    text = _text(pdf)
    for expected in (
        "Viola",
        "BO-2025-0001",
        "DPD-112652",
        "Nike",
        "20th February 2025",
        "485,646.00 AED",
        "46,000.00 AED",
        "23,126.00 AED",
        "462,520.00 AED",
        "416,520.00 AED",
        "5 %",
        "Location splits excl SLA:",
        "UAE02: 144,000.00 AED",
        "UAE21: 126,000.00 AED",
        "UAE21: 15th March 2025",
        "Head of Sales Signature",
        "Omar Haddad",
    ):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    resources: Any = reader.pages[0]["/Resources"]
    fonts = {str(font.get_object()["/BaseFont"]) for font in resources["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts)


def test_form_pdf_can_show_checks_and_is_deterministic() -> None:
    bo = worked_example(net_pre_vat=Decimal("470000"), client="")
    calc = calculate(bo, VAT_PCT)
    text = _text(render_form_pdf(bo, calc, show_checks=True))
    assert "doesn't match net (470,000.00)" in text
    assert "Missing: Client" in text
    assert "Missing" not in _text(render_form_pdf(bo, calc))
    assert render_form_pdf(bo, calc) == render_form_pdf(bo, calc)


def test_combine_final_puts_the_form_first_then_every_original_page() -> None:
    bo = worked_example()
    combined = combine_final(render_form_pdf(bo, calculate(bo, VAT_PCT)), _original(2))
    pages = PdfReader(io.BytesIO(combined)).pages
    assert len(pages) == 3
    assert "BOOKING ORDER" in (pages[0].extract_text() or "")
    assert "Original page 1" in (pages[1].extract_text() or "")
    assert "Original page 2" in (pages[2].extract_text() or "")


def test_combine_final_refuses_a_broken_pdf() -> None:
    with pytest.raises(PdfError, match="stamped original PDF could not be read"):
        combine_final(_original(1), b"%PDF-broken")
