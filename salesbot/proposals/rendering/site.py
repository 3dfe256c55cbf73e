"""A location's slide: its photo with the key specs, laid out for a digital screen or a
printed (static) billboard, or spec cards alone when the location has no photo yet."""

from __future__ import annotations

from typing import Any

from salesbot.proposals.pricing import LocationFacts
from salesbot.proposals.rendering.drawing import (
    LIGHT,
    MUTED,
    WHITE,
    DeckStyle,
    add_photo,
    add_rect,
    add_text,
    set_background,
    slide_scale,
)
from salesbot.proposals.rendering.slide_copy import add_blank_slide

DIGITAL_KICKER = "Digital screen"
STATIC_KICKER = "Static billboard"


def facts_rows(facts: LocationFacts) -> list[tuple[str, str]]:
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


def location_slide(
    prs: Any, facts: LocationFacts, style: DeckStyle, photo: bytes | None = None
) -> Any:
    """The location's slide: photo and specs (digital or static layout), else spec cards."""
    if photo is None:
        return _cards_slide(prs, facts, style)
    if facts.display_type == "digital":
        return _digital_slide(prs, facts, style, photo)
    return _static_slide(prs, facts, style, photo)


def _heading(
    slide: Any, facts: LocationFacts, style: DeckStyle, box: tuple[float, float, float], s: float
) -> float:
    """Kicker, name, accent bar and series at (x, y) within width w; the y below them."""
    x, y, w = box
    kicker = DIGITAL_KICKER if facts.display_type == "digital" else STATIC_KICKER
    add_text(
        slide, (x, y, w, 18 * s), kicker.upper(), 11 * s, style, color=style.accent_hex, bold=True
    )
    add_text(slide, (x, y + 22 * s, w, 64 * s), facts.display_name, 26 * s, style, bold=True)
    add_rect(slide, x, y + 90 * s, 56 * s, 4 * s, style.accent_hex)
    if facts.series:
        add_text(slide, (x, y + 100 * s, w, 20 * s), facts.series, 13 * s, style, color=MUTED)
    return y + 130 * s


def _spec(
    slide: Any, style: DeckStyle, box: tuple[float, float, float], label: str, value: str, s: float
) -> None:
    x, y, w = box
    add_text(slide, (x, y, w, 16 * s), label, 10.5 * s, style, color=MUTED)
    add_text(slide, (x, y + 16 * s, w, 24 * s), value, 17 * s, style, bold=True)


def _digital_slide(prs: Any, facts: LocationFacts, style: DeckStyle, photo: bytes) -> Any:
    """Photo on the left, a column of screen specs (spot, loop, share of voice) on the right."""
    width, height, s = slide_scale(prs)
    slide = add_blank_slide(prs)
    set_background(slide, WHITE)
    photo_w = width * 0.56
    add_photo(slide, photo, (0, 0, photo_w, height))
    left = photo_w + 36 * s
    column = width - left - 36 * s
    y = _heading(slide, facts, style, (left, height * 0.08, column), s)
    for label, value in facts_rows(facts)[1:]:
        _spec(slide, style, (left, y, column), label, value, s)
        y += 48 * s
    return slide


def _static_slide(prs: Any, facts: LocationFacts, style: DeckStyle, photo: bytes) -> Any:
    """A wide photo band across the top, the name and print specs in a row beneath it."""
    width, height, s = slide_scale(prs)
    slide = add_blank_slide(prs)
    set_background(slide, WHITE)
    band = height * 0.60
    add_photo(slide, photo, (0, 0, width, band))
    add_rect(slide, 0, band, width, 4 * s, style.accent_hex)
    left = width * 0.06
    _heading(slide, facts, style, (left, band + 22 * s, width * 0.44), s)
    specs = [*facts_rows(facts)[1:], ("Format", "Printed billboard")]
    cell_w = width * 0.42 / max(len(specs), 1)
    x = width * 0.52
    for label, value in specs:
        add_rect(slide, x, band + 40 * s, 3 * s, 44 * s, style.accent_hex)
        _spec(slide, style, (x + 12 * s, band + 40 * s, cell_w - 18 * s), label, value, s)
        x += cell_w
    return slide


def _cards_slide(prs: Any, facts: LocationFacts, style: DeckStyle) -> Any:
    width, height, s = slide_scale(prs)
    slide = add_blank_slide(prs)
    set_background(slide, WHITE)
    accent = style.accent_hex
    left = width * 0.06
    add_text(
        slide,
        (left, height * 0.08, width * 0.88, 44 * s),
        facts.display_name,
        28 * s,
        style,
        bold=True,
    )
    add_rect(slide, left, height * 0.08 + 48 * s, 64 * s, 4 * s, accent)
    if facts.series:
        add_text(
            slide,
            (left, height * 0.08 + 60 * s, width * 0.88, 24 * s),
            facts.series,
            14 * s,
            style,
            color=MUTED,
        )
    rows = facts_rows(facts)
    columns = 3
    gap = 16 * s
    card_w = (width * 0.88 - gap * (columns - 1)) / columns
    card_h = 96 * s
    top = height * 0.36
    for index, (label, value) in enumerate(rows):
        x = left + (index % columns) * (card_w + gap)
        y = top + (index // columns) * (card_h + gap)
        add_rect(slide, x, y, card_w, card_h, LIGHT)
        add_rect(slide, x, y, 4 * s, card_h, accent)
        add_text(
            slide,
            (x + 18 * s, y + 16 * s, card_w - 30 * s, 18 * s),
            label,
            12 * s,
            style,
            color=MUTED,
        )
        add_text(
            slide,
            (x + 18 * s, y + 40 * s, card_w - 30 * s, 40 * s),
            value,
            22 * s,
            style,
            bold=True,
        )
    return slide
