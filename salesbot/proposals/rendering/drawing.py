"""Drawing on PPTX slides: the palette, the deck style, shapes, text boxes, backgrounds."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from salesbot.proposals.rendering.theme import rgb_color

DEFAULT_DECK_MARKER = "salesbot-default-deck"
SLIDE_WIDTH = Emu(12192000)  # 13.333 in: 16:9
SLIDE_HEIGHT = Emu(6858000)  # 7.5 in
EMU_PER_PT = 12700
# The layouts were drawn for a 960 x 540 pt slide; other sizes scale proportionally.
BASE_WIDTH_PT = 960.0
BASE_HEIGHT_PT = 540.0

CHARCOAL = "222222"
MUTED = "5F6368"
LIGHT = "F3F4F6"
BORDER = "BFC3C8"
WHITE = "FFFFFF"
TOTAL_FILL = "3C4043"
# "No Style, No Grid": every cell is styled explicitly so PowerPoint and the PDF agree.
NO_STYLE_TABLE = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"

_HEX = re.compile(r"^#?([0-9A-Fa-f]{6})$")


@dataclass(frozen=True)
class DeckStyle:
    """Look of generated slides: an accent colour on a neutral palette."""

    accent: str = "1F4E79"
    company_name: str = ""
    font_name: str = "Arial"

    @property
    def accent_hex(self) -> str:
        match = _HEX.match(self.accent.strip())
        if match is None:
            raise ValueError(f"Accent colour must look like #1F4E79, got '{self.accent[:20]}'")
        return match[1].upper()


# Cover, closing and investment slides of a deck whose locations belong to several companies:
# no company's name or colour on another company's site.
NEUTRAL = DeckStyle(accent="3C4043")


# --------------------------------------------------------------------------- drawing helpers


def emu(points: float) -> Emu:
    return Emu(round(points * EMU_PER_PT))


def slide_scale(prs: Any) -> tuple[float, float, float]:
    """(width pt, height pt, font scale) of a presentation."""
    width = int(prs.slide_width) / EMU_PER_PT
    height = int(prs.slide_height) / EMU_PER_PT
    return width, height, min(width / BASE_WIDTH_PT, height / BASE_HEIGHT_PT)


def new_presentation() -> Any:
    prs = Presentation()
    prs.slide_width = SLIDE_WIDTH
    prs.slide_height = SLIDE_HEIGHT
    prs.core_properties.category = DEFAULT_DECK_MARKER
    return prs


def move_slide(prs: Any, old_index: int, new_index: int) -> None:
    id_list = prs.slides._sldIdLst
    entry = id_list[old_index]
    id_list.remove(entry)
    id_list.insert(new_index, entry)


def add_rect(slide: Any, x: float, y: float, w: float, h: float, fill: str) -> Any:
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, emu(x), emu(y), emu(w), emu(h))
    shape.fill.solid()
    shape.fill.fore_color.rgb = rgb_color(fill)
    shape.line.fill.background()
    style = shape.element.find(qn("p:style"))
    if style is not None:  # the theme's shape style would add an outline and shadow
        shape.element.remove(style)
    return shape


def style_run(run: Any, size: float, color: str, bold: bool, font: str) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    run.font.color.rgb = rgb_color(color)


def add_text(
    slide: Any,
    box: tuple[float, float, float, float],
    text: str,
    size: float,
    style: DeckStyle,
    *,
    color: str = CHARCOAL,
    bold: bool = False,
    align: Any = PP_ALIGN.LEFT,
    anchor: Any = MSO_ANCHOR.TOP,
) -> Any:
    x, y, w, h = box
    shape = slide.shapes.add_textbox(emu(x), emu(y), emu(w), emu(h))
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for margin in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, margin, 0)
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        style_run(paragraph.add_run(), size, color, bold, style.font_name)
        paragraph.runs[0].text = line
    return shape


def set_background(slide: Any, color: str) -> None:
    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = rgb_color(color)


def add_photo(slide: Any, photo: bytes, box: tuple[float, float, float, float]) -> Any:
    """The photo filling `box` (points) without distortion: cropped to the box's shape."""
    x, y, w, h = box
    picture = slide.shapes.add_picture(io.BytesIO(photo), emu(x), emu(y), emu(w), emu(h))
    px_w, px_h = picture.image.size
    if px_w and px_h and w and h:
        photo_ratio, box_ratio = px_w / px_h, w / h
        if photo_ratio > box_ratio:  # wider than the box: trim left and right
            trim = (1 - box_ratio / photo_ratio) / 2
            picture.crop_left = picture.crop_right = trim
        elif photo_ratio < box_ratio:  # taller: trim top and bottom
            trim = (1 - photo_ratio / box_ratio) / 2
            picture.crop_top = picture.crop_bottom = trim
    picture.name = "Location photo"
    return picture
