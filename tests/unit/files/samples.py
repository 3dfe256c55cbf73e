"""Builders for small real files of every allowed kind, and for hostile look-alikes."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
from PIL import Image
from pptx import Presentation
from pptx.util import Inches
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from salesbot.kit import fonts

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


async def stream_of(data: bytes, chunk: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), chunk):
        yield data[start : start + chunk]


def image_bytes(fmt: str, size: tuple[int, int] = (16, 12)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width×height pixels but carries almost no data (no pixels allocated)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


def pptx_bytes(slides: list[list[str]]) -> bytes:
    presentation = Presentation()
    layout = presentation.slide_layouts[6]  # blank
    for texts in slides:
        slide = presentation.slides.add_slide(layout)
        for index, text in enumerate(texts):
            box = slide.shapes.add_textbox(Inches(1), Inches(1 + index), Inches(6), Inches(1))
            box.text_frame.text = text
    buf = io.BytesIO()
    presentation.save(buf)
    return buf.getvalue()


def pdf_bytes(pages: list[str]) -> bytes:
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(fonts.REGULAR)))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for text in pages:
        pdf.setFont("DejaVuSans", 12)
        pdf.drawString(72, 720, text)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def docx_bytes(paragraphs: list[str], *, document_xml: str | None = None) -> bytes:
    """A minimal hand-made .docx: content types, package relationship and the main part."""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>' for text in paragraphs
    )
    document = document_xml or (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}">'
        f"<w:body>{body}</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr("word/document.xml", document)
    return buf.getvalue()


def xls_bytes() -> bytes:
    """A minimal OLE2/CFB container with a `Workbook` stream: libmagic calls it an Excel file."""
    end_of_chain, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF

    def entry(name: str, kind: int, child: int = no_stream, start: int = 0, size: int = 0) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, no_stream, no_stream, child)
            + b"\0" * 36
            + struct.pack("<IQ", start, size)
        )

    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\0" * 16
        + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<9I", 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    fat = [fat_sector, end_of_chain, *range(3, 10), end_of_chain]
    fat += [free] * (128 - len(fat))
    directory = (
        entry("Root Entry", 5, child=1, start=end_of_chain)
        + entry("Workbook", 2, start=2, size=4096)
        + entry("", 0) * 2
    )
    bof = struct.pack("<4H", 0x0809, 16, 0x0600, 0x0005) + b"\0" * 12
    return header + struct.pack("<128I", *fat) + directory + bof.ljust(4096, b"\0")


def zip_bomb_xlsx(path: Path, inflated_mib: int = 64) -> None:
    """A would-be workbook whose one sheet inflates ~1000×."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"\0" * (1024 * 1024)
            for _ in range(inflated_mib):
                sheet.write(block)
