"""Offline AI-creative fallback: a clean typographic poster from a description, and the prompt
an image model gets when one is configured.

The poster is deterministic: the same description always gives the same palette and layout
(palette words such as "on black" or "gold accents" are honoured, otherwise a curated palette
is picked from a stable hash of the text). All positions sit on an 8 px grid.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from salesbot.kit.fonts import BOLD, REGULAR

RGB = tuple[int, int, int]
Orientation = Literal["portrait", "landscape"]

GRID = 8
MIN_SIDE = 64
MAX_SIDE = 10_000
MAX_PIXELS = 40_000_000
MAX_HEADLINE_WORDS = 14
MAX_HEADLINE_LINES = 6
MAX_PROMPT_DESCRIPTION = 1000


class PosterError(ValueError):
    """A poster request that cannot be rendered (no description, impossible size)."""


@dataclass(frozen=True, slots=True)
class Palette:
    background: RGB
    background_end: RGB
    text: RGB
    accent: RGB


COLOURS: dict[str, RGB] = {
    "black": (14, 14, 16),
    "white": (247, 246, 242),
    "cream": (244, 237, 222),
    "ivory": (248, 244, 232),
    "grey": (62, 64, 68),
    "gray": (62, 64, 68),
    "charcoal": (38, 40, 44),
    "navy": (16, 30, 62),
    "blue": (24, 66, 142),
    "teal": (12, 96, 102),
    "green": (22, 92, 62),
    "emerald": (8, 110, 76),
    "red": (172, 30, 38),
    "burgundy": (104, 18, 36),
    "maroon": (96, 20, 30),
    "purple": (72, 34, 104),
    "pink": (226, 92, 140),
    "orange": (232, 112, 32),
    "yellow": (246, 202, 44),
    "gold": (212, 175, 55),
    "silver": (196, 198, 204),
    "bronze": (176, 122, 64),
    "copper": (184, 110, 74),
}
METALLIC = ("gold", "silver", "bronze", "copper")

# Curated palettes for descriptions that name no colours: background, gradient end, text, accent.
CURATED: tuple[Palette, ...] = (
    Palette((16, 30, 62), (10, 20, 44), (247, 246, 242), (212, 175, 55)),
    Palette((14, 14, 16), (34, 34, 38), (247, 246, 242), (232, 112, 32)),
    Palette((244, 237, 222), (232, 222, 200), (26, 26, 30), (172, 30, 38)),
    Palette((12, 96, 102), (8, 70, 76), (247, 246, 242), (246, 202, 44)),
    Palette((247, 246, 242), (232, 232, 228), (20, 24, 32), (24, 66, 142)),
    Palette((104, 18, 36), (72, 12, 26), (248, 244, 232), (212, 175, 55)),
)

_COLOUR_WORDS = "|".join(sorted(COLOURS, key=len, reverse=True))
_DETAIL_WORDS = "(?:accents?|details?|highlights?|lettering|type|text|foil)"
_BACKGROUND_PATTERNS = (
    re.compile(rf"\bon (?:a |an )?(?:solid |plain |deep |rich )?({_COLOUR_WORDS})\b"),
    re.compile(rf"\b({_COLOUR_WORDS}) (?:background|backdrop|canvas)\b"),
    re.compile(rf"\bbackground (?:of |is |in )?({_COLOUR_WORDS})\b"),
)
_ACCENT_PATTERNS = (
    re.compile(
        rf"\b({_COLOUR_WORDS}) (?:accents?|details?|highlights?|lettering|type|text|foil)\b"
    ),
    re.compile(rf"\baccents? (?:of |in )?({_COLOUR_WORDS})\b"),
)
_TEXT_PATTERN = re.compile(rf"\b({_COLOUR_WORDS}) (?:lettering|type|text|headline)\b")
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{1,200})[\"“”«»]|(?<!\w)'([^']{1,200})'(?!\w)")
_LEAD_IN = re.compile(
    r"^(?:(?:a|an|the)\s+)?(?:(?:clean|simple|bold|modern|minimal|elegant|luxury|premium)\s+)*"
    r"(?:poster|billboard|creative|artwork|design|ad|advert|advertisement|campaign|visual)"
    r"(?:\s+(?:for|about|of|advertising|promoting))?\s+",
    re.IGNORECASE,
)
_STYLE_PHRASES = (
    re.compile(
        rf",?\s*\bon (?:a |an )?(?:solid |plain |deep |rich )?(?:{_COLOUR_WORDS})\b(?: background)?"
    ),
    re.compile(rf",?\s*\b(?:with |and )?(?:{_COLOUR_WORDS}) {_DETAIL_WORDS}\b"),
    re.compile(rf",?\s*\b(?:{_COLOUR_WORDS}) (?:background|backdrop)\b"),
)


def orientation(width: float, height: float) -> Orientation:
    """Portrait when taller than wide, otherwise landscape."""
    return "portrait" if height > width else "landscape"


def _clean_description(description: str) -> str:
    if not isinstance(description, str) or not description.strip():
        raise PosterError("Describe the artwork you want, e.g. “summer sale on black, gold type”.")
    return " ".join(description.split())


def creative_prompt(description: str, frame_orientation: Orientation) -> str:
    """The image-model prompt for a flat, edge-to-edge print creative of the right shape."""
    text = _clean_description(description)[:MAX_PROMPT_DESCRIPTION]
    if frame_orientation not in ("portrait", "landscape"):
        raise PosterError('Orientation must be "portrait" or "landscape".')
    shape = (
        "portrait format (taller than wide)"
        if frame_orientation == "portrait"
        else "landscape format (wider than tall)"
    )
    return (
        f"A flat, edge-to-edge print creative in {shape}: {text}. "
        "The artwork itself fills the entire canvas, exactly as it would be printed, "
        "viewed straight on. Do not show a mockup, billboard, frame, border, wall, street, "
        "scene around it or any perspective; no watermark."
    )


def _luminance(colour: RGB) -> float:
    r, g, b = (c / 255.0 for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _shade(colour: RGB, amount: float) -> RGB:
    """Lighten (amount > 0) or darken (amount < 0) a colour towards white or black."""
    target = 255 if amount > 0 else 0
    a = abs(amount)
    r, g, b = (round(c + (target - c) * a) for c in colour)
    return (r, g, b)


def _distance(a: RGB, b: RGB) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5)


def choose_palette(description: str) -> Palette:
    """Palette from the description's colour words, else a curated one chosen by stable hash."""
    text = _clean_description(description).lower()
    digest = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    base = CURATED[digest % len(CURATED)]
    background_name = next(
        (m.group(1) for p in _BACKGROUND_PATTERNS if (m := p.search(text))), None
    )
    accent_name = next((m.group(1) for p in _ACCENT_PATTERNS if (m := p.search(text))), None)
    if accent_name is None:
        accent_name = next(
            (
                word
                for word in METALLIC
                if re.search(rf"\b{word}\b", text) and word != background_name
            ),
            None,
        )
    text_name = m.group(1) if (m := _TEXT_PATTERN.search(text)) else None
    if background_name is None and accent_name is None:
        return base
    background = COLOURS[background_name] if background_name else base.background
    dark = _luminance(background) < 0.45
    background_end = _shade(background, 0.08 if dark else -0.06)
    ink = (247, 246, 242) if dark else (20, 22, 28)
    text_colour = COLOURS[text_name] if text_name else ink
    if _distance(text_colour, background) < 90:
        text_colour = ink
    accent = COLOURS[accent_name] if accent_name else base.accent
    if _distance(accent, background) < 90:
        accent = text_colour
    return Palette(background, background_end, text_colour, accent)


def headline_and_subline(description: str) -> tuple[str, str | None]:
    """Quoted text is used verbatim (headline, then sub-line); otherwise the description minus
    palette phrases and lead-ins such as "a poster for"."""
    text = _clean_description(description)
    quoted = [a or b for a, b in _QUOTED.findall(text) if (a or b).strip()]
    if quoted:
        return quoted[0].strip(), (quoted[1].strip() if len(quoted) > 1 else None)
    cleaned = text
    for pattern in _STYLE_PHRASES:
        cleaned = pattern.sub("", cleaned)
    cleaned = _LEAD_IN.sub("", cleaned.strip(" ,.;:-")).strip(" ,.;:-")
    if not cleaned:
        cleaned = text
    words = cleaned.split()
    if len(words) > MAX_HEADLINE_WORDS:
        words = [*words[:MAX_HEADLINE_WORDS], "…"]
    headline = " ".join(words)
    return headline[0].upper() + headline[1:], None


def _snap(value: float) -> int:
    """Round down to the 8 px grid (never below one grid step)."""
    return max(GRID, int(value) // GRID * GRID)


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for raw_word in text.split():
        word = raw_word
        # A word wider than the line is hyphenated where it has to be.
        while font.getlength(word) > max_width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut] + "-") > max_width:
                cut -= 1
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut] + "-")
            word = word[cut:]
        candidate = f"{current} {word}".strip()
        if not current or font.getlength(candidate) <= max_width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _fit(text: str, box_width: int, box_height: int, largest: int) -> tuple[int, list[str]]:
    """Largest bold size (binary search) whose wrapped lines fit the box.

    Sizes that would hyphenate a word are avoided unless no size can fit the word whole.
    """

    def search(allow_breaks: bool) -> tuple[int, list[str]] | None:
        low, high = 8, max(8, largest)
        best: tuple[int, list[str]] | None = None
        while low <= high:
            size = (low + high) // 2
            font = ImageFont.truetype(str(BOLD), size)
            lines = _wrap(text, font, box_width)
            fits = (
                len(lines) <= MAX_HEADLINE_LINES
                and len(lines) * round(size * 1.12) <= box_height
                and all(font.getlength(line) <= box_width for line in lines)
                and (allow_breaks or all(font.getlength(w) <= box_width for w in text.split()))
            )
            if fits:
                best = (size, lines)
                low = size + 1
            else:
                high = size - 1
        return best

    found = search(allow_breaks=False) or search(allow_breaks=True)
    return found or (8, _wrap(text, ImageFont.truetype(str(BOLD), 8), box_width))


def _gradient(width: int, height: int, top: RGB, bottom: RGB) -> Image.Image:
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    start = np.array(top, dtype=np.float32)
    end = np.array(bottom, dtype=np.float32)
    column = np.rint(start + (end - start) * ramp).astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(np.broadcast_to(column, (height, width, 3))))


def render_poster_image(description: str, width: int, height: int) -> Image.Image:
    """The poster as a Pillow RGB image."""
    if (
        isinstance(width, bool)
        or isinstance(height, bool)
        or not isinstance(width, int)
        or not isinstance(height, int)
        or not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE)
        or width * height > MAX_PIXELS
    ):
        raise PosterError(
            f"A poster must be {MIN_SIDE}–{MAX_SIDE} px on each side and at most "
            f"{MAX_PIXELS // 1_000_000} megapixels."
        )
    palette = choose_palette(description)
    headline, subline = headline_and_subline(description)
    image = _gradient(width, height, palette.background, palette.background_end)
    draw = ImageDraw.Draw(image)

    margin = _snap(min(width, height) * 0.08)
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    portrait = orientation(width, height) == "portrait"
    rule_h = _snap(min(width, height) * 0.012)
    rule_w = _snap(inner_w * (0.22 if portrait else 0.14))
    gap = _snap(min(width, height) * 0.03)
    sub_size = 0
    if subline:
        sub_size = max(GRID, _snap(min(width, height) * 0.055))
    reserved = rule_h + gap + (gap + round(sub_size * 1.3) * 2 if subline else 0)
    headline_box_h = max(GRID, int(inner_h * (0.62 if portrait else 0.8)) - reserved)
    size, lines = _fit(headline, inner_w, headline_box_h, largest=int(min(inner_w, inner_h) * 0.4))
    font = ImageFont.truetype(str(BOLD), size)
    line_h = round(size * 1.12)
    block_h = rule_h + gap + len(lines) * line_h
    sub_font = ImageFont.truetype(str(REGULAR), sub_size) if subline else None
    sub_lines = _wrap(subline, sub_font, inner_w)[:2] if subline and sub_font else []
    if sub_lines:
        block_h += gap + len(sub_lines) * round(sub_size * 1.3)

    # Portrait posters read from the top; landscape ones centre the block vertically.
    top = margin if portrait else margin + _snap(max(0, inner_h - block_h) / 2)
    top = max(margin, top // GRID * GRID)
    draw.rectangle((margin, top, margin + rule_w - 1, top + rule_h - 1), fill=palette.accent)
    y = top + rule_h + gap
    for line in lines:
        draw.text((margin, y), line, font=font, fill=palette.text)
        y += line_h
    if sub_font is not None:
        y += gap
        for line in sub_lines:
            draw.text((margin, y), line, font=sub_font, fill=palette.accent)
            y += round(sub_size * 1.3)
    # An accent bar closes the composition at the bottom margin when there is room for it.
    foot = height - margin - rule_h
    if foot - y >= 2 * gap:
        draw.rectangle((margin, foot, margin + rule_w - 1, foot + rule_h - 1), fill=palette.accent)
    return image


def render_poster(description: str, width: int, height: int) -> NDArray[np.uint8]:
    """The poster as a BGR uint8 array, ready for the compositor."""
    rgb = np.asarray(render_poster_image(description, width, height), dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def render_poster_png(description: str, width: int, height: int) -> bytes:
    """The poster as PNG bytes."""
    buffer = io.BytesIO()
    render_poster_image(description, width, height).save(buffer, format="PNG")
    return buffer.getvalue()
