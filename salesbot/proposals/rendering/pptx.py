"""Proposal decks as PPTX: default location decks, template decks, the investment slide."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.exc import PackageNotFoundError
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Pt

from salesbot.proposals.pricing import InvestmentTable, LocationFacts, TableRow
from salesbot.proposals.rendering.fonts import BOLD, REGULAR, text_height, text_width
from salesbot.proposals.rendering.slide_copy import add_blank_slide, copy_slide
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


class TemplateError(ValueError):
    """An uploaded template deck cannot be used."""


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


# --------------------------------------------------------------------------- drawing helpers


def _emu(points: float) -> Emu:
    return Emu(round(points * EMU_PER_PT))


def _scale(prs: Any) -> tuple[float, float, float]:
    """(width pt, height pt, font scale) of a presentation."""
    width = int(prs.slide_width) / EMU_PER_PT
    height = int(prs.slide_height) / EMU_PER_PT
    return width, height, min(width / BASE_WIDTH_PT, height / BASE_HEIGHT_PT)


def _new_presentation() -> Any:
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


def _rect(slide: Any, x: float, y: float, w: float, h: float, fill: str) -> Any:
    shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, _emu(x), _emu(y), _emu(w), _emu(h))
    shape.fill.solid()
    shape.fill.fore_color.rgb = rgb_color(fill)
    shape.line.fill.background()
    style = shape.element.find(qn("p:style"))
    if style is not None:  # the theme's shape style would add an outline and shadow
        shape.element.remove(style)
    return shape


def _style_run(run: Any, size: float, color: str, bold: bool, font: str) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    run.font.color.rgb = rgb_color(color)


def _text(
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
    shape = slide.shapes.add_textbox(_emu(x), _emu(y), _emu(w), _emu(h))
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for margin in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, margin, 0)
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        _style_run(paragraph.add_run(), size, color, bold, style.font_name)
        paragraph.runs[0].text = line
    return shape


def _set_background(slide: Any, color: str) -> None:
    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = rgb_color(color)


# --------------------------------------------------------------------------- default decks


def _facts_rows(facts: LocationFacts) -> list[tuple[str, str]]:
    rows = [("Display", facts.display_type.capitalize())]
    if facts.width_m is not None and facts.height_m is not None:
        width = format(facts.width_m.normalize(), "f")
        height = format(facts.height_m.normalize(), "f")
        rows.append(("Size", f"{width}m x {height}m"))
    rows.append(("Faces", str(facts.number_of_faces)))
    if facts.display_type == "digital":
        sov = format(facts.sov_pct.normalize(), "f")
        rows += [
            ("Spot length", f"{facts.spot_duration_s} seconds"),
            ("Loop", f"{facts.loop_duration_s} seconds"),
            ("Share of voice", f"{sov}% per spot"),
        ]
    return rows


def _summary(facts: LocationFacts) -> str:
    """ "Digital  ·  7m x 14m  ·  4 faces" under the title."""
    rows = dict(_facts_rows(facts))
    faces = facts.number_of_faces
    parts = [rows["Display"], rows.get("Size", ""), f"{faces} face{'' if faces == 1 else 's'}"]
    return "  ·  ".join(part for part in parts if part)


def _title_slide(prs: Any, kicker: str, title: str, subtitle: str, style: DeckStyle) -> None:
    width, height, s = _scale(prs)
    slide = add_blank_slide(prs)
    _set_background(slide, WHITE)
    accent = style.accent_hex
    _rect(slide, 0, 0, width * 0.03, height, accent)
    left = width * 0.08
    text_w = width * 0.84
    if kicker:
        _text(
            slide,
            (left, height * 0.30, text_w, 24 * s),
            kicker.upper(),
            14 * s,
            style,
            color=accent,
            bold=True,
        )
    _text(
        slide,
        (left, height * 0.36, text_w, height * 0.24),
        title,
        40 * s,
        style,
        bold=True,
        anchor=MSO_ANCHOR.MIDDLE,
    )
    if subtitle:
        _text(slide, (left, height * 0.62, text_w, 60 * s), subtitle, 18 * s, style, color=MUTED)
    if style.company_name:
        _text(
            slide,
            (left, height * 0.88, text_w, 20 * s),
            style.company_name,
            12 * s,
            style,
            color=MUTED,
        )


def _facts_slide(prs: Any, facts: LocationFacts, style: DeckStyle) -> None:
    width, height, s = _scale(prs)
    slide = add_blank_slide(prs)
    _set_background(slide, WHITE)
    accent = style.accent_hex
    left = width * 0.06
    _text(
        slide,
        (left, height * 0.08, width * 0.88, 44 * s),
        facts.display_name,
        28 * s,
        style,
        bold=True,
    )
    _rect(slide, left, height * 0.08 + 48 * s, 64 * s, 4 * s, accent)
    if facts.series:
        _text(
            slide,
            (left, height * 0.08 + 60 * s, width * 0.88, 24 * s),
            facts.series,
            14 * s,
            style,
            color=MUTED,
        )
    rows = _facts_rows(facts)
    columns = 3
    gap = 16 * s
    card_w = (width * 0.88 - gap * (columns - 1)) / columns
    card_h = 96 * s
    top = height * 0.36
    for index, (label, value) in enumerate(rows):
        x = left + (index % columns) * (card_w + gap)
        y = top + (index // columns) * (card_h + gap)
        _rect(slide, x, y, card_w, card_h, LIGHT)
        _rect(slide, x, y, 4 * s, card_h, accent)
        _text(
            slide,
            (x + 18 * s, y + 16 * s, card_w - 30 * s, 18 * s),
            label,
            12 * s,
            style,
            color=MUTED,
        )
        _text(
            slide,
            (x + 18 * s, y + 40 * s, card_w - 30 * s, 40 * s),
            value,
            22 * s,
            style,
            bold=True,
        )


def _closing_slide(prs: Any, style: DeckStyle) -> None:
    width, height, s = _scale(prs)
    slide = add_blank_slide(prs)
    _set_background(slide, style.accent_hex)
    _text(
        slide,
        (0, height * 0.38, width, 60 * s),
        "Thank you",
        44 * s,
        style,
        color=WHITE,
        bold=True,
        align=PP_ALIGN.CENTER,
    )
    if style.company_name:
        _text(
            slide,
            (0, height * 0.38 + 70 * s, width, 30 * s),
            style.company_name,
            18 * s,
            style,
            color=WHITE,
            align=PP_ALIGN.CENTER,
        )


def default_deck(facts: LocationFacts, style: DeckStyle | None = None) -> Any:
    """A clean deck for a location without a template: title, facts, closing slides."""
    style = style or DeckStyle()
    prs = _new_presentation()
    prs.core_properties.title = facts.display_name
    _title_slide(prs, facts.series, facts.display_name, _summary(facts), style)
    _facts_slide(prs, facts, style)
    _closing_slide(prs, style)
    return prs


def render_location_deck(facts: LocationFacts, style: DeckStyle | None = None) -> bytes:
    """The default deck of a location as PPTX bytes (for previews and downloads)."""
    return save(default_deck(facts, style))


def render_cover_pptx(title: str, subtitle: str = "", style: DeckStyle | None = None) -> bytes:
    """A two-slide deck (intro, closing) used around multi-location PDFs."""
    style = style or DeckStyle()
    prs = _new_presentation()
    _title_slide(prs, "Proposal", title, subtitle, style)
    _closing_slide(prs, style)
    return save(prs)


def is_default_deck(pptx: bytes) -> bool:
    """Whether `pptx` was generated by this module (not an uploaded template)."""
    return bool(open_deck(pptx).core_properties.category == DEFAULT_DECK_MARKER)


# --------------------------------------------------------------------------- investment slide


@dataclass(frozen=True)
class _Fonts:
    header: float
    body: float
    total: float


def _cell_text_height(text: str, bold: bool, size: float, width: float) -> float:
    return text_height(text, BOLD if bold else REGULAR, size, width)


def _row_font(row: TableRow, fonts: _Fonts) -> float:
    return fonts.total if row.emphasised else fonts.body


def _words_fit(text: str, bold: bool, size: float, width: float) -> bool:
    font = BOLD if bold else REGULAR
    return all(text_width(word, font, size) <= width for word in text.split())


def _plan_rows(
    table: InvestmentTable,
    widths: tuple[float, float],
    fonts: _Fonts,
    pad: tuple[float, float],
) -> tuple[list[float], bool]:
    """Minimum height of each row (header first), and whether no word has to be broken."""
    label_w, value_w = widths
    pad_x, pad_y = pad
    heights = [fonts.header * 1.2 + 2 * pad_y + fonts.header * 0.4]
    words_fit = _words_fit(table.header, True, fonts.header, label_w + value_w * table.columns)
    for row in table.rows:
        size = _row_font(row, fonts)
        span = table.columns if len(row.values) == 1 else 1
        cell_w = value_w * span - 2 * pad_x
        needed = _cell_text_height(row.label, True, size, label_w - 2 * pad_x)
        for value in row.values:
            needed = max(needed, _cell_text_height(value, row.bold, size, cell_w))
            words_fit = words_fit and _words_fit(value, row.bold, size, cell_w)
        heights.append(needed + 2 * pad_y)
    return heights, words_fit


def _fill_cell(
    cell: Any,
    text: str,
    size: float,
    color: str,
    fill: str,
    bold: bool,
    align: Any,
    style: DeckStyle,
    pad: tuple[float, float],
) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = rgb_color(fill)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    cell.margin_left = cell.margin_right = _emu(pad[0])
    cell.margin_top = cell.margin_bottom = _emu(pad[1])
    frame = cell.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    _style_run(run, size, color, bold, style.font_name)


def _set_borders(cell: Any, color: str, width_pt: float) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    for edge in ("a:lnL", "a:lnR", "a:lnT", "a:lnB"):
        for existing in tc_pr.findall(qn(edge)):
            tc_pr.remove(existing)
        line = OxmlElement(edge)
        line.set("w", str(round(width_pt * EMU_PER_PT)))
        solid = OxmlElement("a:solidFill")
        rgb = OxmlElement("a:srgbClr")
        rgb.set("val", color)
        solid.append(rgb)
        line.append(solid)
        # Borders must precede the cell fill in CT_TableCellProperties.
        tc_pr.insert(["a:lnL", "a:lnR", "a:lnT", "a:lnB"].index(edge), line)


def _plain_table_style(graphic_frame: Any) -> None:
    tbl = graphic_frame.table._tbl
    tbl_pr = tbl.tblPr
    for flag in ("firstRow", "bandRow", "firstCol", "lastRow", "lastCol", "bandCol"):
        if tbl_pr.get(flag) is not None:
            del tbl_pr.attrib[flag]
    style_id = tbl_pr.find(qn("a:tableStyleId"))
    if style_id is None:
        style_id = OxmlElement("a:tableStyleId")
        tbl_pr.append(style_id)
    style_id.text = NO_STYLE_TABLE


def add_investment_slide(prs: Any, table: InvestmentTable, style: DeckStyle) -> Any:
    """Append the investment slide (table, terms, proposal date) to `prs`; returns it."""
    width, height, s = _scale(prs)
    slide = add_blank_slide(prs)
    _set_background(slide, WHITE)
    # A template's background graphics could sit under the table or the proposal date.
    slide.element.set("showMasterSp", "0")
    margin_x = width * 0.045
    top = height * 0.045
    table_w = width - 2 * margin_x
    label_w = table_w * (0.2 if table.columns <= 3 else 0.16)
    value_w = (table_w - label_w) / table.columns

    terms_size = 9.5 * s
    terms_text = "\n".join(f"• {term}" for term in table.terms)
    date_size = 8.5 * s
    # 1.2 × size is single spacing; the terms use 110 % of it (set on their paragraphs below).
    terms_h = text_height(terms_text, REGULAR, terms_size, table_w, 1.2 * 1.1) + 4 * s
    available = height - top - terms_h - 14 * s - date_size * 2.5 - height * 0.02

    factor = 1.0
    while True:
        fonts = _Fonts(header=22 * s * factor, body=12 * s * factor, total=15 * s * factor)
        pad = (6 * s * factor, 3 * s * factor)
        heights, words_fit = _plan_rows(table, (label_w, value_w), fonts, pad)
        if (sum(heights) <= available and words_fit) or factor <= 0.5:
            break
        factor -= 0.05
    # Spread spare room evenly, up to a comfortable row height, so short tables breathe.
    spare = max(available - sum(heights), 0) / len(heights)
    heights = [h + min(spare, max(0.0, 44 * s - h)) for h in heights]

    rows, cols = len(heights), table.columns + 1
    frame = slide.shapes.add_table(
        rows, cols, _emu(margin_x), _emu(top), _emu(table_w), _emu(sum(heights))
    )
    _plain_table_style(frame)
    grid = frame.table
    grid.columns[0].width = _emu(label_w)
    for index in range(1, cols):
        grid.columns[index].width = _emu(value_w)
    for index, row_h in enumerate(heights):
        grid.rows[index].height = _emu(row_h)

    accent = style.accent_hex
    header = grid.cell(0, 0)
    if cols > 1:
        header.merge(grid.cell(0, cols - 1))
    _fill_cell(header, table.header, fonts.header, WHITE, accent, True, PP_ALIGN.CENTER, style, pad)
    for r, row in enumerate(table.rows, start=1):
        size = _row_font(row, fonts)
        fill = TOTAL_FILL if row.emphasised else WHITE
        color = WHITE if row.emphasised else CHARCOAL
        label_fill = TOTAL_FILL if row.emphasised else LIGHT
        _fill_cell(
            grid.cell(r, 0), row.label, size, color, label_fill, True, PP_ALIGN.LEFT, style, pad
        )
        if len(row.values) == 1 and cols > 2:
            grid.cell(r, 1).merge(grid.cell(r, cols - 1))
        for c, value in enumerate(row.values, start=1):
            _fill_cell(
                grid.cell(r, c), value, size, color, fill, row.bold, PP_ALIGN.CENTER, style, pad
            )
    for r in range(rows):
        for c in range(cols):
            _set_borders(grid.cell(r, c), BORDER, 1.0 * s)

    terms_top = top + sum(heights) + 14 * s
    terms = _text(
        slide,
        (margin_x, terms_top, table_w, terms_h),
        terms_text,
        terms_size,
        style,
        color=CHARCOAL,
    )
    for paragraph in terms.text_frame.paragraphs:
        paragraph.line_spacing = 1.1
    date_box = (width - margin_x - 240 * s, height - date_size * 2.5, 240 * s, date_size * 1.6)
    _text(
        slide,
        date_box,
        table.proposal_date_text,
        date_size,
        style,
        color=MUTED,
        align=PP_ALIGN.RIGHT,
    )
    return slide


def _insert_before_last(prs: Any, table: InvestmentTable, style: DeckStyle) -> None:
    count = len(prs.slides)
    add_investment_slide(prs, table, style)
    if count >= 2:
        move_slide(prs, count, count - 1)


# --------------------------------------------------------------------------- public API


def open_deck(pptx: bytes) -> Any:
    """A python-pptx Presentation from bytes; TemplateError when it is not a usable deck."""
    try:
        prs = Presentation(io.BytesIO(pptx))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError):
        raise TemplateError(
            "The template deck could not be opened; please upload it again as a .pptx file"
        ) from None
    if not len(prs.slide_layouts):
        raise TemplateError("The template deck has no slide layouts")
    return prs


def save(prs: Any) -> bytes:
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def render_separate_pptx(
    table: InvestmentTable,
    facts: LocationFacts,
    *,
    template: bytes | None = None,
    style: DeckStyle | None = None,
) -> bytes:
    """One location's deck with its investment slide inserted before the last slide."""
    style = style or DeckStyle()
    prs = open_deck(template) if template is not None else default_deck(facts, style)
    _insert_before_last(prs, table, style)
    return save(prs)


def render_combined_pptx(
    table: InvestmentTable,
    facts: Sequence[LocationFacts],
    *,
    templates: Mapping[str, bytes] | None = None,
    client_name: str = "",
    style: DeckStyle | None = None,
) -> bytes:
    """A package deck: intro, every location's slides, one investment slide, closing.

    Without templates it is one clean generated deck; otherwise the first location's deck
    provides the intro and closing slides and the others' inner slides are copied in.
    """
    style = style or DeckStyle()
    templates = templates or {}
    if not any(f.key in templates for f in facts):
        prs = _new_presentation()
        names = "  ·  ".join(f.display_name for f in facts)
        _title_slide(prs, "Combined Package", client_name or "Combined Package", names, style)
        for location in facts:
            _facts_slide(prs, location, style)
        add_investment_slide(prs, table, style)
        _closing_slide(prs, style)
        return save(prs)

    decks = [
        open_deck(templates[f.key]) if f.key in templates else default_deck(f, style) for f in facts
    ]
    base = decks[0]
    base_count = len(base.slides)
    for source in decks[1:]:
        slides = list(source.slides)
        for slide in slides[1:-1] if len(slides) >= 3 else slides:
            copy_slide(slide, base)
    if base_count >= 2:
        # The base deck's last slide is its closing slide: it goes back to the end.
        move_slide(base, base_count - 1, len(base.slides) - 1)
        _insert_before_last(base, table, style)
    else:
        add_investment_slide(base, table, style)
    return save(base)
