import io
from typing import Any

import pytest
from pypdf import PdfReader

from salesbot.proposals.pricing import SeparateItem, SeparateRequest, price_separate
from salesbot.proposals.rendering.pdf import (
    combined_package_pdf,
    combined_separate_pdf,
    pptx_to_pdf,
)
from salesbot.proposals.rendering.pptx import (
    render_combined_pptx,
    render_cover_pptx,
    render_separate_pptx,
)
from tests.unit.proposals.helpers import (
    build_template,
    example_2,
    example_4,
    example_5,
    open_pptx,
    pdf_pages,
    squash,
    table_of,
    table_texts,
)


def _assert_table_identical(pptx_bytes: bytes, slide_index: int, pdf_page_text: str) -> None:
    """Every cell of the PPTX investment table appears, in order, on the PDF page."""
    table = table_of(open_pptx(pptx_bytes).slides[slide_index])
    page = squash(pdf_page_text)
    position = 0
    for row in table_texts(table):
        for cell in row:
            found = page.find(squash(cell), position)
            assert found >= 0, f"{cell!r} missing from the PDF"
            position = found + len(squash(cell))


def test_single_location_pdf_example_2(facts, settings, today, landmark):
    proposal = example_2(facts, settings, today)
    pptx = render_separate_pptx(proposal.tables[0], landmark)
    pdf = pptx_to_pdf(pptx)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 4
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((960, 540))
    page = reader.pages[2].extract_text()
    for text in (
        "Nike Middle East Investment Sheet",
        "VAT 5% :",
        "AED 75,176",
        "AED 140,176",
        "AED 200,176",
        "AED 1,578,696",
        "AED 2,943,696",
        "AED 4,203,696",
        "Payment Terms: 100% upfront",
        "Proposal Date: 05/11/2025",
        "valid until the 5th December 2025",
    ):
        assert text in page
    _assert_table_identical(pptx, 2, page)


def test_pdf_embeds_the_dejavu_font(facts, settings, today, landmark):
    pdf = pptx_to_pdf(render_separate_pptx(example_2(facts, settings, today).tables[0], landmark))
    resources: Any = PdfReader(io.BytesIO(pdf)).pages[2]["/Resources"]
    fonts = resources["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert names
    assert all("DejaVuSans" in name for name in names)


def test_usd_pdf_example_4(facts, settings, today, uae21):
    proposal = example_4(facts, settings, today)
    pptx = render_separate_pptx(proposal.tables[0], uae21)
    page = pdf_pages(pptx_to_pdf(pptx))[2]
    for text in (
        "$27,229.41",
        "$1,361.47",
        "$141.59 Per Image/Message",
        "$1,436.62",
        "$30,169.09",
        "Production Fee:",
    ):
        assert text in page
    assert "All amounts shown in USD (converted from AED at current exchange rates)." in page
    _assert_table_identical(pptx, 2, page)


def test_combined_package_pdf_example_5(facts, settings, today, gateway, uae21):
    proposal = example_5(facts, settings, today)
    pptx = render_combined_pptx(proposal.tables[0], [gateway, uae21], client_name="Nike")
    pages = pdf_pages(combined_package_pdf(pptx))
    assert len(pages) == 5
    investment = pages[3]
    for text in (
        "Upload/Production Fee:",
        "AED 2,000",
        "AED 20,000",
        "AED 101,126",
        "AED 2,123,646",
        "AED 520 Per Image/Message",
    ):
        assert text in investment
    _assert_table_identical(pptx, 3, investment)


def test_combined_pdf_for_several_separate_locations(facts, settings, today):
    items = [
        SeparateItem("landmark", "2026-01-01", ["2 weeks"], ["1.5M"]),
        SeparateItem("dubai_gateway", "2026-02-01", ["4 weeks"], ["1,250,000"]),
        SeparateItem("uae21", "2026-03-01", ["2 weeks"], ["100,000"], production_fee="5,000"),
    ]
    proposal = price_separate(SeparateRequest(items, "Nike"), facts, settings, today)
    decks = [
        render_separate_pptx(table, facts[location.key])
        for table, location in zip(proposal.tables, proposal.locations, strict=True)
    ]
    pdf = combined_separate_pdf(decks, title="Nike Proposal", subtitle="Three locations")
    pages = pdf_pages(pdf)
    # intro + (facts, investment) per location + outro
    assert len(pages) == 8
    assert "Nike Proposal" in pages[0]
    assert "Thank you" in pages[-1]
    assert "AED 1,578,696" in pages[2]
    assert "AED 1,315,146" in pages[4]
    assert "AED 110,796" in pages[6]
    assert "The Dubai Gateway" in pages[3]
    for index, deck in enumerate(decks):
        _assert_table_identical(deck, 2, pages[2 + 2 * index])


def test_combined_pdf_uses_template_intro_and_outro(facts, settings, today, template_pptx):
    items = [
        SeparateItem("landmark", "2026-01-01", ["2 weeks"], ["1.5M"]),
        SeparateItem("dubai_gateway", "2026-02-01", ["4 weeks"], ["1,250,000"]),
    ]
    proposal = price_separate(SeparateRequest(items, "Nike"), facts, settings, today)
    decks = [
        render_separate_pptx(table, facts[location.key], template=template_pptx)
        for table, location in zip(proposal.tables, proposal.locations, strict=True)
    ]
    pages = pdf_pages(combined_separate_pdf(decks))
    # intro + 3 inner slides (2 template slides + investment) per deck + outro
    assert len(pages) == 8
    assert "Backlite Media" in pages[0]
    assert "Contact us" in pages[-1]
    assert sum("Contact us" in page for page in pages) == 1
    assert "AED 1,578,696" in pages[3]
    assert "AED 1,315,146" in pages[6]


def test_explicit_cover_deck(facts, settings, today, landmark):
    deck = render_separate_pptx(example_2(facts, settings, today).tables[0], landmark)
    cover = render_cover_pptx("Spring campaign", "for Nike")
    pages = pdf_pages(combined_separate_pdf([deck], cover=cover))
    assert len(pages) == 4
    assert "Spring campaign" in pages[0]


def test_template_pdf_draws_pictures_groups_and_placeholders(
    facts, settings, today, landmark, template_pptx
):
    pptx = render_separate_pptx(
        example_2(facts, settings, today).tables[0], landmark, template=template_pptx
    )
    reader = PdfReader(io.BytesIO(pptx_to_pdf(pptx)))
    texts = [page.extract_text() for page in reader.pages]
    assert "Backlite Media" in texts[0]
    assert "Premium outdoor screens" in texts[0]
    assert squash("• Iconic landmark on Sheikh Zayed Road") in squash(texts[1])
    assert "– Seen by two million drivers a week" in texts[1]  # level-2 bullet
    assert "Grouped caption text" in texts[2]
    resources: Any = reader.pages[2]["/Resources"]
    images = resources["/XObject"]
    assert len(images) == 1
    image = next(iter(images.values())).get_object()
    assert image["/Width"] > 0


def test_pdf_of_selected_slides_and_errors(facts, settings, today, landmark):
    pptx = render_separate_pptx(example_2(facts, settings, today).tables[0], landmark)
    assert len(pdf_pages(pptx_to_pdf(pptx, slides=[2]))) == 1
    with pytest.raises(ValueError, match="no slides"):
        pptx_to_pdf(pptx, slides=[99])
    with pytest.raises(ValueError, match="No proposals provided"):
        combined_separate_pdf([])


def test_pdf_is_deterministic(facts, settings, today, landmark):
    pptx = render_separate_pptx(example_2(facts, settings, today).tables[0], landmark)
    assert pptx_to_pdf(pptx) == pptx_to_pdf(pptx)


def test_four_by_three_templates_keep_their_page_shape(facts, settings, today, landmark):
    from pptx.util import Inches

    prs = open_pptx(build_template(title="Square deck"))
    prs.slide_width, prs.slide_height = Inches(10), Inches(7.5)
    buffer = io.BytesIO()
    prs.save(buffer)
    pptx = render_separate_pptx(
        example_2(facts, settings, today).tables[0], landmark, template=buffer.getvalue()
    )
    box = PdfReader(io.BytesIO(pptx_to_pdf(pptx))).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((720, 540))


def test_pdf_of_the_open_deck_is_the_pdf_of_its_saved_bytes(facts, settings, today, landmark):
    from salesbot.proposals.rendering.pdf import deck_to_pdf
    from salesbot.proposals.rendering.pptx import save, separate_deck

    proposal = example_2(facts, settings, today)
    # The second render reads the default deck back from its cache: the same deck comes out.
    first = render_separate_pptx(proposal.tables[0], landmark)
    prs = separate_deck(proposal.tables[0], landmark)
    assert pdf_pages(pptx_to_pdf(save(prs), title="T")) == pdf_pages(pptx_to_pdf(first, title="T"))
    # Drawing the PDF from the open deck (one-location proposals) gives the very same file.
    assert deck_to_pdf(prs, None, "T") == pptx_to_pdf(save(prs), title="T")
