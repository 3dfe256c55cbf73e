"""Producing a proposal's files: PPTX decks and their PDF, drawn in worker threads.

A template deck that cannot be used is replaced by the generated default deck (and logged),
so a broken upload never stops a proposal.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from anyio import to_thread

from salesbot.kit.decks import TemplateError
from salesbot.kit.logging import get_logger
from salesbot.kit.tracing import traced
from salesbot.proposals import pricing
from salesbot.proposals.naming import client_file_name, location_pptx_name
from salesbot.proposals.priced import InvestmentTable, PricedProposal
from salesbot.users import service as users

if TYPE_CHECKING:
    from salesbot.proposals.rendering.drawing import DeckStyle

log = get_logger(__name__)
Progress = Callable[[int, str], Awaitable[None]]
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF = "application/pdf"
_HEX = re.compile(r"^#?[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Output:
    name: str
    data: bytes
    content_type: str
    role: str  # pptx | pdf


def deck_style(company: users.CompanyInfo | None) -> DeckStyle:
    """The company's accent colour and name on generated slides (a valid hex colour only)."""
    # python-pptx and the PDF stack load with the first render, not at start-up.
    from salesbot.proposals.rendering.drawing import DeckStyle

    if company is None:
        return DeckStyle()
    accent = company.accent_color if _HEX.match(company.accent_color or "") else "1F4E79"
    return DeckStyle(accent=accent, company_name=company.name)


def shared_style(styles: Sequence[DeckStyle]) -> DeckStyle:
    """The look of slides that belong to the whole deck (cover, investment, closing): the
    company's when every location is one company's, else neutral (no company's name or colour
    on another company's site)."""
    from salesbot.proposals.rendering.drawing import NEUTRAL

    return styles[0] if styles and len(set(styles)) == 1 else NEUTRAL


def _separate_files(
    table: InvestmentTable,
    fact: pricing.LocationFacts,
    style: DeckStyle,
    pdf_title: str | None,
    photo: bytes | None,
    template: bytes | None,
) -> tuple[bytes, bytes | None]:
    """A location's PPTX, and its PDF drawn from the same open deck when `pdf_title` is given
    (a one-location proposal: the deck is not parsed again for the PDF)."""
    from salesbot.proposals.rendering.pdf import deck_to_pdf
    from salesbot.proposals.rendering.pptx import save, separate_deck

    prs = separate_deck(table, fact, template=template, style=style, photo=photo)
    return save(prs), deck_to_pdf(prs, None, pdf_title) if pdf_title is not None else None


def _several_pdf(
    decks: list[bytes], title: str, subtitle: str, styles: Sequence[DeckStyle]
) -> bytes:
    """The one PDF of several locations; a neutral cover when they are several companies'."""
    from salesbot.proposals.rendering.pdf import combined_separate_pdf
    from salesbot.proposals.rendering.pptx import render_cover_pptx

    style = shared_style(styles)
    mixed = len(set(styles)) > 1
    cover = render_cover_pptx(title, subtitle, style) if mixed else None
    return combined_separate_pdf(decks, cover=cover, title=title, subtitle=subtitle, style=style)


@traced("render proposal", {"salesbot.render.layout": "separate"})
async def render_separate(
    priced: PricedProposal,
    facts: Sequence[pricing.LocationFacts],
    templates: Sequence[bytes | None],
    styles: Sequence[DeckStyle],
    when: datetime,
    progress: Progress,
    photos: Mapping[str, bytes] | None = None,
) -> list[Output]:
    photos = photos or {}
    outputs: list[Output] = []
    steps = len(priced.locations) + 1
    title = f"{priced.client_name} Proposal".strip()
    single = len(priced.locations) == 1
    pdf: bytes | None = None
    count = len(priced.locations)
    for index, loc in enumerate(priced.locations):
        await progress(20 + 65 * index // steps, f"Rendering slides {index + 1}/{count}…")
        make = partial(
            _separate_files,
            priced.tables[index],
            facts[index],
            styles[index],
            title if single else None,
            photos.get(loc.key),
        )
        try:
            deck, pdf = await to_thread.run_sync(make, templates[index])
        except TemplateError:
            log.warning("proposal_template_unusable", location=loc.key)
            deck, pdf = await to_thread.run_sync(make, None)
        name = location_pptx_name(loc.display_name, priced.client_name)
        outputs.append(Output(name, deck, PPTX, "pptx"))
        await progress(20 + 65 * (index + 1) // steps, f"Slides {index + 1}/{count} done")
    if pdf is None:
        await progress(20 + 65 * count // steps, "Rendering the PDF…")
        decks = [o.data for o in outputs]
        subtitle = "  ·  ".join(loc.display_name for loc in priced.locations)
        pdf = await to_thread.run_sync(_several_pdf, decks, title, subtitle, styles)
    outputs.append(Output(client_file_name(priced.client_name, when, "pdf"), pdf, PDF, "pdf"))
    await progress(85, "PDF done")
    return outputs


@traced("render proposal", {"salesbot.render.layout": "combined"})
async def render_combined(
    priced: PricedProposal,
    facts: Sequence[pricing.LocationFacts],
    templates: Mapping[str, bytes],
    styles: Sequence[DeckStyle],
    when: datetime,
    progress: Progress,
    photos: Mapping[str, bytes] | None = None,
) -> list[Output]:
    from salesbot.proposals.rendering.pdf import combined_package_pdf
    from salesbot.proposals.rendering.pptx import render_combined_pptx

    table = priced.tables[0]
    client = priced.client_name

    def deck_with(chosen: Mapping[str, bytes]) -> bytes:
        return render_combined_pptx(
            table,
            facts,
            templates=chosen,
            client_name=client,
            style=shared_style(styles),
            location_styles=styles,
            photos=photos,
        )

    await progress(20, "Rendering the package slides…")
    try:
        deck = await to_thread.run_sync(deck_with, templates)
    except TemplateError:
        log.warning("proposal_template_unusable", locations=sorted(templates))
        deck = await to_thread.run_sync(deck_with, {})
    await progress(50, "Slides done; rendering the PDF…")
    title = f"{client} Combined Package".strip()
    pdf = await to_thread.run_sync(combined_package_pdf, deck, title)
    await progress(85, "PDF done")
    return [
        Output(client_file_name(client, when, "pptx"), deck, PPTX, "pptx"),
        Output(client_file_name(client, when, "pdf"), pdf, PDF, "pdf"),
    ]
