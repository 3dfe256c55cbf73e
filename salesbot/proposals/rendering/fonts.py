"""Embedded-font text metrics shared by the PPTX layout and the PDF renderer."""

from __future__ import annotations

import threading
from functools import lru_cache

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from salesbot.kit import fonts

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
# DejaVu ships no bold-italic in the kit; bold reads better than italic for emphasis.
BOLD_ITALIC = BOLD

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the embedded DejaVu fonts with reportlab once per process."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        pdfmetrics.registerFont(TTFont(REGULAR, str(fonts.REGULAR)))
        pdfmetrics.registerFont(TTFont(BOLD, str(fonts.BOLD)))
        pdfmetrics.registerFont(TTFont(ITALIC, str(fonts.ITALIC)))
        pdfmetrics.registerFontFamily(
            REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC
        )
        _registered = True


def font_for(bold: bool, italic: bool) -> str:
    if bold:
        return BOLD
    return ITALIC if italic else REGULAR


@lru_cache(maxsize=8192)
def text_width(text: str, font: str, size: float) -> float:
    """Width in points of `text` set in an embedded font."""
    register_fonts()
    width: float = pdfmetrics.stringWidth(text, font, size)
    return width


def _split_long_word(word: str, font: str, size: float, width: float) -> list[str]:
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and text_width(current + char, font, size) > width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap of `text` (which may contain newlines) to `width` points."""
    lines: list[str] = []
    for paragraph in text.replace("\v", "\n").split("\n"):
        words = paragraph.split(" ")
        current = ""
        for word in words:
            candidate = word if not current else f"{current} {word}"
            if text_width(candidate, font, size) <= width or (not current and not word):
                current = candidate
                continue
            if current:
                lines.append(current)
            if text_width(word, font, size) <= width:
                current = word
            else:
                *full, current = _split_long_word(word, font, size, max(width, size))
                lines.extend(full)
        lines.append(current)
    return lines


def text_height(
    text: str, font: str, size: float, width: float, line_spacing: float = 1.2
) -> float:
    """Height in points of `text` wrapped to `width`."""
    return len(wrap_lines(text, font, size, width)) * size * line_spacing


@lru_cache(maxsize=1024)
def hex_color(value: str) -> Color:
    """reportlab colour from "1F4E79" (cached: parsing colour strings is slow)."""
    color: Color = HexColor(f"#{value}")
    return color
