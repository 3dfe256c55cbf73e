"""Proposal decks as PPTX: default location decks, the cover, separate and combined decks."""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, Sequence
from typing import Any

from pptx.enum.text import MSO_ANCHOR, PP_ALIGN

from salesbot.kit.decks import open_deck
from salesbot.proposals.priced import InvestmentTable
from salesbot.proposals.pricing import LocationFacts
from salesbot.proposals.rendering.drawing import (
    DEFAULT_DECK_MARKER,
    LIGHT,
    MUTED,
    WHITE,
    DeckStyle,
    add_rect,
    add_text,
    move_slide,
    new_presentation,
    set_background,
    slide_scale,
)
from salesbot.proposals.rendering.investment import add_investment_slide
from salesbot.proposals.rendering.slide_copy import add_blank_slide, copy_slide

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
    width, height, s = slide_scale(prs)
    slide = add_blank_slide(prs)
    set_background(slide, WHITE)
    accent = style.accent_hex
    add_rect(slide, 0, 0, width * 0.03, height, accent)
    left = width * 0.08
    text_w = width * 0.84
    if kicker:
        add_text(
            slide,
            (left, height * 0.30, text_w, 24 * s),
            kicker.upper(),
            14 * s,
            style,
            color=accent,
            bold=True,
        )
    add_text(
        slide,
        (left, height * 0.36, text_w, height * 0.24),
        title,
        40 * s,
        style,
        bold=True,
        anchor=MSO_ANCHOR.MIDDLE,
    )
    if subtitle:
        add_text(slide, (left, height * 0.62, text_w, 60 * s), subtitle, 18 * s, style, color=MUTED)
    if style.company_name:
        add_text(
            slide,
            (left, height * 0.88, text_w, 20 * s),
            style.company_name,
            12 * s,
            style,
            color=MUTED,
        )


def _facts_slide(prs: Any, facts: LocationFacts, style: DeckStyle) -> None:
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
    rows = _facts_rows(facts)
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


def _closing_slide(prs: Any, style: DeckStyle) -> None:
    width, height, s = slide_scale(prs)
    slide = add_blank_slide(prs)
    set_background(slide, style.accent_hex)
    add_text(
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
        add_text(
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
    prs = new_presentation()
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
    prs = new_presentation()
    _title_slide(prs, "Proposal", title, subtitle, style)
    _closing_slide(prs, style)
    return save(prs)


def is_default_deck(pptx: bytes) -> bool:
    """Whether `pptx` was generated by this module (not an uploaded template)."""
    return bool(open_deck(pptx).core_properties.category == DEFAULT_DECK_MARKER)


# --------------------------------------------------------------------------- investment slide


def _insert_before_last(prs: Any, table: InvestmentTable, style: DeckStyle) -> None:
    count = len(prs.slides)
    add_investment_slide(prs, table, style)
    if count >= 2:
        move_slide(prs, count, count - 1)


# --------------------------------------------------------------------------- public API
def save(prs: Any) -> bytes:
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


@functools.lru_cache(maxsize=128)
def _default_deck_bytes(facts: LocationFacts, style: DeckStyle) -> bytes:
    # Drawing the default deck costs more than reading it back: drawn once per location/look.
    return save(default_deck(facts, style))


def separate_deck(
    table: InvestmentTable,
    facts: LocationFacts,
    *,
    template: bytes | None = None,
    style: DeckStyle | None = None,
) -> Any:
    """One location's deck (a python-pptx Presentation) with its investment slide inserted
    before the last slide."""
    style = style or DeckStyle()
    prs = open_deck(template if template is not None else _default_deck_bytes(facts, style))
    _insert_before_last(prs, table, style)
    return prs


def render_separate_pptx(
    table: InvestmentTable,
    facts: LocationFacts,
    *,
    template: bytes | None = None,
    style: DeckStyle | None = None,
) -> bytes:
    """`separate_deck` as PPTX bytes."""
    return save(separate_deck(table, facts, template=template, style=style))


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
        prs = new_presentation()
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
