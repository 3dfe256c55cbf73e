"""Proposal PDFs drawn by the product itself (reportlab + the embedded DejaVu font).

Every page is painted from the PPTX deck, so the PDF shows the same slides, the same table and
the same numbers as the PowerPoint file. Multi-location PDFs are merged with pypdf.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from pypdf import PdfReader, PdfWriter
from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from salesbot.kit.decks import open_deck
from salesbot.proposals.rendering.drawing import DEFAULT_DECK_MARKER, DeckStyle
from salesbot.proposals.rendering.fonts import REGULAR, register_fonts
from salesbot.proposals.rendering.pdf.shapes import SlidePainter
from salesbot.proposals.rendering.pptx import render_cover_pptx
from salesbot.proposals.rendering.theme import EMU_PER_PT, theme_of_master

CREATOR = "Sales Proposal Bot"
# Images go into the PDF as binary streams: ASCII85 text would make them a quarter larger, and
# reportlab's ASCII85 encoder is pure Python here (seconds for one photo).
rl_config.useA85 = 0


def _draw(prs: Any, indices: Sequence[int], title: str) -> bytes:
    register_fonts()
    width = int(prs.slide_width) / EMU_PER_PT
    height = int(prs.slide_height) / EMU_PER_PT
    buffer = io.BytesIO()
    # The initial font is set so that reportlab does not reference Helvetica at all.
    canvas = Canvas(
        buffer,
        pagesize=(width, height),
        invariant=True,
        pageCompression=1,
        initialFontName=REGULAR,
    )
    canvas.setTitle(title or prs.core_properties.title or "Proposal")
    canvas.setCreator(CREATOR)
    painter = SlidePainter(canvas, width, height)
    slides = list(prs.slides)
    themes: dict[int, Any] = {}
    for index in indices:
        slide = slides[index]
        master = slide.slide_layout.slide_master
        theme = themes.setdefault(id(master), theme_of_master(master))
        painter.paint(slide, theme)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _visible(prs: Any, indices: Sequence[int]) -> list[int]:
    """Indices that exist and are not hidden slides (PowerPoint leaves those out of PDFs)."""
    slides = list(prs.slides)
    return [i for i in indices if 0 <= i < len(slides) and slides[i].element.get("show") != "0"]


def pptx_to_pdf(pptx: bytes, slides: Sequence[int] | None = None, title: str = "") -> bytes:
    """Render a deck (or the slides at `slides`, 0-based) as a PDF, one page per slide."""
    return deck_to_pdf(open_deck(pptx), slides, title)


def deck_to_pdf(prs: Any, slides: Sequence[int] | None = None, title: str = "") -> bytes:
    """`pptx_to_pdf` of a deck already open (python-pptx Presentation): no second parse."""
    indices = _visible(prs, range(len(prs.slides)) if slides is None else slides)
    if not indices:
        raise ValueError("The deck has no slides to render")
    return _draw(prs, indices, title)


def _inner(count: int) -> list[int]:
    """A deck's slides without its first (intro) and last (closing) one."""
    return list(range(1, count - 1)) if count >= 3 else list(range(count))


def combined_separate_pdf(
    decks: Sequence[bytes],
    *,
    cover: bytes | None = None,
    title: str = "Proposal",
    subtitle: str = "",
    style: DeckStyle | None = None,
) -> bytes:
    """One PDF for several separate proposals: intro, each deck's inner slides, outro.

    The intro and outro are the first and last slides of `cover`; without one they come from
    the first deck, or, when that is a generated default deck (whose title slide names a single
    location), from a generated cover titled `title` / `subtitle`.
    """
    if not decks:
        raise ValueError("No proposals provided")
    first_deck = open_deck(decks[0])
    if cover is None and first_deck.core_properties.category == DEFAULT_DECK_MARKER:
        cover = render_cover_pptx(title, subtitle, style)
    cover_deck = open_deck(cover) if cover is not None else first_deck
    last = len(cover_deck.slides) - 1
    writer = PdfWriter()
    intro_outro = PdfReader(io.BytesIO(_draw(cover_deck, [0, last] if last else [0], title)))
    writer.add_page(intro_outro.pages[0])
    for index, deck in enumerate(decks):
        prs = first_deck if index == 0 else open_deck(deck)
        inner = _visible(prs, _inner(len(prs.slides)))
        if not inner:
            continue
        body = PdfReader(io.BytesIO(_draw(prs, inner, title)))
        for page in body.pages:
            writer.add_page(page)
    if last:
        writer.add_page(intro_outro.pages[1])
    writer.add_metadata({"/Title": title, "/Creator": CREATOR})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def combined_package_pdf(pptx: bytes, title: str = "Combined Package") -> bytes:
    """The PDF of a combined package deck (all locations' slides and one investment slide)."""
    return pptx_to_pdf(pptx, title=title)
