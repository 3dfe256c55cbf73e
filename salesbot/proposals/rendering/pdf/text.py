"""Lay out and draw a DrawingML text body (a:txBody) onto a reportlab canvas."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from salesbot.proposals.rendering.fonts import font_for, hex_color, text_width
from salesbot.proposals.rendering.theme import (
    EMU_PER_PT,
    StyleChain,
    TextStyle,
    apply_rpr,
    body_property,
    first,
    localname,
    paragraph_style,
    xpath,
)

_TOKENS = re.compile(r"\S+\s*|\s+")
DEFAULT_INSETS = (91440, 45720, 91440, 45720)  # l, t, r, b in EMU (PowerPoint's defaults)


@dataclass(frozen=True)
class Piece:
    text: str
    font: str
    size: float
    color: str


@dataclass
class Line:
    pieces: list[Piece] = field(default_factory=list)
    width: float = 0.0
    indent: float = 0.0

    @property
    def size(self) -> float:
        return max((p.size for p in self.pieces), default=0.0)


@dataclass
class Paragraph:
    lines: list[Line]
    align: str
    line_spacing: float
    space_before: float
    space_after: float
    empty_size: float

    def line_height(self, line: Line) -> float:
        return (line.size or self.empty_size) * 1.2 * self.line_spacing


@dataclass(frozen=True)
class Box:
    """A rectangle in points, measured from the page's top-left corner."""

    x: float
    y: float
    w: float
    h: float


def _run_pieces(p_el: Any, style: TextStyle, chain: StyleChain, scale: float) -> list[Piece]:
    pieces: list[Piece] = []
    for child in p_el:
        name = localname(child)
        if name == "br":
            pieces.append(Piece("\n", font_for(style.bold, style.italic), style.size * scale, ""))
            continue
        if name not in ("r", "fld"):
            continue
        run_style = copy.copy(style)
        rpr = first(child, "a:rPr")
        if rpr is not None:
            apply_rpr(run_style, rpr, chain.theme)
        text = "".join(t.text or "" for t in xpath(child, "a:t"))
        if rpr is not None and rpr.get("cap") == "all":
            text = text.upper()
        if text:
            font = font_for(run_style.bold, run_style.italic)
            color = run_style.color or "000000"
            pieces.append(Piece(text, font, run_style.size * scale, color))
    return pieces


def _wrap(
    pieces: list[Piece], width: float, first_indent: float, indent: float, wrap: bool
) -> list[Line]:
    lines = [Line(indent=first_indent)]

    def room(line: Line) -> float:
        return width - line.indent

    for piece in pieces:
        if piece.text == "\n":
            lines.append(Line(indent=indent))
            continue
        for token in _TOKENS.findall(piece.text):
            line = lines[-1]
            token_w = text_width(token, piece.font, piece.size)
            bare_w = text_width(token.rstrip(), piece.font, piece.size)
            if wrap and line.pieces and line.width + bare_w > room(line):
                if not token.strip():
                    continue  # a space at a break disappears
                line = Line(indent=indent)
                lines.append(line)
            if wrap and not line.pieces and bare_w > room(line):
                # A word longer than the box is broken between characters.
                chunk = ""
                for char in token:
                    if chunk and text_width(chunk + char, piece.font, piece.size) > room(line):
                        line.pieces.append(Piece(chunk, piece.font, piece.size, piece.color))
                        line.width += text_width(chunk, piece.font, piece.size)
                        line = Line(indent=indent)
                        lines.append(line)
                        chunk = ""
                    chunk += char
                token, token_w = chunk, text_width(chunk, piece.font, piece.size)
            line.pieces.append(Piece(token, piece.font, piece.size, piece.color))
            line.width += token_w
    for line in lines:  # trailing spaces do not count towards alignment
        if line.pieces:
            last = line.pieces[-1]
            trimmed = last.text.rstrip()
            line.width -= text_width(last.text, last.font, last.size) - text_width(
                trimmed, last.font, last.size
            )
            line.pieces[-1] = Piece(trimmed, last.font, last.size, last.color)
    return lines


def layout_body(
    body: Any, chain: StyleChain, width: float, scale: float = 1.0, wrap: bool = True
) -> list[Paragraph]:
    """Paragraphs of `body` broken into lines for a box `width` points wide."""
    paragraphs: list[Paragraph] = []
    for p_el in xpath(body, "a:p"):
        level = int(first(p_el, "a:pPr/@lvl") or 0)
        style = paragraph_style(chain, p_el, level)
        pieces = _run_pieces(p_el, style, chain, scale)
        end = first(p_el, "a:endParaRPr/@sz")
        empty_size = (int(end) / 100 if end else style.size) * scale
        margin = style.margin_left / EMU_PER_PT
        first_indent = margin + style.indent / EMU_PER_PT
        if style.bullet and any(p.text.strip() for p in pieces):
            lead = pieces[0]
            pieces.insert(0, Piece(f"{style.bullet} ", lead.font, lead.size, lead.color))
        lines = _wrap(pieces, width, max(first_indent, 0.0), max(margin, 0.0), wrap)
        paragraphs.append(
            Paragraph(
                lines=lines,
                align=style.align,
                line_spacing=style.line_spacing,
                space_before=style.space_before * scale,
                space_after=style.space_after * scale,
                empty_size=empty_size,
            )
        )
    return paragraphs


def body_height(paragraphs: list[Paragraph]) -> float:
    total = 0.0
    for index, paragraph in enumerate(paragraphs):
        if index:
            total += paragraph.space_before
        total += sum(paragraph.line_height(line) for line in paragraph.lines)
        if index < len(paragraphs) - 1:
            total += paragraph.space_after
    return total


def fit_body(
    body: Any,
    chain: StyleChain,
    width: float,
    height: float,
    scale: float,
    shrink: bool,
    wrap: bool,
) -> list[Paragraph]:
    """Lay out; when `shrink` (normAutofit) is set, reduce the text until it fits."""
    paragraphs = layout_body(body, chain, width, scale, wrap)
    while shrink and scale > 0.3 and body_height(paragraphs) > height:
        scale *= 0.9
        paragraphs = layout_body(body, chain, width, scale, wrap)
    return paragraphs


def draw_paragraphs(
    canvas: Any, paragraphs: list[Paragraph], box: Box, anchor: str, page_height: float
) -> None:
    """Draw laid-out paragraphs inside `box` (already inset) with vertical `anchor`."""
    total = body_height(paragraphs)
    top = box.y
    if anchor == "ctr":
        top += (box.h - total) / 2
    elif anchor == "b":
        top += box.h - total
    cursor = top
    for index, paragraph in enumerate(paragraphs):
        if index:
            cursor += paragraph.space_before
        for line in paragraph.lines:
            height = paragraph.line_height(line)
            size = line.size or paragraph.empty_size
            baseline = cursor + height - 0.3 * size
            available = box.w - line.indent
            x = box.x + line.indent
            if paragraph.align == "ctr":
                x += (available - line.width) / 2
            elif paragraph.align == "r":
                x += available - line.width
            if line.pieces:
                text = canvas.beginText()
                text.setTextOrigin(x, page_height - baseline)
                for piece in line.pieces:
                    text.setFont(piece.font, piece.size)
                    text.setFillColor(hex_color(piece.color))
                    text.textOut(piece.text)
                canvas.drawText(text)
            cursor += height
        cursor += paragraph.space_after


def insets(body_pr: Any | None, chain_value: Any) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) insets in points from a:bodyPr, inherited, or defaults."""
    values = []
    for name, default in zip(("lIns", "tIns", "rIns", "bIns"), DEFAULT_INSETS, strict=True):
        raw = body_pr.get(name) if body_pr is not None else None
        if raw is None:
            raw = chain_value(name)
        values.append((int(raw) if raw is not None else default) / EMU_PER_PT)
    return values[0], values[1], values[2], values[3]


def draw_text_body(
    canvas: Any,
    page_height: float,
    body: Any,
    chain: StyleChain,
    box: Box,
    body_pr: Any | None,
    cell_insets: tuple[float, float, float, float] | None = None,
    anchor: str | None = None,
) -> None:
    """Fit a text body into `box` (insets, autofit, wrap) and draw it with its anchor."""
    left, top, right, bottom = cell_insets or insets(
        body_pr, lambda name: body_property(chain, name)
    )
    inner = Box(
        box.x + left,
        box.y + top,
        max(box.w - left - right, 1.0),
        max(box.h - top - bottom, 1.0),
    )
    autofit = first(body_pr, "a:normAutofit") if body_pr is not None else None
    scale = 1.0
    if autofit is not None and autofit.get("fontScale"):
        scale = int(autofit.get("fontScale")) / 100000
    wrap = (body_pr.get("wrap") if body_pr is not None else None) or body_property(chain, "wrap")
    paragraphs = fit_body(body, chain, inner.w, inner.h, scale, autofit is not None, wrap != "none")
    chosen = anchor or (body_pr.get("anchor") if body_pr is not None else None)
    chosen = chosen or body_property(chain, "anchor") or "t"
    draw_paragraphs(canvas, paragraphs, inner, chosen, page_height)
