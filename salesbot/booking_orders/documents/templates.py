"""The product's default company BO template (XLSX) and company stamp (PNG), drawn by code."""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image, ImageDraw, ImageFont

from salesbot.kit import fonts

SHEET_NAME = "BO Form"


@dataclass(frozen=True)
class FormCell:
    """One labelled value of the BO form: the label cell and the value cell beside it."""

    key: str
    label: str
    label_cell: str
    value_cell: str
    kind: Literal["text", "amount", "percent"] = "text"


# The cells of domain spec §4 "Excel and PDF"; keys are BO fields or grouped location values.
FORM_CELLS: tuple[FormCell, ...] = (
    FormCell("agency", "Agency:", "A11", "B11"),
    FormCell("bo_number", "BO Number:", "D11", "E11"),
    FormCell("client", "Client:", "A13", "B13"),
    FormCell("bo_date", "BO Date:", "D13", "E13"),
    FormCell("brand_campaign", "Brand/Campaign:", "A15", "B15"),
    FormCell("asset", "Asset:", "D15", "E15"),
    FormCell("start_dates", "Start Date:", "A17", "B17"),
    FormCell("end_dates", "End Date:", "D17", "E17"),
    FormCell("durations", "Campaign Duration:", "A19", "B19"),
    FormCell("category", "Category:", "D19", "E19"),
    FormCell("gross", "Gross Amount:", "A21", "B21", "amount"),
    FormCell("sla_deduction", "SLA Deduction:", "D21", "E21", "amount"),
    FormCell("production_upload_fee", "Production/Upload Fee:", "A23", "B23", "amount"),
    FormCell("municipality_fee", "Municipality Fee:", "D23", "E23", "amount"),
    FormCell("vat", "VAT:", "A25", "B25", "amount"),
    FormCell("payment_terms", "Payment Terms:", "D25", "E25"),
    FormCell("net_pre_vat", "Net Amount (pre-VAT):", "A27", "B27", "amount"),
    FormCell("sales_person", "Sales Person:", "D27", "E27"),
    FormCell("net_excl_sla", "Net excl. SLA:", "A29", "B29", "amount"),
    FormCell("commission_pct", "Commission:", "D29", "E29", "percent"),
)
SPLITS_CELL = "A32"
SPLITS_RANGE = "A32:E37"
SPLITS_LABEL = "Location splits excl SLA:"
SIGNATURE_LABEL_CELL = "A39"
SIGNATURE_LABEL = "Head of Sales Signature"
SIGNATURE_CELL = "B39"

# Dark navy reads as "official" on screen and prints well in grayscale.
_INK = "1F2A44"
_STAMP_RGBA = (28, 63, 170, 255)
# Fixed archive timestamps make the same inputs give the same bytes.
_FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_FIXED_XML_TIME = "2024-01-01T00:00:00Z"


def freeze_xlsx(data: bytes) -> bytes:
    """Rewrite an XLSX with fixed timestamps so identical content gives identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + _FIXED_XML_TIME + m.group(3),
                    text,
                )
                content = text.encode("utf-8")
            frozen = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            frozen.compress_type = zipfile.ZIP_DEFLATED
            frozen.external_attr = 0o600 << 16
            target.writestr(frozen, content)
    return out.getvalue()


_LABEL_FONT = Font(name="DejaVu Sans", size=10, bold=True, color=_INK)
_VALUE_FONT = Font(name="DejaVu Sans", size=10)
_LINE = Side(style="thin", color="8A93A8")
_UNDERLINE = Border(bottom=_LINE)


def _heading(sheet: Worksheet, name: str) -> None:
    """The company's name over a 'BOOKING ORDER' banner."""
    for column, width in {"A": 26, "B": 36, "C": 3, "D": 22, "E": 36}.items():
        sheet.column_dimensions[column].width = width
    sheet.merge_cells("A2:E2")
    sheet["A2"] = name
    sheet["A2"].font = Font(name="DejaVu Sans", size=18, bold=True, color=_INK)
    sheet["A2"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[2].height = 32
    sheet.merge_cells("A4:E4")
    sheet["A4"] = "BOOKING ORDER"
    sheet["A4"].font = Font(name="DejaVu Sans", size=12, bold=True, color="FFFFFF")
    sheet["A4"].fill = PatternFill("solid", fgColor=_INK)
    sheet["A4"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[4].height = 22
    band = PatternFill("solid", fgColor="E8ECF4")
    for column in "ABCDE":
        sheet[f"{column}9"].fill = band


def _form_cells(sheet: Worksheet) -> None:
    for cell in FORM_CELLS:
        sheet[cell.label_cell] = cell.label
        sheet[cell.label_cell].font = _LABEL_FONT
        sheet[cell.label_cell].alignment = Alignment(vertical="top")
        value = sheet[cell.value_cell]
        value.font = _VALUE_FONT
        value.border = _UNDERLINE
        value.alignment = Alignment(vertical="top", wrap_text=True)
        sheet.row_dimensions[value.row].height = 30


def _splits_box(sheet: Worksheet) -> None:
    sheet.merge_cells(SPLITS_RANGE)
    sheet[SPLITS_CELL] = SPLITS_LABEL
    sheet[SPLITS_CELL].font = _VALUE_FONT
    sheet[SPLITS_CELL].alignment = Alignment(vertical="top", wrap_text=True)
    for row in range(32, 38):
        for column in "ABCDE":
            sheet[f"{column}{row}"].border = Border(
                left=_LINE if column == "A" else None,
                right=_LINE if column == "E" else None,
                top=_LINE if row == 32 else None,
                bottom=_LINE if row == 37 else None,
            )


def _signature_and_page(sheet: Worksheet) -> None:
    sheet[SIGNATURE_LABEL_CELL] = SIGNATURE_LABEL
    sheet[SIGNATURE_LABEL_CELL].font = _LABEL_FONT
    sheet[SIGNATURE_CELL].border = _UNDERLINE
    sheet[SIGNATURE_CELL].font = Font(name="DejaVu Sans", size=11, italic=True)
    sheet.row_dimensions[39].height = 30
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_area = "A1:E40"


def default_template(company: str) -> bytes:
    """The product's own BO template for `company`: a styled 'BO Form' sheet with empty values."""
    name = " ".join(company.split()) or "Company"
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME
    book.properties.creator = "Sales Proposal Bot"
    book.properties.title = f"{name} booking order"
    _heading(sheet, name)
    _form_cells(sheet)
    _splits_box(sheet)
    _signature_and_page(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return freeze_xlsx(buffer.getvalue())


# ---------------------------------------------------------------- stamp


def _font(path: object, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _fit_font(
    draw: ImageDraw.ImageDraw, text: str, path: object, max_width: float, start: int
) -> ImageFont.FreeTypeFont:
    size = start
    font = _font(path, size)
    while size > 10 and draw.textlength(text, font=font) > max_width:
        size -= 2
        font = _font(path, size)
    return font


def _arc_text(
    image: Image.Image,
    text: str,
    font: ImageFont.FreeTypeFont,
    radius: float,
    top: bool,
) -> None:
    """Letters along the ring: the top arc reads clockwise, the bottom arc left to right."""
    cx, cy = image.width / 2, image.height / 2
    widths = [font.getlength(char) for char in text]
    total = sum(widths) / radius
    # Angles are clockwise from 12 o'clock, in radians.
    angle = -total / 2 if top else math.pi + total / 2
    for char, width in zip(text, widths, strict=True):
        step = width / radius
        middle = angle + step / 2 if top else angle - step / 2
        angle = angle + step if top else angle - step
        if not char.strip():
            continue
        box = int(font.size * 1.6)
        glyph = Image.new("RGBA", (box, box), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (box / 2, box / 2), char, font=font, fill=_STAMP_RGBA, anchor="mm"
        )
        turn = math.degrees(middle) if top else math.degrees(middle) - 180
        glyph = glyph.rotate(-turn, resample=Image.Resampling.BICUBIC)
        x = cx + radius * math.sin(middle)
        y = cy - radius * math.cos(middle)
        image.alpha_composite(glyph, (round(x - box / 2), round(y - box / 2)))


def default_stamp(company: str, shape: Literal["round", "rectangle"] = "round") -> bytes:
    """A company stamp PNG on a transparent background (deterministic)."""
    name = " ".join(company.split()).upper() or "COMPANY"
    if shape == "rectangle":
        image = Image.new("RGBA", (820, 360), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((8, 8, 811, 351), radius=28, outline=_STAMP_RGBA, width=12)
        draw.rounded_rectangle((34, 34, 785, 325), radius=16, outline=_STAMP_RGBA, width=4)
        font = _fit_font(draw, name, fonts.BOLD, 680, 96)
        draw.text((410, 150), name, font=font, fill=_STAMP_RGBA, anchor="mm")
        small = _font(fonts.BOLD, 44)
        draw.line((120, 222, 700, 222), fill=_STAMP_RGBA, width=4)
        draw.text((410, 268), "APPROVED", font=small, fill=_STAMP_RGBA, anchor="mm")
    else:
        size = 640
        image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        draw.ellipse((8, 8, size - 9, size - 9), outline=_STAMP_RGBA, width=14)
        draw.ellipse((118, 118, size - 119, size - 119), outline=_STAMP_RGBA, width=6)
        ring_font = _font(fonts.BOLD, 54)
        # Long names shrink so the top arc never wraps past the side stars.
        while ring_font.size > 24 and ring_font.getlength(name) / 255 > math.pi * 0.8:
            ring_font = _font(fonts.BOLD, int(ring_font.size) - 2)
        _arc_text(image, name, ring_font, 255, top=True)
        _arc_text(image, "BOOKING ORDER", _font(fonts.BOLD, 44), 255, top=False)
        star = _font(fonts.REGULAR, 40)
        draw.text((62, size / 2), "★", font=star, fill=_STAMP_RGBA, anchor="mm")
        draw.text((size - 62, size / 2), "★", font=star, fill=_STAMP_RGBA, anchor="mm")
        centre = _fit_font(draw, "APPROVED", fonts.BOLD, 340, 64)
        draw.line((170, 262, size - 170, 262), fill=_STAMP_RGBA, width=5)
        draw.text((size / 2, size / 2), "APPROVED", font=centre, fill=_STAMP_RGBA, anchor="mm")
        draw.line((170, 378, size - 170, 378), fill=_STAMP_RGBA, width=5)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
