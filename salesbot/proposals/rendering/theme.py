"""Resolve what a slide inherits: theme colours, backgrounds and placeholder text styles.

python-pptx exposes only what is written on a shape; PowerPoint also applies the layout, the
master and the theme. The PDF renderer and the slide copier both need the effective values.
"""

from __future__ import annotations

import colorsys
import importlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pptx.dml.color import RGBColor
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml import parse_xml
from pptx.oxml.xmlchemy import OxmlElement
from pptx.slide import Slide, SlideLayout, SlideMaster

# lxml ships no type stubs here; python-pptx depends on it, so it is always installed.
_ETREE: Any = importlib.import_module("lxml.etree")
NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
EMU_PER_PT = 12700
# Errors raised by malformed XML values (e.g. a non-numeric offset) inside uploaded decks.
DAMAGED = (ValueError, KeyError, TypeError, AttributeError, IndexError, ZeroDivisionError)
COLOR_TAGS = ("srgbClr", "schemeClr", "sysClr", "prstClr", "scrgbClr", "hslClr")
_PRESET_COLORS = {
    "black": "000000",
    "white": "FFFFFF",
    "red": "FF0000",
    "green": "008000",
    "blue": "0000FF",
    "yellow": "FFFF00",
    "gray": "808080",
    "grey": "808080",
    "darkGray": "A9A9A9",
    "lightGray": "D3D3D3",
    "orange": "FFA500",
}
# clrMap defaults used by virtually every master (bg1=lt1, tx1=dk1, ...).
_DEFAULT_MAP = {"bg1": "lt1", "tx1": "dk1", "bg2": "lt2", "tx2": "dk2"}
_OFFICE_THEME = {
    "dk1": "000000",
    "lt1": "FFFFFF",
    "dk2": "44546A",
    "lt2": "E7E6E6",
    "accent1": "4472C4",
    "accent2": "ED7D31",
    "accent3": "A5A5A5",
    "accent4": "FFC000",
    "accent5": "5B9BD5",
    "accent6": "70AD47",
    "hlink": "0563C1",
    "folHlink": "954F72",
}


def localname(element: Any) -> str:
    """Tag name without namespace ("" for comments and processing instructions)."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@lru_cache(maxsize=512)
def _compiled(path: str) -> Any:
    return _ETREE.XPath(path, namespaces=NS)


def xpath(element: Any, path: str) -> list[Any]:
    """Evaluate `path` (prefixes a, p, r) with a cached compiled expression."""
    found: list[Any] = _compiled(path)(element)
    return found


def first(element: Any, path: str) -> Any | None:
    found = xpath(element, path)
    return found[0] if found else None


@dataclass
class Theme:
    """Theme colour scheme plus the master's colour map."""

    colors: dict[str, str] = field(default_factory=lambda: dict(_OFFICE_THEME))
    color_map: dict[str, str] = field(default_factory=lambda: dict(_DEFAULT_MAP))

    def scheme(self, name: str) -> str | None:
        return self.colors.get(self.color_map.get(name, name))


def theme_of_master(master: Any) -> Theme:
    """Theme of a python-pptx SlideMaster (Office defaults where anything is missing)."""
    theme = Theme()
    try:
        part = master.part.part_related_by(RT.THEME)
        root = parse_xml(part.blob)
    except (KeyError, ValueError, SyntaxError):
        return theme
    scheme = first(root, "a:themeElements/a:clrScheme")
    if scheme is not None:
        for child in scheme:
            name = localname(child)
            srgb = first(child, "a:srgbClr/@val")
            system = first(child, "a:sysClr/@lastClr")
            value = srgb if srgb is not None else system
            if value is not None:
                theme.colors[name] = str(value).upper()
    clr_map = first(master.element, "p:clrMap")
    if clr_map is not None:
        theme.color_map.update({k: str(v) for k, v in clr_map.attrib.items()})
    return theme


_RGB_COLOR: Any = RGBColor  # python-pptx leaves its constructor unannotated


def rgb_color(value: str) -> Any:
    """python-pptx colour from "1F4E79"."""
    return _RGB_COLOR(int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def _hex_to_rgb(value: str) -> tuple[float, float, float]:
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def _rgb_to_hex(rgb: tuple[float, float, float]) -> str:
    return "".join(f"{round(max(0.0, min(1.0, c)) * 255):02X}" for c in rgb)


def _apply_modifiers(value: str, color_el: Any) -> str:
    """lumMod/lumOff (HSL luminance), tint (towards white) and shade (towards black)."""
    r, g, b = _hex_to_rgb(value)
    for mod in color_el:
        name = localname(mod)
        amount = int(mod.get("val", "100000")) / 100000
        if name in ("lumMod", "lumOff"):
            h, lum, s = colorsys.rgb_to_hls(r, g, b)
            lum = lum * amount if name == "lumMod" else lum + amount
            r, g, b = colorsys.hls_to_rgb(h, max(0.0, min(1.0, lum)), s)
        elif name == "tint":
            r, g, b = (c + (1 - c) * (1 - amount) for c in (r, g, b))
        elif name == "shade":
            r, g, b = (c * amount for c in (r, g, b))
    return _rgb_to_hex((r, g, b))


def color_of(element: Any, theme: Theme) -> str | None:
    """Hex colour of the first colour child of `element` (e.g. an a:solidFill), or None."""
    if element is None:
        return None
    for child in element:
        name = localname(child)
        if name not in COLOR_TAGS:
            continue
        base: str | None
        if name == "srgbClr":
            base = str(child.get("val", "000000")).upper()
        elif name == "schemeClr":
            base = theme.scheme(str(child.get("val", "")))
        elif name == "sysClr":
            base = str(child.get("lastClr", "000000")).upper()
        elif name == "prstClr":
            base = _PRESET_COLORS.get(str(child.get("val", "")), "000000")
        elif name == "scrgbClr":
            parts = (int(child.get(k, "0")) / 100000 for k in ("r", "g", "b"))
            base = _rgb_to_hex(tuple(parts))  # type: ignore[arg-type]
        else:  # hslClr
            h = int(child.get("hue", "0")) / 21600000
            s = int(child.get("sat", "0")) / 100000
            lum = int(child.get("lum", "0")) / 100000
            base = _rgb_to_hex(colorsys.hls_to_rgb(h, lum, s))
        return None if base is None else _apply_modifiers(base, child)
    return None


def fill_color(container: Any, theme: Theme) -> str | None:
    """Colour of a solid (or first gradient stop) fill directly under `container`."""
    if container is None:
        return None
    solid = first(container, "a:solidFill")
    if solid is not None:
        return color_of(solid, theme)
    stop = first(container, "a:gradFill/a:gsLst/a:gs")
    if stop is not None:
        return color_of(stop, theme)
    return None


@dataclass(frozen=True)
class Background:
    """An effective slide background: a colour, or an image blob to stretch over the page."""

    color: str | None = None
    image: bytes | None = None


def _background_from(owner: Any, theme: Theme) -> Background | None:
    bg = first(owner.element, "p:cSld/p:bg")
    if bg is None:
        return None
    props = first(bg, "p:bgPr")
    if props is not None:
        blip = first(props, "a:blipFill/a:blip/@r:embed")
        if blip is not None:
            try:
                return Background(image=owner.part.related_part(str(blip)).blob)
            except KeyError:
                return None
        color = fill_color(props, theme)
        return Background(color=color) if color else None
    ref = first(bg, "p:bgRef")
    if ref is not None:
        color = color_of(ref, theme)
        return Background(color=color) if color else None
    return None


def effective_background(slide: Any, theme: Theme) -> Background:
    """The slide's own background, else its layout's, else its master's, else white."""
    layout = slide.slide_layout
    for owner in (slide, layout, layout.slide_master):
        found = _background_from(owner, theme)
        if found is not None:
            return found
    return Background(color=theme.scheme("bg1") or "FFFFFF")


def shows_layout_shapes(slide: Any) -> bool:
    """False when the slide hides its background graphics (layout and master shapes)."""
    return str(slide.element.get("showMasterSp", "1")) != "0"


def shows_master_shapes(slide: Any) -> bool:
    layout = slide.slide_layout
    own = str(slide.element.get("showMasterSp", "1"))
    inherited = str(layout.element.get("showMasterSp", "1"))
    return own != "0" and inherited != "0"


# --------------------------------------------------------------------------- text styles


@dataclass
class TextStyle:
    """Resolved paragraph-level text properties (sizes in points, lengths in EMU)."""

    size: float = 18.0
    bold: bool = False
    italic: bool = False
    color: str | None = None
    align: str = "l"
    bullet: str | None = None
    margin_left: int = 0
    indent: int = 0
    line_spacing: float = 1.0
    space_before: float = 0.0
    space_after: float = 0.0


def _ph(shape_el: Any) -> Any | None:
    return first(shape_el, "p:nvSpPr/p:nvPr/p:ph | p:nvPicPr/p:nvPr/p:ph")


def _ph_kind(ph: Any) -> str:
    kind = str(ph.get("type", "obj"))
    if kind in ("title", "ctrTitle"):
        return "title"
    if kind in ("body", "subTitle", "obj"):
        return "body"
    return kind


def _matching_placeholder(owner: Any, ph: Any, by_idx: bool) -> Any | None:
    kind = _ph_kind(ph)
    idx = ph.get("idx", "0")
    candidates = [
        (sp, sp_ph)
        for sp in xpath(owner.element, "p:cSld/p:spTree/p:sp")
        if (sp_ph := _ph(sp)) is not None
    ]
    if by_idx:
        for sp, sp_ph in candidates:
            if sp_ph.get("idx", "0") == idx and idx != "0":
                return sp
    for sp, sp_ph in candidates:
        if _ph_kind(sp_ph) == kind:
            return sp
    return None


@dataclass
class StyleChain:
    """The inheritance chain of one shape: list styles and body properties, nearest first."""

    list_styles: list[Any]
    body_props: list[Any]
    theme: Theme
    default_color: str | None


def style_chain(shape_el: Any, slide: Any, theme: Theme) -> StyleChain:
    """Chain for a shape element placed on `slide` (a slide, layout or master)."""
    list_styles: list[Any] = []
    body_props: list[Any] = []

    def add(sp: Any | None) -> None:
        if sp is None:
            return
        lst = first(sp, "p:txBody/a:lstStyle")
        if lst is not None:
            list_styles.append(lst)
        body = first(sp, "p:txBody/a:bodyPr")
        if body is not None:
            body_props.append(body)

    add(shape_el)
    ph = _ph(shape_el)
    layout = slide.slide_layout if isinstance(slide, Slide) else None
    if isinstance(slide, SlideMaster):
        master: SlideMaster | None = slide
    else:
        master = slide.slide_master if isinstance(slide, SlideLayout) else None
        if layout is not None:
            master = layout.slide_master
    if ph is not None:
        if layout is not None:
            add(_matching_placeholder(layout, ph, by_idx=True))
        if master is not None and master is not slide:
            add(_matching_placeholder(master, ph, by_idx=False))
        if master is not None:
            styles = {"title": "p:titleStyle", "body": "p:bodyStyle"}
            tx = first(master.element, f"p:txStyles/{styles.get(_ph_kind(ph), 'p:otherStyle')}")
            if tx is not None:
                list_styles.append(tx)
    elif master is not None:
        pres = master.part.package.presentation_part.presentation.element
        default = first(pres, "p:defaultTextStyle")
        if default is not None:
            list_styles.append(default)
    return StyleChain(list_styles, body_props, theme, theme.scheme("tx1"))


def body_property(chain: StyleChain, name: str) -> str | None:
    for body in chain.body_props:
        value = body.get(name)
        if value is not None:
            return str(value)
    return None


def _level_props(chain: StyleChain, level: int) -> list[Any]:
    tag = f"a:lvl{min(max(level, 0), 8) + 1}pPr"
    found = []
    for lst in chain.list_styles:
        props = first(lst, tag)
        if props is not None:
            found.append(props)
    return found


def paragraph_style(chain: StyleChain, p_el: Any, level: int) -> TextStyle:
    """Effective style of a paragraph: its own pPr, then the chain, then defaults."""
    style = TextStyle(color=chain.default_color)
    own = first(p_el, "a:pPr")
    levels = ([own] if own is not None else []) + _level_props(chain, level)
    # Walk farthest first so nearer definitions override.
    for props in reversed(levels):
        _apply_ppr(style, props, chain.theme)
    return style


def _apply_ppr(style: TextStyle, props: Any, theme: Theme) -> None:
    if props.get("algn"):
        style.align = str(props.get("algn"))
    if props.get("marL"):
        style.margin_left = int(props.get("marL"))
    if props.get("indent"):
        style.indent = int(props.get("indent"))
    if first(props, "a:buNone") is not None:
        style.bullet = None
    char = first(props, "a:buChar/@char")
    if char is not None:
        style.bullet = str(char)
    elif first(props, "a:buAutoNum") is not None:
        style.bullet = "•"
    spacing = first(props, "a:lnSpc/a:spcPct/@val")
    if spacing is not None:
        style.line_spacing = int(spacing) / 100000
    before = first(props, "a:spcBef/a:spcPts/@val")
    if before is not None:
        style.space_before = int(before) / 100
    after = first(props, "a:spcAft/a:spcPts/@val")
    if after is not None:
        style.space_after = int(after) / 100
    defaults = first(props, "a:defRPr")
    if defaults is not None:
        apply_rpr(style, defaults, theme)


def apply_rpr(style: TextStyle, rpr: Any, theme: Theme) -> None:
    """Overlay run properties (a:rPr / a:defRPr) onto `style`."""
    if rpr.get("sz"):
        style.size = int(rpr.get("sz")) / 100
    if rpr.get("b") is not None:
        style.bold = rpr.get("b") in ("1", "true")
    if rpr.get("i") is not None:
        style.italic = rpr.get("i") in ("1", "true")
    color = fill_color(rpr, theme)
    if color is not None:
        style.color = color


def set_scheme_colors_to_rgb(root: Any, theme: Theme) -> None:
    """Replace a:schemeClr by the equivalent a:srgbClr so a copy keeps its colours."""
    for scheme in xpath(root, ".//a:schemeClr"):
        value = theme.scheme(str(scheme.get("val", "")))
        if value is None:  # phClr: the style's placeholder colour, resolved by the consumer
            continue
        resolved = _apply_modifiers(value, scheme)
        replacement = OxmlElement("a:srgbClr")
        replacement.set("val", resolved)
        for mod in list(scheme):
            if localname(mod) == "alpha":
                replacement.append(mod)
        scheme.addprevious(replacement)
        scheme.getparent().remove(scheme)
