"""Paint a DrawingML table (a:tbl): merged cells, fills, borders, wrapped text."""

from __future__ import annotations

import dataclasses
from typing import Any

from salesbot.proposals.rendering.fonts import hex_color
from salesbot.proposals.rendering.pdf.text import Box, body_height, draw_text_body, layout_body
from salesbot.proposals.rendering.theme import (
    EMU_PER_PT,
    Theme,
    color_of,
    fill_color,
    first,
    style_chain,
    xpath,
)

NO_STYLE_TABLE = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"
_MARGINS = (("marL", 91440), ("marT", 45720), ("marR", 91440), ("marB", 45720))


def _mix(color: str, amount: float) -> str:
    """`amount` of `color` over white (what a theme "tint" looks like)."""
    channels = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{round(255 - (255 - c) * amount):02X}" for c in channels)


@dataclasses.dataclass(frozen=True)
class _Cell:
    element: Any
    row: int
    col: int
    rows: int
    cols: int


def _cells(table: Any) -> list[_Cell]:
    cells = []
    for r, row in enumerate(xpath(table, "a:tr")):
        for c, tc in enumerate(xpath(row, "a:tc")):
            if tc.get("hMerge") == "1" or tc.get("vMerge") == "1":
                continue
            span_cols = int(tc.get("gridSpan", "1"))
            span_rows = int(tc.get("rowSpan", "1"))
            cells.append(_Cell(tc, r, c, span_rows, span_cols))
    return cells


def _margins(tc: Any) -> tuple[float, float, float, float]:
    props = first(tc, "a:tcPr")
    values = []
    for name, default in _MARGINS:
        raw = props.get(name) if props is not None else None
        values.append((int(raw) if raw is not None else default) / EMU_PER_PT)
    return values[0], values[1], values[2], values[3]


def _styled_fill(table: Any, row: int, theme: Theme) -> tuple[str | None, bool]:
    """Approximate fill of the built-in table style (header accent, banded rows)."""
    props = first(table, "a:tblPr")
    style_id = first(props, "a:tableStyleId") if props is not None else None
    if props is None or (style_id is not None and style_id.text == NO_STYLE_TABLE):
        return None, False
    accent = theme.scheme("accent1") or "4472C4"
    if props.get("firstRow") == "1" and row == 0:
        return accent, True
    offset = 1 if props.get("firstRow") == "1" else 0
    if props.get("bandRow") == "1":
        return _mix(accent, 0.4 if (row - offset) % 2 == 0 else 0.2), False
    return _mix(accent, 0.2), False


def paint_table(
    canvas: Any, page_h: float, owner: Any, frame: Any, table: Any, theme: Theme, box: Box
) -> None:
    widths = [int(col.get("w", "0")) / EMU_PER_PT for col in xpath(table, "a:tblGrid/a:gridCol")]
    heights = [int(row.get("h", "0")) / EMU_PER_PT for row in xpath(table, "a:tr")]
    if not widths or not heights:
        return
    base_chain = style_chain(frame, owner, theme)
    cells = _cells(table)
    styled = first(table, "a:tblPr") is not None

    # Rows grow to fit their text, as PowerPoint does.
    for cell in cells:
        if cell.rows != 1:
            continue
        left, top, right, bottom = _margins(cell.element)
        width = sum(widths[cell.col : cell.col + cell.cols]) - left - right
        body = first(cell.element, "a:txBody")
        if body is not None:
            needed = body_height(layout_body(body, base_chain, max(width, 1.0))) + top + bottom
            heights[cell.row] = max(heights[cell.row], needed)

    xs = [box.x + sum(widths[:i]) for i in range(len(widths) + 1)]
    ys = [box.y + sum(heights[:i]) for i in range(len(heights) + 1)]
    for cell in cells:
        last_col = min(cell.col + cell.cols, len(widths))
        last_row = min(cell.row + cell.rows, len(heights))
        area = Box(
            xs[cell.col], ys[cell.row], xs[last_col] - xs[cell.col], ys[last_row] - ys[cell.row]
        )
        props = first(cell.element, "a:tcPr")
        header_text = False
        if props is not None and first(props, "a:noFill") is not None:
            fill = None
        else:
            fill = fill_color(props, theme)
            if fill is None and styled:
                fill, header_text = _styled_fill(table, cell.row, theme)
        if fill:
            canvas.setFillColor(hex_color(fill))
            canvas.rect(area.x, page_h - area.y - area.h, area.w, area.h, stroke=0, fill=1)
        body = first(cell.element, "a:txBody")
        if body is not None:
            chain = base_chain
            if header_text:
                chain = dataclasses.replace(base_chain, default_color="FFFFFF")
            anchor = {"ctr": "ctr", "b": "b"}.get(
                str(props.get("anchor")) if props is not None else "", "t"
            )
            draw_text_body(
                canvas,
                page_h,
                body,
                chain,
                area,
                first(body, "a:bodyPr"),
                _margins(cell.element),
                anchor,
            )
        _borders(canvas, props, theme, area, page_h)


def _borders(canvas: Any, props: Any | None, theme: Theme, area: Box, page_h: float) -> None:
    if props is None:
        return
    top, bottom = page_h - area.y, page_h - area.y - area.h
    segments = {
        "a:lnL": (area.x, top, area.x, bottom),
        "a:lnR": (area.x + area.w, top, area.x + area.w, bottom),
        "a:lnT": (area.x, top, area.x + area.w, top),
        "a:lnB": (area.x, bottom, area.x + area.w, bottom),
    }
    for tag, (x1, y1, x2, y2) in segments.items():
        line = first(props, tag)
        if line is None or first(line, "a:noFill") is not None:
            continue
        color = fill_color(line, theme) or color_of(first(line, "a:solidFill"), theme)
        if color is None:
            continue
        canvas.setStrokeColor(hex_color(color))
        canvas.setLineWidth(int(line.get("w", "12700")) / EMU_PER_PT)
        canvas.line(x1, y1, x2, y2)
