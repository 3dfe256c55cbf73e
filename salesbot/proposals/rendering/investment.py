"""The investment slide: the pricing table, the terms and the proposal date, fitted to the slide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement

from salesbot.proposals.priced import InvestmentTable, TableRow
from salesbot.proposals.rendering.drawing import (
    BORDER,
    CHARCOAL,
    EMU_PER_PT,
    LIGHT,
    MUTED,
    NO_STYLE_TABLE,
    TOTAL_FILL,
    WHITE,
    DeckStyle,
    add_text,
    emu,
    set_background,
    slide_scale,
    style_run,
)
from salesbot.proposals.rendering.fonts import BOLD, REGULAR, text_height, text_width
from salesbot.proposals.rendering.slide_copy import add_blank_slide
from salesbot.proposals.rendering.theme import rgb_color


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
    cell.margin_left = cell.margin_right = emu(pad[0])
    cell.margin_top = cell.margin_bottom = emu(pad[1])
    frame = cell.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    style_run(run, size, color, bold, style.font_name)


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


@dataclass(frozen=True)
class _InvestmentLayout:
    """Where the parts of an investment slide go, in points; `s` scales fonts to the slide."""

    width: float
    height: float
    s: float
    margin_x: float
    top: float
    table_w: float
    label_w: float
    value_w: float
    terms_text: str
    terms_size: float
    terms_h: float
    date_size: float

    @property
    def table_room(self) -> float:
        """Height left for the table above the terms and the proposal date."""
        h, s = self.height, self.s
        return h - self.top - self.terms_h - 14 * s - self.date_size * 2.5 - h * 0.02


def _investment_layout(prs: Any, table: InvestmentTable) -> _InvestmentLayout:
    width, height, s = slide_scale(prs)
    margin_x = width * 0.045
    table_w = width - 2 * margin_x
    label_w = table_w * (0.2 if table.columns <= 3 else 0.16)
    terms_size = 9.5 * s
    terms_text = "\n".join(f"• {term}" for term in table.terms)
    # 1.2 × size is single spacing; the terms use 110 % of it (set on their paragraphs).
    terms_h = text_height(terms_text, REGULAR, terms_size, table_w, 1.2 * 1.1) + 4 * s
    return _InvestmentLayout(
        width=width,
        height=height,
        s=s,
        margin_x=margin_x,
        top=height * 0.045,
        table_w=table_w,
        label_w=label_w,
        value_w=(table_w - label_w) / table.columns,
        terms_text=terms_text,
        terms_size=terms_size,
        terms_h=terms_h,
        date_size=8.5 * s,
    )


def _fit_rows(
    table: InvestmentTable, layout: _InvestmentLayout
) -> tuple[_Fonts, tuple[float, float], list[float]]:
    """Fonts, cell padding and row heights: shrink fonts until the table fits (down to half)."""
    s, available = layout.s, layout.table_room
    factor = 1.0
    while True:
        fonts = _Fonts(header=22 * s * factor, body=12 * s * factor, total=15 * s * factor)
        pad = (6 * s * factor, 3 * s * factor)
        heights, words_fit = _plan_rows(table, (layout.label_w, layout.value_w), fonts, pad)
        if (sum(heights) <= available and words_fit) or factor <= 0.5:
            break
        factor -= 0.05
    # Spread spare room evenly, up to a comfortable row height, so short tables breathe.
    spare = max(available - sum(heights), 0) / len(heights)
    return fonts, pad, [h + min(spare, max(0.0, 44 * s - h)) for h in heights]


def _add_investment_table(
    slide: Any, table: InvestmentTable, layout: _InvestmentLayout, style: DeckStyle
) -> float:
    """Draw the table; returns its height."""
    fonts, pad, heights = _fit_rows(table, layout)
    rows, cols = len(heights), table.columns + 1
    frame = slide.shapes.add_table(
        rows,
        cols,
        emu(layout.margin_x),
        emu(layout.top),
        emu(layout.table_w),
        emu(sum(heights)),
    )
    _plain_table_style(frame)
    grid = frame.table
    grid.columns[0].width = emu(layout.label_w)
    for index in range(1, cols):
        grid.columns[index].width = emu(layout.value_w)
    for index, row_h in enumerate(heights):
        grid.rows[index].height = emu(row_h)

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
            _set_borders(grid.cell(r, c), BORDER, 1.0 * layout.s)
    return sum(heights)


def _add_terms_and_date(
    slide: Any, table: InvestmentTable, layout: _InvestmentLayout, top: float, style: DeckStyle
) -> None:
    box = (layout.margin_x, top, layout.table_w, layout.terms_h)
    terms = add_text(slide, box, layout.terms_text, layout.terms_size, style, color=CHARCOAL)
    for paragraph in terms.text_frame.paragraphs:
        paragraph.line_spacing = 1.1
    s, size = layout.s, layout.date_size
    date_box = (
        layout.width - layout.margin_x - 240 * s,
        layout.height - size * 2.5,
        240 * s,
        size * 1.6,
    )
    add_text(
        slide,
        date_box,
        table.proposal_date_text,
        size,
        style,
        color=MUTED,
        align=PP_ALIGN.RIGHT,
    )


def add_investment_slide(prs: Any, table: InvestmentTable, style: DeckStyle) -> Any:
    """Append the investment slide (table, terms, proposal date) to `prs`; returns it."""
    layout = _investment_layout(prs, table)
    slide = add_blank_slide(prs)
    set_background(slide, WHITE)
    # A template's background graphics could sit under the table or the proposal date.
    slide.element.set("showMasterSp", "0")
    table_h = _add_investment_table(slide, table, layout, style)
    _add_terms_and_date(slide, table, layout, layout.top + table_h + 14 * layout.s, style)
    return slide
