"""Shared helpers for the proposal rendering tests."""

import io
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from PIL import Image, ImageDraw
from pptx import Presentation
from pptx.dml.color import RGBColor as _RGBColor
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.shapes.group import GroupShape
from pptx.util import Inches
from pypdf import PdfReader

from salesbot.proposals.priced import PricedProposal
from salesbot.proposals.pricing import (
    CombinedItem,
    CombinedRequest,
    LocationFacts,
    PricingSettings,
    SeparateItem,
    SeparateRequest,
    price_combined,
    price_separate,
)
from salesbot.proposals.service import pricing_settings
from tests.unit.default_terms import DEFAULT_TERMS

Facts = Mapping[str, LocationFacts]
RGBColor: Any = _RGBColor  # python-pptx leaves its constructor unannotated
DEFAULT_UPLOAD_FEE = DEFAULT_TERMS.default_upload_fee


def default_pricing(**changes: Any) -> PricingSettings:
    """Pricing under a fresh install's commercial terms, `changes` aside."""
    return replace(pricing_settings(DEFAULT_TERMS), **changes)


def example_2(
    facts: Facts, settings: PricingSettings, today: date, currency: str = "AED"
) -> PricedProposal:
    item = SeparateItem(
        "landmark", "2026-01-01", ["2 weeks", "4 weeks", "8 weeks"], ["1.5M", "2.8M", "4M"]
    )
    request = SeparateRequest([item], "Nike Middle East", currency=currency)
    return price_separate(request, facts, settings, today)


def example_4(facts: Facts, settings: PricingSettings, today: date) -> PricedProposal:
    item = SeparateItem("uae21", "2026-01-01", ["2 weeks"], ["100,000"], production_fee="5,000")
    return price_separate(SeparateRequest([item], "Nike", currency="USD"), facts, settings, today)


def example_5(facts: Facts, settings: PricingSettings, today: date) -> PricedProposal:
    request = CombinedRequest(
        [
            CombinedItem("dubai_gateway", "2026-01-01", "2 weeks", spots=2),
            CombinedItem("uae21", "2026-01-01", "2 weeks", production_fee="20,000"),
        ],
        combined_net_rate="2,000,000",
        client_name="Nike",
    )
    return price_combined(request, facts, settings, today)


def open_pptx(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


def table_of(slide: Any) -> Any:
    return next(shape.table for shape in slide.shapes if shape.has_table)


def table_texts(table: Any) -> list[list[str]]:
    """Text of every visible (non-spanned) cell, row by row."""
    return [[cell.text for cell in row.cells if not cell.is_spanned] for row in table.rows]


def slide_text(slide: Any) -> str:
    """All text on a slide, including tables and shapes inside groups."""

    def collect(shapes: Any) -> list[str]:
        parts: list[str] = []
        for shape in shapes:
            if isinstance(shape, GroupShape):
                parts.extend(collect(shape.shapes))
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
        return parts

    return "\n".join(collect(slide.shapes))


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squash(text: str) -> str:
    return "".join(text.split())


def picture_bytes(color: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    image = Image.new("RGB", (800, 450), color)
    ImageDraw.Draw(image).ellipse((200, 100, 600, 350), fill=(250, 200, 40))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def build_template(title: str = "Backlite Media", caption: str = "Grouped caption text") -> bytes:
    """A template deck like an uploaded one: themed master decoration, placeholders,
    a cropped picture, a group, a connector; intro first and contact slide last."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    master = prs.slide_masters[0]
    master.background.fill.solid()
    master.background.fill.fore_color.rgb = RGBColor(0xFA, 0xF7, 0xF0)
    # python-pptx cannot add shapes to a master directly: draw on a scratch slide, move it.
    scratch = prs.slides.add_slide(prs.slide_layouts[6])
    bar = scratch.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(7.2), Inches(13.333), Inches(0.3))
    bar.fill.solid()
    bar.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_2
    master.shapes._spTree.append(bar.element)
    prs.part.drop_rel(prs.slides._sldIdLst[0].rId)
    prs.slides._sldIdLst.remove(prs.slides._sldIdLst[0])

    intro = prs.slides.add_slide(prs.slide_layouts[0])
    intro.shapes.title.text = title
    intro.placeholders[1].text = "Premium outdoor screens"
    facts = prs.slides.add_slide(prs.slide_layouts[1])
    facts.shapes.title.text = "Location highlights"
    body = facts.placeholders[1].text_frame
    body.text = "Iconic landmark on Sheikh Zayed Road"
    detail = body.add_paragraph()
    detail.text = "Seen by two million drivers a week"
    detail.level = 1
    media = prs.slides.add_slide(prs.slide_layouts[6])
    picture = media.shapes.add_picture(
        io.BytesIO(picture_bytes()), Inches(1), Inches(1), Inches(6), Inches(3.375)
    )
    picture.crop_left = 0.1
    group = media.shapes.add_group_shape()
    group.shapes.add_shape(MSO_SHAPE.OVAL, Inches(8), Inches(1), Inches(2), Inches(2))
    caption_box = group.shapes.add_textbox(Inches(8), Inches(3.2), Inches(4), Inches(1))
    caption_box.text_frame.text = caption
    media.shapes.add_connector(
        MSO_CONNECTOR.STRAIGHT, Inches(1), Inches(6.5), Inches(11), Inches(6.5)
    )
    contact = prs.slides.add_slide(prs.slide_layouts[5])
    contact.shapes.title.text = "Contact us"
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
