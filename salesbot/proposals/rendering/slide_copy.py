"""Copy a slide between presentations (python-pptx has no native slide copy).

The copy is flattened so it looks the same in a deck with a different master: the effective
background, the master's and layout's decorations and the placeholders' inherited positions
and text styles are written onto the new slide; theme colours become explicit RGB; pictures
and hyperlinks are re-related to the destination. Charts, media and embedded objects are not
copied (their parts cannot be moved safely).
"""

from __future__ import annotations

import copy
import io
import logging
from typing import Any

from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement

from salesbot.proposals.rendering.theme import (
    DAMAGED,
    NS,
    StyleChain,
    TextStyle,
    body_property,
    effective_background,
    first,
    paragraph_style,
    rgb_color,
    set_scheme_colors_to_rgb,
    shows_layout_shapes,
    shows_master_shapes,
    style_chain,
    theme_of_master,
    xpath,
)

logger = logging.getLogger(__name__)
_R = "{" + NS["r"] + "}"
_LINK_ONLY = {RT.SLIDE, RT.HYPERLINK}


def blank_layout(prs: Any) -> Any:
    """The layout named "Blank" or, failing that, the one with the fewest placeholders."""
    layouts = list(prs.slide_layouts)
    for layout in layouts:
        if layout.name.strip().lower() == "blank":
            return layout
    return min(layouts, key=lambda layout: len(layout.placeholders))


def add_blank_slide(prs: Any) -> Any:
    """A new slide at the end of `prs` with no placeholders."""
    slide = prs.slides.add_slide(blank_layout(prs))
    for placeholder in list(slide.placeholders):
        placeholder.element.getparent().remove(placeholder.element)
    return slide


def _references(element: Any) -> list[tuple[Any, str, str]]:
    return [
        (node, attr, value)
        for node in element.iter()
        for attr, value in node.attrib.items()
        if attr.startswith(_R) and value
    ]


def _copyable(element: Any, source_part: Any) -> bool:
    for _, _, value in _references(element):
        if value not in source_part.rels:
            return False
        rel = source_part.rels[value]
        if not (rel.is_external or rel.reltype == RT.IMAGE or rel.reltype in _LINK_ONLY):
            return False
    return True


def _relink(element: Any, source_part: Any, target_part: Any) -> bool:
    """Point every r:* reference at a relationship of `target_part`; False if impossible."""
    if not _copyable(element, source_part):
        return False
    for node in element.iter():
        for attr, value in list(node.attrib.items()):
            if not attr.startswith(_R) or not value:
                continue
            if value not in source_part.rels:
                return False
            rel = source_part.rels[value]
            if rel.is_external:
                new_id = target_part.relate_to(rel.target_ref, rel.reltype, is_external=True)
            elif rel.reltype == RT.IMAGE:
                try:
                    _, new_id = target_part.get_or_add_image_part(io.BytesIO(rel.target_part.blob))
                except (OSError, ValueError, KeyError):
                    return False
            elif rel.reltype in _LINK_ONLY:
                new_id = ""  # a jump to a slide of the other deck has no target here
            else:
                return False
            node.set(attr, new_id)
    return True


def _xfrm_of(element: Any) -> Any | None:
    return first(element, "p:spPr/a:xfrm | p:grpSpPr/a:xfrm | p:xfrm")


def _scale_position(element: Any, sx: float, sy: float) -> None:
    xfrm = _xfrm_of(element)
    if xfrm is None:
        return
    offset = first(xfrm, "a:off")
    extent = first(xfrm, "a:ext")
    if offset is not None:
        offset.set("x", str(round(int(offset.get("x", "0")) * sx)))
        offset.set("y", str(round(int(offset.get("y", "0")) * sy)))
    if extent is not None:
        extent.set("cx", str(round(int(extent.get("cx", "0")) * sx)))
        extent.set("cy", str(round(int(extent.get("cy", "0")) * sy)))


def _write_position(element: Any, shape: Any) -> bool:
    """Give a placeholder copy its inherited position explicitly."""
    if None in (shape.left, shape.top, shape.width, shape.height):
        return False
    sp_pr = first(element, "p:spPr")
    if sp_pr is None:
        return _xfrm_of(element) is not None
    for old in xpath(sp_pr, "a:xfrm"):
        sp_pr.remove(old)
    xfrm = OxmlElement("a:xfrm")
    offset = OxmlElement("a:off")
    offset.set("x", str(int(shape.left)))
    offset.set("y", str(int(shape.top)))
    extent = OxmlElement("a:ext")
    extent.set("cx", str(int(shape.width)))
    extent.set("cy", str(int(shape.height)))
    xfrm.append(offset)
    xfrm.append(extent)
    sp_pr.insert(0, xfrm)
    if first(sp_pr, "a:prstGeom | a:custGeom") is None:
        # The geometry was inherited too; without one some readers cannot type the shape.
        geometry = OxmlElement("a:prstGeom")
        geometry.set("prst", "rect")
        geometry.append(OxmlElement("a:avLst"))
        sp_pr.insert(1, geometry)
    return True


def _level_element(level: int, style: TextStyle) -> Any:
    props = OxmlElement(f"a:lvl{level + 1}pPr")
    props.set("algn", style.align)
    props.set("marL", str(style.margin_left))
    props.set("indent", str(style.indent))
    spacing = OxmlElement("a:lnSpc")
    pct = OxmlElement("a:spcPct")
    pct.set("val", str(round(style.line_spacing * 100000)))
    spacing.append(pct)
    props.append(spacing)
    for tag, points in (("a:spcBef", style.space_before), ("a:spcAft", style.space_after)):
        gap = OxmlElement(tag)
        pts = OxmlElement("a:spcPts")
        pts.set("val", str(round(points * 100)))
        gap.append(pts)
        props.append(gap)
    if style.bullet:
        bullet = OxmlElement("a:buChar")
        bullet.set("char", style.bullet)
        props.append(bullet)
    else:
        props.append(OxmlElement("a:buNone"))
    run = OxmlElement("a:defRPr")
    run.set("sz", str(round(style.size * 100)))
    run.set("b", "1" if style.bold else "0")
    run.set("i", "1" if style.italic else "0")
    if style.color:
        solid = OxmlElement("a:solidFill")
        rgb = OxmlElement("a:srgbClr")
        rgb.set("val", style.color)
        solid.append(rgb)
        run.append(solid)
    props.append(run)
    return props


def _write_text_styles(element: Any, chain: StyleChain) -> None:
    """Bake the inherited paragraph styles into the copy's own list style."""
    body = first(element, "p:txBody")
    if body is None:
        return
    body_pr = first(body, "a:bodyPr")
    if body_pr is not None:
        for name in ("anchor", "lIns", "tIns", "rIns", "bIns", "wrap"):
            value = body_property(chain, name)
            if value is not None and body_pr.get(name) is None:
                body_pr.set(name, value)
    levels: set[int] = set()
    for paragraph in xpath(body, "a:p"):
        levels.add(int(first(paragraph, "a:pPr/@lvl") or 0))
    lst = first(body, "a:lstStyle")
    if lst is None:
        lst = OxmlElement("a:lstStyle")
        body.insert(1 if body_pr is not None else 0, lst)
    for child in list(lst):
        lst.remove(child)
    for level in sorted(levels):
        sample = OxmlElement("a:p")  # no own pPr: the chain alone decides
        lst.append(_level_element(level, paragraph_style(chain, sample, level)))


def _has_content(shape: Any) -> bool:
    if getattr(shape, "has_text_frame", False) and shape.text_frame.text.strip():
        return True
    return first(shape.element, ".//a:blip") is not None or getattr(shape, "has_table", False)


def _placeholder_copy(element: Any, shape: Any, chain: StyleChain) -> bool:
    if not _has_content(shape) or not _write_position(element, shape):
        return False
    for ph in xpath(element, "*/p:nvPr/p:ph"):
        ph.getparent().remove(ph)
    _write_text_styles(element, chain)
    return True


def _set_background(slide: Any, source: Any, theme: Any, size: tuple[int, int]) -> None:
    background = effective_background(source, theme)
    slide.element.set("showMasterSp", "0")
    if background.image is not None:
        try:
            picture = slide.shapes.add_picture(io.BytesIO(background.image), 0, 0, *size)
        except (OSError, ValueError):
            return
        tree = slide.shapes._spTree
        tree.remove(picture.element)
        tree.insert(2, picture.element)  # after nvGrpSpPr and grpSpPr: behind everything
        return
    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = rgb_color(background.color or "FFFFFF")


def _prepared_copy(shape: Any, owner: Any, theme: Any, scale: tuple[float, float]) -> Any | None:
    """A standalone copy of `shape` (None when it should not be copied)."""
    element = copy.deepcopy(shape.element)
    if shape.is_placeholder and not _placeholder_copy(
        element, shape, style_chain(shape.element, owner, theme)
    ):
        return None
    set_scheme_colors_to_rgb(element, theme)
    _scale_position(element, *scale)
    return element


def copy_slide(source: Any, dest: Any) -> Any:
    """Append a flattened copy of `source` (a slide of another deck) to `dest`."""
    layout = source.slide_layout
    master = layout.slide_master
    theme = theme_of_master(master)
    source_prs = source.part.package.presentation_part.presentation
    sx = int(dest.slide_width) / int(source_prs.slide_width)
    sy = int(dest.slide_height) / int(source_prs.slide_height)
    slide = add_blank_slide(dest)
    _set_background(slide, source, theme, (int(dest.slide_width), int(dest.slide_height)))

    layers: list[tuple[Any, list[Any]]] = []
    if shows_master_shapes(source):
        layers.append((master, [s for s in master.shapes if not s.is_placeholder]))
    if shows_layout_shapes(source):
        layers.append((layout, [s for s in layout.shapes if not s.is_placeholder]))
    layers.append((source, list(source.shapes)))
    tree = slide.shapes._spTree
    for owner, shapes in layers:
        for shape in shapes:
            try:
                element = _prepared_copy(shape, owner, theme, (sx, sy))
            except DAMAGED as exc:  # a broken shape in an uploaded deck is left out
                logger.warning("skipped a shape that could not be copied (%s)", type(exc).__name__)
                continue
            if element is None or not _relink(element, owner.part, slide.part):
                continue
            extension = first(tree, "p:extLst")
            if extension is not None:
                extension.addprevious(element)
            else:
                tree.append(element)
    for number, c_nv_pr in enumerate(tree.iter(qn("p:cNvPr")), start=1):
        c_nv_pr.set("id", str(number))
    return slide
