"""Copying slides between decks (python-pptx has no native slide copy)."""

import io
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData as _CategoryChartData
from pptx.dml.color import RGBColor as _RGBColor
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Inches, Pt

from salesbot.proposals.rendering.pdf import pptx_to_pdf
from salesbot.proposals.rendering.slide_copy import copy_slide
from tests.unit.proposals.helpers import (
    build_template,
    open_pptx,
    pdf_pages,
    picture_bytes,
    slide_text,
)

# python-pptx leaves these constructors unannotated.
RGBColor: Any = _RGBColor
CategoryChartData: Any = _CategoryChartData


def _save(prs: Any) -> bytes:
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _source_with_extras() -> Any:
    prs = open_pptx(build_template())
    layout = prs.slide_layouts[6]
    # A logo on the layout: its picture relationship belongs to the layout part.
    _, rel_id = layout.part.get_or_add_image_part(io.BytesIO(picture_bytes((200, 0, 0))))
    scratch = prs.slides.add_slide(layout)
    logo = scratch.shapes.add_picture(
        io.BytesIO(picture_bytes()), Inches(11), Inches(0.2), Inches(1.6), Inches(0.9)
    )
    logo.element.xpath("./p:blipFill/a:blip")[0].set(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed", rel_id
    )
    layout.shapes._spTree.append(logo.element)
    prs.part.drop_rel(prs.slides._sldIdLst[-1].rId)
    prs.slides._sldIdLst.remove(prs.slides._sldIdLst[-1])

    slide = prs.slides.add_slide(layout)
    box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1))
    run = box.text_frame.paragraphs[0].add_run()
    run.text = "Visit our site"
    run.hyperlink.address = "https://example.com/gateway"
    themed = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(1), Inches(3), Inches(2), Inches(1))
    themed.fill.solid()
    themed.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
    data = CategoryChartData()
    data.categories = ["Q1", "Q2"]
    data.add_series("Reach", (1.0, 2.0))
    slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(6), Inches(3), Inches(4), Inches(3), data
    )
    return prs


def test_copy_keeps_layout_pictures_links_and_theme_colours():
    source = _source_with_extras()
    dest = Presentation()
    dest.slide_width, dest.slide_height = Inches(13.333), Inches(7.5)
    copied = copy_slide(source.slides[-1], dest)
    reopened = open_pptx(_save(dest))
    slide = reopened.slides[0]
    assert "Visit our site" in slide_text(slide)
    box = next(
        s for s in slide.shapes if s.has_text_frame and s.text_frame.text == "Visit our site"
    )
    link = box.text_frame.paragraphs[0].runs[0].hyperlink.address
    assert link == "https://example.com/gateway"
    pictures = [s for s in slide.shapes if s.shape_type == 13]
    assert len(pictures) == 1  # the layout logo, flattened onto the slide
    assert pictures[0].image.blob == picture_bytes((200, 0, 0))
    fills = [s.fill.fore_color.rgb for s in slide.shapes if s.shape_type == 1 and s.fill.type == 1]
    # theme colours became explicit: accent 1 (the shape) and accent 2 (the master's bar)
    assert RGBColor(0x4F, 0x81, 0xBD) in fills
    assert RGBColor(0xC0, 0x50, 0x4D) in fills
    assert not slide.element.xpath(".//p:spPr//a:schemeClr")
    assert not any(s.has_chart for s in slide.shapes)  # charts are not copied
    assert copied.element.get("showMasterSp") == "0"


def test_copy_materialises_placeholders_and_scales_to_the_new_size():
    source = open_pptx(build_template())
    dest = Presentation()  # 4:3, 10 in wide: copies are scaled to fit
    copy_slide(source.slides[1], dest)
    slide = open_pptx(_save(dest)).slides[0]
    assert not slide.placeholders  # placeholders became ordinary shapes
    title = next(
        s for s in slide.shapes if s.has_text_frame and s.text_frame.text == "Location highlights"
    )
    source_title = source.slides[1].shapes.title
    scale = dest.slide_width / source.slide_width
    assert abs(title.left - source_title.left * scale) <= 1
    assert abs(title.width - source_title.width * scale) <= 1
    level_one = title.text_frame._txBody.xpath("./a:lstStyle/a:lvl1pPr/a:defRPr")[0]
    assert int(level_one.get("sz")) == Pt(44).pt * 100  # the master's title size, made explicit


def test_copied_slides_render_to_pdf():
    source = _source_with_extras()
    dest = Presentation()
    dest.slide_width, dest.slide_height = Inches(13.333), Inches(7.5)
    for slide in list(source.slides)[1:]:
        copy_slide(slide, dest)
    pages = pdf_pages(pptx_to_pdf(_save(dest)))
    assert "Location highlights" in pages[0]
    assert "Grouped caption text" in pages[1]
    assert "Visit our site" in pages[-1]


def test_hidden_slides_are_left_out_of_pdfs():
    prs = open_pptx(build_template())
    prs.slides[1].element.set("show", "0")
    pages = pdf_pages(pptx_to_pdf(_save(prs)))
    assert len(pages) == 3
    assert not any("Location highlights" in page for page in pages)


def test_a_damaged_shape_is_skipped_not_fatal():
    prs = open_pptx(build_template())
    media = prs.slides[2]
    broken = media.shapes[0].element.xpath("./p:spPr/a:xfrm/a:off")[0]
    broken.set("x", "not-a-number")
    data = _save(prs)
    pages = pdf_pages(pptx_to_pdf(data))
    assert "Grouped caption text" in pages[2]  # the rest of the slide is still drawn
    dest = Presentation()
    copy_slide(open_pptx(data).slides[2], dest)
    assert "Grouped caption text" in slide_text(open_pptx(_save(dest)).slides[0])
