"""Paint one slide (background, master/layout decorations, shapes, tables, pictures) as PDF."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError
from reportlab.lib.utils import ImageReader

from salesbot.proposals.rendering.fonts import hex_color
from salesbot.proposals.rendering.pdf.table import paint_table
from salesbot.proposals.rendering.pdf.text import Box, draw_text_body
from salesbot.proposals.rendering.theme import (
    DAMAGED,
    EMU_PER_PT,
    Theme,
    color_of,
    effective_background,
    fill_color,
    first,
    localname,
    shows_layout_shapes,
    shows_master_shapes,
    style_chain,
    xpath,
)

logger = logging.getLogger(__name__)
# Pictures are resampled to about this resolution: sharp on screen and in print, small files.
TARGET_DPI = 150
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class Transform:
    """Maps EMU coordinates of a shape tree to page points (groups nest transforms)."""

    sx: float = 1 / EMU_PER_PT
    sy: float = 1 / EMU_PER_PT
    tx: float = 0.0
    ty: float = 0.0

    def box(self, x: int, y: int, w: int, h: int) -> Box:
        return Box(self.tx + x * self.sx, self.ty + y * self.sy, w * self.sx, h * self.sy)

    def inside_group(self, xfrm: Any) -> Transform:
        off, ext = first(xfrm, "a:off"), first(xfrm, "a:ext")
        ch_off, ch_ext = first(xfrm, "a:chOff"), first(xfrm, "a:chExt")
        if off is None or ext is None or ch_off is None or ch_ext is None:
            return self
        cx, cy = int(ch_ext.get("cx", "0")) or 1, int(ch_ext.get("cy", "0")) or 1
        gx = int(ext.get("cx", "0")) / cx
        gy = int(ext.get("cy", "0")) / cy
        ox = int(off.get("x", "0")) - int(ch_off.get("x", "0")) * gx
        oy = int(off.get("y", "0")) - int(ch_off.get("y", "0")) * gy
        return Transform(self.sx * gx, self.sy * gy, self.tx + ox * self.sx, self.ty + oy * self.sy)


class _JpegAsIs(ImageReader):  # type: ignore[misc]  # reportlab ships no types
    """A JPEG that goes into the PDF as its own bytes. reportlab names an image by its decoded
    pixels, which would decode the photo only to name it: the bytes name it here."""

    def __init__(self, blob: bytes) -> None:
        super().__init__(io.BytesIO(blob))
        self._blob = blob
        self._dataA = None  # a JPEG has no alpha channel (set when pixels are decoded)

    def getRGBData(self) -> bytes:
        return self._blob


def _alpha(container: Any) -> float:
    value = first(container, "a:solidFill/*/a:alpha/@val") if container is not None else None
    return int(value) / 100000 if value is not None else 1.0


class SlidePainter:
    """Draws slides of one presentation onto a reportlab canvas (one page each)."""

    def __init__(self, canvas: Any, page_width: float, page_height: float) -> None:
        self.canvas = canvas
        self.width = page_width
        self.height = page_height
        self._images: dict[tuple[str, int, int], ImageReader | None] = {}

    # ------------------------------------------------------------------ slide

    def paint(self, slide: Any, theme: Theme) -> None:
        background = effective_background(slide, theme)
        if background.image is not None:
            self._image(background.image, Box(0, 0, self.width, self.height))
        else:
            self._fill_rect(Box(0, 0, self.width, self.height), background.color or "FFFFFF")
        layout = slide.slide_layout
        master = layout.slide_master
        if shows_master_shapes(slide):
            self._tree(master, master.element, theme, Transform(), skip_placeholders=True)
        if shows_layout_shapes(slide):
            self._tree(layout, layout.element, theme, Transform(), skip_placeholders=True)
        self._tree(slide, slide.element, theme, Transform(), skip_placeholders=False)

    def _tree(
        self, owner: Any, root: Any, theme: Theme, transform: Transform, skip_placeholders: bool
    ) -> None:
        container = first(root, "p:cSld/p:spTree")
        if container is None:
            container = root
        for element in container:
            name = localname(element)
            if first(element, "*/p:cNvPr[@hidden='1']") is not None:
                continue
            is_placeholder = first(element, "*/p:nvPr/p:ph") is not None
            if is_placeholder and skip_placeholders:
                continue
            if name == "grpSp":
                xfrm = first(element, "p:grpSpPr/a:xfrm")
                inner = transform.inside_group(xfrm) if xfrm is not None else transform
                self._tree(owner, element, theme, inner, skip_placeholders)
            elif name in ("sp", "cxnSp", "pic", "graphicFrame"):
                self._shape(owner, element, theme, transform)

    # ------------------------------------------------------------------ shapes

    def _geometry(self, owner: Any, element: Any, transform: Transform) -> tuple[Box, float] | None:
        xfrm = first(element, "p:spPr/a:xfrm | p:xfrm")
        off = first(xfrm, "a:off") if xfrm is not None else None
        if xfrm is not None and off is not None:
            ext = first(xfrm, "a:ext")
            box = transform.box(
                int(off.get("x", "0")),
                int(off.get("y", "0")),
                int(ext.get("cx", "0")) if ext is not None else 0,
                int(ext.get("cy", "0")) if ext is not None else 0,
            )
            return box, int(xfrm.get("rot", "0")) / 60000
        inherited = self._inherited_box(owner, element)
        return (transform.box(*inherited), 0.0) if inherited else None

    @staticmethod
    def _inherited_box(owner: Any, element: Any) -> tuple[int, int, int, int] | None:
        """Position of a placeholder that does not state its own (it comes from the layout)."""
        shape_id = first(element, "*/p:cNvPr/@id")
        for shape in owner.shapes:
            if str(shape.shape_id) == str(shape_id):
                values = (shape.left, shape.top, shape.width, shape.height)
                if None in values:
                    return None
                return int(values[0]), int(values[1]), int(values[2]), int(values[3])
        return None

    def _shape(self, owner: Any, element: Any, theme: Theme, transform: Transform) -> None:
        try:
            self._draw_shape(owner, element, theme, transform)
        except DAMAGED as exc:  # one broken shape in an uploaded deck must not sink the proposal
            logger.warning("skipped a slide shape that could not be drawn (%s)", type(exc).__name__)

    def _draw_shape(self, owner: Any, element: Any, theme: Theme, transform: Transform) -> None:
        geometry = self._geometry(owner, element, transform)
        if geometry is None:
            return
        box, rotation = geometry
        canvas = self.canvas
        canvas.saveState()
        if rotation:
            cx, cy = box.x + box.w / 2, self.height - (box.y + box.h / 2)
            canvas.translate(cx, cy)
            canvas.rotate(-rotation)
            canvas.translate(-cx, -cy)
        try:
            name = localname(element)
            if name == "graphicFrame":
                table = first(element, "a:graphic/a:graphicData/a:tbl")
                if table is not None:
                    self._table(owner, element, table, theme, box)
            elif name == "pic":
                self._picture(owner, element, box)
            elif name == "cxnSp":
                self._connector(element, theme, box)
            else:
                self._autoshape(owner, element, theme, box)
        finally:
            canvas.restoreState()

    def _fill_of(self, owner: Any, element: Any, theme: Theme) -> tuple[str | None, float]:
        sp_pr = first(element, "p:spPr")
        if sp_pr is not None and first(sp_pr, "a:noFill") is not None:
            return None, 1.0
        color = fill_color(sp_pr, theme)
        if color is not None:
            return color, _alpha(sp_pr)
        is_text_box = first(element, "p:nvSpPr/p:cNvSpPr[@txBox='1']") is not None
        has_own_fill = sp_pr is not None and first(sp_pr, "a:blipFill | a:pattFill") is not None
        reference = first(element, "p:style/a:fillRef")
        if is_text_box or has_own_fill or reference is None or reference.get("idx") == "0":
            return None, 1.0
        return color_of(reference, theme), 1.0

    def _line_of(self, element: Any, theme: Theme) -> tuple[str | None, float]:
        line = first(element, "p:spPr/a:ln")
        width = int(line.get("w", "12700")) / EMU_PER_PT if line is not None else 0.75
        if line is not None and first(line, "a:noFill") is not None:
            return None, 0.0
        color = fill_color(line, theme) if line is not None else None
        if color is not None:
            return color, width
        reference = first(element, "p:style/a:lnRef")
        if reference is None or reference.get("idx") == "0":
            return None, 0.0
        return color_of(reference, theme), width

    def _autoshape(self, owner: Any, element: Any, theme: Theme, box: Box) -> None:
        fill, alpha = self._fill_of(owner, element, theme)
        stroke, stroke_width = self._line_of(element, theme)
        blip = first(element, "p:spPr/a:blipFill/a:blip/@r:embed")
        geometry = first(element, "p:spPr/a:prstGeom/@prst") or "rect"
        custom = first(element, "p:spPr/a:custGeom")
        if fill or stroke:
            self._path(box, str(geometry), custom, fill, alpha, stroke, stroke_width)
        if blip is not None:
            self._related_image(owner, str(blip), box)
        body = first(element, "p:txBody")
        if body is not None:
            self._text(owner, element, body, theme, box)

    def _text(self, owner: Any, element: Any, body: Any, theme: Theme, box: Box) -> None:
        chain = style_chain(element, owner, theme)
        draw_text_body(self.canvas, self.height, body, chain, box, first(body, "a:bodyPr"))

    def _connector(self, element: Any, theme: Theme, box: Box) -> None:
        stroke, width = self._line_of(element, theme)
        if stroke is None:
            return
        xfrm = first(element, "p:spPr/a:xfrm")
        x1, x2 = box.x, box.x + box.w
        y1, y2 = box.y, box.y + box.h
        if xfrm is not None and xfrm.get("flipH") == "1":
            x1, x2 = x2, x1
        if xfrm is not None and xfrm.get("flipV") == "1":
            y1, y2 = y2, y1
        self.canvas.setStrokeColor(hex_color(stroke))
        self.canvas.setLineWidth(width)
        self.canvas.line(x1, self.height - y1, x2, self.height - y2)

    # ------------------------------------------------------------------ primitives

    def _fill_rect(self, box: Box, color: str) -> None:
        self.canvas.setFillColor(hex_color(color))
        self.canvas.rect(box.x, self.height - box.y - box.h, box.w, box.h, stroke=0, fill=1)

    def _path(
        self,
        box: Box,
        geometry: str,
        custom: Any | None,
        fill: str | None,
        alpha: float,
        stroke: str | None,
        stroke_width: float,
    ) -> None:
        canvas = self.canvas
        if fill:
            canvas.setFillColor(hex_color(fill))
            canvas.setFillAlpha(alpha)
        if stroke:
            canvas.setStrokeColor(hex_color(stroke))
            canvas.setLineWidth(stroke_width)
        bottom = self.height - box.y - box.h
        do_fill, do_stroke = (1 if fill else 0), (1 if stroke else 0)
        if custom is not None:
            path = self._custom_path(box, custom)
            if path is not None:
                canvas.drawPath(path, stroke=do_stroke, fill=do_fill)
                return
        if geometry == "ellipse":
            canvas.ellipse(
                box.x, bottom, box.x + box.w, bottom + box.h, stroke=do_stroke, fill=do_fill
            )
        elif geometry == "roundRect":
            radius = min(box.w, box.h) * 0.16667
            canvas.roundRect(box.x, bottom, box.w, box.h, radius, stroke=do_stroke, fill=do_fill)
        elif geometry == "line":
            canvas.line(box.x, self.height - box.y, box.x + box.w, bottom)
        else:
            canvas.rect(box.x, bottom, box.w, box.h, stroke=do_stroke, fill=do_fill)

    def _custom_path(self, box: Box, custom: Any) -> Any | None:
        path = self.canvas.beginPath()
        drew = False
        for sub in xpath(custom, "a:pathLst/a:path"):
            pw = int(sub.get("w", "0")) or 1
            ph = int(sub.get("h", "0")) or 1

            def point(pt: Any, pw: int = pw, ph: int = ph) -> tuple[float, float]:
                x = box.x + int(pt.get("x", "0")) / pw * box.w
                y = box.y + int(pt.get("y", "0")) / ph * box.h
                return x, self.height - y

            for command in sub:
                name = localname(command)
                points = [point(pt) for pt in xpath(command, "a:pt")]
                if name == "moveTo" and points:
                    path.moveTo(*points[0])
                elif name == "lnTo" and points:
                    path.lineTo(*points[0])
                    drew = True
                elif name == "cubicBezTo" and len(points) == 3:
                    path.curveTo(*points[0], *points[1], *points[2])
                    drew = True
                elif name == "quadBezTo" and len(points) == 2:
                    path.curveTo(*points[0], *points[0], *points[1])
                    drew = True
                elif name == "close":
                    path.close()
        return path if drew else None

    # ------------------------------------------------------------------ pictures

    def _picture(self, owner: Any, element: Any, box: Box) -> None:
        blip = first(element, "p:blipFill/a:blip/@r:embed")
        if blip is None:
            return
        crop = first(element, "p:blipFill/a:srcRect")
        self._related_image(owner, str(blip), box, crop)

    def _related_image(self, owner: Any, rel_id: str, box: Box, crop: Any | None = None) -> None:
        try:
            blob = owner.part.related_part(rel_id).blob
        except KeyError:
            return
        self._image(blob, box, crop)

    def _reader(self, blob: bytes, box: Box, crop: Any | None) -> ImageReader | None:
        edges: tuple[int, ...] = (0, 0, 0, 0)
        if crop is not None:
            edges = tuple(int(crop.get(k, "0")) for k in ("l", "t", "r", "b"))
        key = (
            hashlib.sha1(blob + repr(edges).encode(), usedforsecurity=False).hexdigest(),
            round(box.w),
            round(box.h),
        )
        if key in self._images:
            return self._images[key]
        reader: ImageReader | None = None
        try:
            with Image.open(io.BytesIO(blob)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise ValueError("image too large")
                image = opened.convert("RGBA" if "A" in opened.getbands() else "RGB")
            left, top, right, bottom = (max(e, 0) / 100000 for e in edges)
            if any(edges):
                w, h = image.size
                area = (
                    round(left * w),
                    round(top * h),
                    round(w * (1 - right)),
                    round(h * (1 - bottom)),
                )
                if area[2] > area[0] and area[3] > area[1]:
                    image = image.crop(area)
            wanted = (max(int(box.w / 72 * TARGET_DPI), 1), max(int(box.h / 72 * TARGET_DPI), 1))
            if image.width > wanted[0] * 1.5 and image.height > wanted[1] * 1.5:
                image = image.resize(wanted, Image.Resampling.LANCZOS)
            reader = ImageReader(image)
        except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
            reader = None  # EMF/WMF/SVG and broken images are left out
        self._images[key] = reader
        return reader

    def _image(self, blob: bytes, box: Box, crop: Any | None = None) -> None:
        if box.w <= 0 or box.h <= 0:
            return
        if self._jpeg_as_is(blob, box, crop):
            return
        reader = self._reader(blob, box, crop)
        if reader is None:
            return
        self.canvas.drawImage(reader, box.x, self.height - box.y - box.h, box.w, box.h, mask="auto")

    def _jpeg_as_is(self, blob: bytes, box: Box, crop: Any | None) -> bool:
        """Place a JPEG that is not much larger than its box as it is: its bytes go into the
        PDF unchanged (no decoding), and a crop becomes a clip. False when that cannot be."""
        if blob[:3] != b"\xff\xd8\xff":
            return False
        edges = [0.0, 0.0, 0.0, 0.0]
        if crop is not None:
            edges = [int(crop.get(k, "0")) / 100000 for k in ("l", "t", "r", "b")]
        left, top, right, bottom = edges
        if min(edges) < 0 or left + right >= 1 or top + bottom >= 1:
            return False
        try:
            with Image.open(io.BytesIO(blob)) as opened:
                if opened.mode not in ("RGB", "L") or opened.format != "JPEG":
                    return False
                seen_w = opened.width * (1 - left - right)
                seen_h = opened.height * (1 - top - bottom)
        except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
            return False
        wanted_w, wanted_h = box.w / 72 * TARGET_DPI, box.h / 72 * TARGET_DPI
        if seen_w > wanted_w * 1.5 and seen_h > wanted_h * 1.5:
            return False  # much larger than needed: the reduced copy keeps the PDF small
        full_w = box.w / (1 - left - right)
        full_h = box.h / (1 - top - bottom)
        x = box.x - left * full_w
        y = self.height - box.y - box.h - bottom * full_h
        canvas = self.canvas
        canvas.saveState()
        if any(edges):
            clip = canvas.beginPath()
            clip.rect(box.x, self.height - box.y - box.h, box.w, box.h)
            canvas.clipPath(clip, stroke=0, fill=0)
        canvas.drawImage(_JpegAsIs(blob), x, y, full_w, full_h)
        canvas.restoreState()
        return True

    # ------------------------------------------------------------------ tables

    def _table(self, owner: Any, frame: Any, table: Any, theme: Theme, box: Box) -> None:
        paint_table(self.canvas, self.height, owner, frame, table, theme, box)
