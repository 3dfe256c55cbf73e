"""The BO form as a PDF (same content as the Excel form) and the final combined PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from salesbot.booking_orders.calculations import BookingOrder, Calculated
from salesbot.booking_orders.documents.excel import FormContent, display_value, form_content
from salesbot.booking_orders.documents.templates import FORM_CELLS, SIGNATURE_LABEL, SPLITS_LABEL
from salesbot.kit import fonts

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
_INK = colors.HexColor("#1F2A44")
_RULE = colors.HexColor("#8A93A8")


class PdfError(ValueError):
    """A PDF could not be read or combined (message is safe to show)."""


def register_fonts() -> None:
    """Register the embedded DejaVu fonts with reportlab once (built-in fonts lack glyphs)."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, path in ((FONT, fonts.REGULAR), (FONT_BOLD, fonts.BOLD), (FONT_ITALIC, fonts.ITALIC)):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))


def _text(value: str) -> str:
    """Escape for reportlab's mini-markup and keep line breaks."""
    return escape(value).replace("\n", "<br/>")


@dataclass(frozen=True)
class _Styles:
    title: ParagraphStyle
    banner: ParagraphStyle
    label: ParagraphStyle
    value: ParagraphStyle
    italic: ParagraphStyle
    small: ParagraphStyle


def _styles() -> _Styles:
    title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=18, leading=22, textColor=_INK)
    title.alignment = TA_CENTER
    banner = ParagraphStyle(
        "banner", fontName=FONT_BOLD, fontSize=11, leading=16, textColor=colors.white
    )
    banner.alignment = TA_CENTER
    return _Styles(
        title=title,
        banner=banner,
        label=ParagraphStyle("label", fontName=FONT_BOLD, fontSize=8.5, leading=11, textColor=_INK),
        value=ParagraphStyle("value", fontName=FONT, fontSize=8.5, leading=11),
        italic=ParagraphStyle("sig", fontName=FONT_ITALIC, fontSize=11, leading=14),
        small=ParagraphStyle("small", fontName=FONT, fontSize=8, leading=10, textColor=_RULE),
    )


def _heading(company: str, reference: str | None, styles: _Styles) -> list[object]:
    """The company's name over a 'BOOKING ORDER' banner, and the reference once there is one."""
    story: list[object] = [
        Paragraph(_text(company or "Booking order"), styles.title),
        Spacer(1, 3 * mm),
    ]
    header = Table([[Paragraph("BOOKING ORDER", styles.banner)]], colWidths=[180 * mm])
    header.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), _INK)]))
    story.append(header)
    if reference:
        story += [Spacer(1, 2 * mm), Paragraph(_text(f"Reference: {reference}"), styles.small)]
    story.append(Spacer(1, 6 * mm))
    return story


def _form(content: FormContent, styles: _Styles) -> Table:
    """The form's fields, two label/value pairs a row, as on the Excel form."""
    rows: list[list[object]] = []
    for left, right in zip(FORM_CELLS[0::2], FORM_CELLS[1::2], strict=True):
        rows.append(
            [
                Paragraph(_text(left.label), styles.label),
                Paragraph(_text(display_value(content, left.key, left.kind)), styles.value),
                "",
                Paragraph(_text(right.label), styles.label),
                Paragraph(_text(display_value(content, right.key, right.kind)), styles.value),
            ]
        )
    form = Table(rows, colWidths=[36 * mm, 52 * mm, 4 * mm, 32 * mm, 56 * mm])
    form.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (1, 0), (1, -1), 0.5, _RULE),
                ("LINEBELOW", (4, 0), (4, -1), 0.5, _RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return form


def _splits(content: FormContent, styles: _Styles) -> Table:
    splits = "\n".join((SPLITS_LABEL, *content.splits))
    box = Table([[Paragraph(_text(splits), styles.value)]], colWidths=[180 * mm])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, _RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 18),
            ]
        )
    )
    return box


def _signature(content: FormContent, styles: _Styles) -> Table:
    signature = Table(
        [
            [
                Paragraph(_text(SIGNATURE_LABEL), styles.label),
                Paragraph(_text(content.hos_name or ""), styles.italic),
            ]
        ],
        colWidths=[46 * mm, 80 * mm],
    )
    signature.setStyle(
        TableStyle(
            [("LINEBELOW", (1, 0), (1, 0), 0.5, _RULE), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]
        )
    )
    signature.hAlign = "LEFT"
    return signature


def _checks(calc: Calculated, styles: _Styles) -> list[object]:
    """The warnings and missing data, for a preview."""
    if not (calc.warnings or calc.missing):
        return []
    checks = [f"⚠ {warning}" for warning in calc.warnings]
    if calc.missing:
        checks.append("Missing: " + ", ".join(calc.missing))
    return [Spacer(1, 8 * mm), Paragraph(_text("\n".join(checks)), styles.value)]


def render_form_pdf(
    bo: BookingOrder,
    calc: Calculated,
    *,
    hos_name: str | None = None,
    reference: str | None = None,
    show_checks: bool = False,
) -> bytes:
    """One-page A4 preview of the BO form; `show_checks` adds warnings and missing data."""
    register_fonts()
    content = form_content(bo, calc, hos_name)
    styles = _styles()
    story = _heading(bo.company, reference, styles)
    story += [_form(content, styles), Spacer(1, 6 * mm)]
    story += [_splits(content, styles), Spacer(1, 8 * mm)]
    story.append(_signature(content, styles))
    if show_checks:
        story += _checks(calc, styles)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Booking order {bo.bo_number}".strip(),
        author=bo.company or "Sales Proposal Bot",
        invariant=True,
    )
    document.build(story)
    return out.getvalue()


def combine_final(form_pdf: bytes, stamped_original_pdf: bytes) -> bytes:
    """The final PDF: the form page(s) followed by every page of the stamped original."""
    writer = PdfWriter()
    for part, what in ((form_pdf, "BO form"), (stamped_original_pdf, "stamped original")):
        try:
            writer.append(PdfReader(io.BytesIO(part)))
        except (PyPdfError, ValueError, OSError) as exc:
            raise PdfError(f"The {what} PDF could not be read") from exc
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
