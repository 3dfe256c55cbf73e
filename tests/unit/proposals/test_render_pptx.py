from dataclasses import replace
from decimal import Decimal

import pytest

from salesbot.kit.decks import TemplateError
from salesbot.proposals.pricing import SeparateItem, SeparateRequest, price_separate
from salesbot.proposals.rendering.drawing import DeckStyle
from salesbot.proposals.rendering.pptx import (
    is_default_deck,
    render_combined_pptx,
    render_cover_pptx,
    render_location_deck,
    render_separate_pptx,
)
from tests.unit.proposals.helpers import (
    example_2,
    example_5,
    open_pptx,
    slide_text,
    table_of,
    table_texts,
)


def test_default_deck_has_title_facts_and_closing(gateway):
    prs = open_pptx(render_location_deck(gateway))
    assert len(prs.slides) == 3
    assert prs.slide_width * 9 == prs.slide_height * 16
    assert "The Dubai Gateway" in slide_text(prs.slides[0])
    facts = slide_text(prs.slides[1])
    assert "7m x 14m" in facts
    assert "12 seconds" in facts
    assert "12.5% per spot" in facts
    assert "Thank you" in slide_text(prs.slides[2])


def test_separate_deck_reads_back_example_2(facts, settings, today, landmark):
    proposal = example_2(facts, settings, today)
    prs = open_pptx(render_separate_pptx(proposal.tables[0], landmark))
    assert len(prs.slides) == 4
    investment = prs.slides[2]  # inserted before the closing slide
    assert "Thank you" in slide_text(prs.slides[3])
    rows = table_texts(table_of(investment))
    assert rows[0] == ["Nike Middle East Investment Sheet"]
    assert rows[1] == ["Location:", proposal.locations[0].location_line]
    # No end date given: each option shows its own start and end (issue #15).
    assert rows[2] == [
        "Start/End Date:",
        "1st January 2026 - 14th January 2026",
        "1st January 2026 - 28th January 2026",
        "1st January 2026 - 25th February 2026",
    ]
    assert rows[3] == ["Duration:", "2 Weeks", "4 Weeks", "8 Weeks"]
    assert rows[4] == ["Net Rate:", "AED 1,500,000", "AED 2,800,000", "AED 4,000,000"]
    assert rows[5] == ["Upload Fee:", "AED 3,000"]
    assert rows[6] == ["Municipality Fee:", "AED 520 Per Image/Message"]
    assert rows[7] == ["VAT 5% :", "AED 75,176", "AED 140,176", "AED 200,176"]
    assert rows[8] == ["Total:", "AED 1,578,696", "AED 2,943,696", "AED 4,203,696"]


def test_single_valued_rows_span_all_option_columns(facts, settings, today, landmark):
    prs = open_pptx(render_separate_pptx(example_2(facts, settings, today).tables[0], landmark))
    table = table_of(prs.slides[2])
    assert len(table.columns) == 4
    for row in (0, 1, 5, 6):
        origin = table.cell(row, 0 if row == 0 else 1)
        assert origin.is_merge_origin
        assert origin.span_width == (4 if row == 0 else 3)
    assert not table.cell(3, 2).is_spanned


def test_total_row_is_emphasised(facts, settings, today, landmark):
    prs = open_pptx(render_separate_pptx(example_2(facts, settings, today).tables[0], landmark))
    table = table_of(prs.slides[2])
    total_run = table.cell(8, 1).text_frame.paragraphs[0].runs[0]
    vat_run = table.cell(7, 1).text_frame.paragraphs[0].runs[0]
    assert total_run.font.bold
    assert total_run.font.size > vat_run.font.size
    assert table.cell(8, 1).fill.fore_color.rgb != table.cell(7, 1).fill.fore_color.rgb


def test_terms_and_proposal_date_position(facts, settings, today, landmark):
    proposal = example_2(facts, settings, today)
    prs = open_pptx(render_separate_pptx(proposal.tables[0], landmark))
    slide = prs.slides[2]
    boxes = [s for s in slide.shapes if s.has_text_frame]
    terms = next(s for s in boxes if "Payment Terms" in s.text_frame.text)
    lines = terms.text_frame.text.split("\n")
    assert lines == [f"• {term}" for term in proposal.tables[0].terms]
    date_box = next(s for s in boxes if s.text_frame.text == "Proposal Date: 05/11/2025")
    assert date_box.top > prs.slide_height * 0.9
    assert date_box.left > prs.slide_width / 2
    table_shape = next(s for s in slide.shapes if s.has_table)
    table_bottom = table_shape.top + sum(row.height for row in table_shape.table.rows)
    assert terms.top >= table_bottom
    assert terms.top + terms.height <= date_box.top


def test_accent_colour_and_company_name(facts, settings, today, landmark):
    style = DeckStyle(accent="#C8102E", company_name="Viola")
    prs = open_pptx(
        render_separate_pptx(example_2(facts, settings, today).tables[0], landmark, style=style)
    )
    header = table_of(prs.slides[2]).cell(0, 0)
    assert str(header.fill.fore_color.rgb) == "C8102E"
    assert "Viola" in slide_text(prs.slides[0])
    with pytest.raises(ValueError, match="Accent colour"):
        _ = DeckStyle(accent="red").accent_hex


def test_single_option_table_has_two_columns(facts, settings, today, gateway):
    item = SeparateItem("dubai_gateway", "2026-01-01", ["2 weeks"], ["1,250,000"])
    proposal = price_separate(SeparateRequest([item], "Nike"), facts, settings, today)
    table = table_of(open_pptx(render_separate_pptx(proposal.tables[0], gateway)).slides[2])
    assert len(table.columns) == 2
    assert table_texts(table)[8] == ["Total:", proposal.locations[0].options[0].total.text]


def test_wide_tables_stay_on_the_slide(facts, settings, today, landmark):
    rates = ["1M", "2M", "3M", "4M", "5M", "6M"]
    item = SeparateItem(
        "landmark", "2026-01-01", [f"{n} weeks" for n in range(1, 7)], rates, spots=2
    )
    proposal = price_separate(SeparateRequest([item], "A" * 100), facts, settings, today)
    prs = open_pptx(render_separate_pptx(proposal.tables[0], landmark))
    slide = prs.slides[2]
    for shape in slide.shapes:
        bottom = shape.top + (
            sum(r.height for r in shape.table.rows) if shape.has_table else shape.height
        )
        assert bottom <= prs.slide_height
        assert shape.left + shape.width <= prs.slide_width


def test_template_deck_gets_investment_slide_before_its_last(
    facts, settings, today, landmark, template_pptx
):
    proposal = example_2(facts, settings, today)
    prs = open_pptx(render_separate_pptx(proposal.tables[0], landmark, template=template_pptx))
    assert len(prs.slides) == 5
    assert "Backlite Media" in slide_text(prs.slides[0])
    assert "AED 1,578,696" in slide_text(prs.slides[3])
    assert "Contact us" in slide_text(prs.slides[4])
    assert not is_default_deck(template_pptx)


def test_broken_template_is_a_clear_error(facts, settings, today, landmark):
    with pytest.raises(TemplateError, match="could not be opened"):
        render_separate_pptx(
            example_2(facts, settings, today).tables[0], landmark, template=b"not a pptx"
        )


def test_combined_default_package_deck(facts, settings, today, gateway, uae21):
    proposal = example_5(facts, settings, today)
    data = render_combined_pptx(proposal.tables[0], [gateway, uae21], client_name="Nike")
    prs = open_pptx(data)
    assert is_default_deck(data)
    assert len(prs.slides) == 5  # intro, 2 facts slides, investment, closing
    assert "UAE 21" in slide_text(prs.slides[2])
    rows = table_texts(table_of(prs.slides[3]))
    assert rows[5] == ["Upload/Production Fee:", "AED 2,000", "AED 20,000"]
    assert rows[4] == ["Net Rate:", "AED 2,000,000"]
    assert rows[7] == ["VAT 5% :", "AED 101,126"]
    assert rows[8] == ["Total:", "AED 2,123,646"]
    assert rows[1][1].startswith("The Landmark Series: The Dubai Gateway")
    assert "Thank you" in slide_text(prs.slides[4])


def test_combined_deck_copies_template_slides(
    facts, settings, today, gateway, uae21, template_pptx
):
    proposal = example_5(facts, settings, today)
    data = render_combined_pptx(
        proposal.tables[0], [gateway, uae21], templates={"uae21": template_pptx}
    )
    prs = open_pptx(data)
    # gateway's default deck: intro, facts; uae21's inner slides; investment; closing
    assert len(prs.slides) == 6
    copied_text, media = prs.slides[2], prs.slides[3]
    assert "Location highlights" in slide_text(copied_text)
    assert "Seen by two million drivers a week" in slide_text(copied_text)
    pictures = [s for s in media.shapes if s.shape_type == 13]
    assert len(pictures) == 1
    assert pictures[0].image.blob[:4] == b"\x89PNG"
    assert pytest.approx(pictures[0].crop_left) == 0.1
    assert any(s.shape_type == 6 for s in media.shapes)  # the group survived
    for slide in prs.slides:
        ids = [s.shape_id for s in slide.shapes]
        assert len(ids) == len(set(ids))
    assert "AED 2,123,646" in slide_text(prs.slides[4])
    assert "Thank you" in slide_text(prs.slides[5])


def test_combined_deck_with_template_first_keeps_its_intro_and_closing(
    facts, settings, today, gateway, uae21, template_pptx
):
    proposal = example_5(facts, settings, today)
    data = render_combined_pptx(
        proposal.tables[0], [gateway, uae21], templates={"dubai_gateway": template_pptx}
    )
    prs = open_pptx(data)
    texts = [slide_text(s) for s in prs.slides]
    assert "Backlite Media" in texts[0]
    assert "UAE 21" in texts[3]  # the default deck's facts slide, copied in
    assert "AED 2,123,646" in texts[-2]
    assert "Contact us" in texts[-1]


def test_cover_deck(today):
    prs = open_pptx(render_cover_pptx("Nike proposal", "Gateway · UAE 21"))
    assert len(prs.slides) == 2
    assert "Nike proposal" in slide_text(prs.slides[0])


def test_sizes_are_written_without_trailing_zeros(gateway):
    prs = open_pptx(render_location_deck(replace(gateway, width_m=Decimal("7.50"))))
    assert "7.5m x 14m" in slide_text(prs.slides[1])
