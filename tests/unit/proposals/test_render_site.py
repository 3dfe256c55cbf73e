"""Location slides show the site (photo + key specs, digital and static layouts), decks of two
companies get a neutral cover and closing, and the small photo copy slides use (issue #15)."""

import io
import uuid
from typing import Any, cast

import pytest
from PIL import Image
from pptx.util import Emu
from pypdf import PdfReader

from salesbot.kit.pictures import PictureError, reduced_jpeg
from salesbot.proposals.pricing import SeparateItem, SeparateRequest, price_separate
from salesbot.proposals.render import deck_style, shared_style
from salesbot.proposals.rendering.drawing import NEUTRAL, DeckStyle
from salesbot.proposals.rendering.pdf import combined_separate_pdf, deck_to_pdf
from salesbot.proposals.rendering.pptx import (
    render_combined_pptx,
    render_cover_pptx,
    render_location_deck,
    render_separate_pptx,
    separate_deck,
)
from salesbot.users.service import CompanyInfo
from tests.unit.proposals.helpers import example_2, example_5, open_pptx, slide_text, table_of

BACKLITE = DeckStyle(accent="2B59C3", company_name="Backlite")
VIOLA = DeckStyle(accent="7B3FA0", company_name="Viola")


def _photo(width: int = 1200, height: int = 800, fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", (width, height), (40, 120, 200))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def _pictures(slide: Any) -> list[Any]:
    return [s for s in slide.shapes if s.shape_type == 13]


def test_digital_site_slide_has_the_photo_beside_the_screen_specs(gateway):
    photo = reduced_jpeg(_photo()).data
    prs = open_pptx(render_location_deck(gateway, BACKLITE, photo))
    site = prs.slides[1]
    (picture,) = _pictures(site)
    assert picture.name == "Location photo"
    assert picture.image.blob == photo  # the stored small copy, placed as it is
    assert picture.left == 0 and picture.width < prs.slide_width * 0.6  # photo on the left
    assert picture.height == prs.slide_height
    text = slide_text(site)
    for shown in ("DIGITAL SCREEN", "The Dubai Gateway", "7m x 14m", "12 seconds", "96 seconds"):
        assert shown in text
    assert "12.5% per spot" in text
    # 1200 × 800 into a tall box: cropped left and right, never stretched.
    assert picture.crop_left == pytest.approx(picture.crop_right) and picture.crop_left > 0
    assert picture.crop_top == 0


def test_static_site_slide_has_a_wide_photo_band_and_print_specs(uae21):
    photo = reduced_jpeg(_photo(800, 800)).data
    prs = open_pptx(render_location_deck(uae21, VIOLA, photo))
    site = prs.slides[1]
    (picture,) = _pictures(site)
    assert picture.left == 0 and picture.width == prs.slide_width  # across the top
    assert picture.top == 0 and picture.height < prs.slide_height * 0.7
    assert picture.crop_top == pytest.approx(picture.crop_bottom) and picture.crop_top > 0
    text = slide_text(site)
    for shown in ("STATIC BILLBOARD", "UAE 21", "10.5m x 20m", "Printed billboard"):
        assert shown in text
    assert "seconds" not in text  # no screen specs on a printed billboard


def test_without_a_photo_the_site_slide_keeps_its_spec_cards(gateway):
    prs = open_pptx(render_location_deck(gateway, BACKLITE))
    assert not _pictures(prs.slides[1])
    assert "7m x 14m" in slide_text(prs.slides[1])


def test_separate_deck_and_its_pdf_show_the_photo(facts, settings, today, landmark):
    photo = reduced_jpeg(_photo()).data
    proposal = example_2(facts, settings, today)
    prs = separate_deck(proposal.tables[0], landmark, style=BACKLITE, photo=photo)
    assert len(prs.slides) == 4
    assert _pictures(prs.slides[1])
    assert "AED 1,578,696" in slide_text(prs.slides[2])
    pdf = PdfReader(io.BytesIO(deck_to_pdf(prs, None, "Nike Proposal")))
    assert len(pdf.pages[1].images) == 1
    assert "The Landmark" in pdf.pages[1].extract_text()
    # The photo travels into the PDF as the JPEG it is (no decoding and re-encoding).
    (xobject,) = [
        o.get_object()
        for o in cast(Any, pdf.pages[1]["/Resources"])["/XObject"].values()
        if o.get_object()["/Subtype"] == "/Image"
    ]
    assert "/DCTDecode" in xobject["/Filter"]
    assert xobject.get_data() == photo


def test_a_template_deck_is_not_given_a_photo(facts, settings, today, landmark, template_pptx):
    proposal = example_2(facts, settings, today)
    plain = render_separate_pptx(proposal.tables[0], landmark, template=template_pptx)
    with_photo = render_separate_pptx(
        proposal.tables[0], landmark, template=template_pptx, photo=reduced_jpeg(_photo()).data
    )
    count = [len(_pictures(s)) for s in open_pptx(plain).slides]
    assert [len(_pictures(s)) for s in open_pptx(with_photo).slides] == count


def test_one_companys_look_is_shared_only_when_every_location_is_its():
    backlite = CompanyInfo(id=uuid.uuid4(), code="b", name="Backlite", accent_color="#2b59c3")
    viola = CompanyInfo(id=uuid.uuid4(), code="v", name="Viola", accent_color="#7b3fa0")
    assert shared_style([deck_style(backlite), deck_style(backlite)]) == deck_style(backlite)
    mixed = shared_style([deck_style(backlite), deck_style(viola)])
    assert mixed == NEUTRAL and mixed.company_name == ""


def test_two_company_package_has_a_neutral_cover_and_closing(
    facts, settings, today, gateway, uae21
):
    proposal = example_5(facts, settings, today)
    photos = {"dubai_gateway": reduced_jpeg(_photo()).data}
    data = render_combined_pptx(
        proposal.tables[0],
        [gateway, uae21],
        client_name="Nike",
        style=shared_style([BACKLITE, VIOLA]),
        location_styles=[BACKLITE, VIOLA],
        photos=photos,
    )
    prs = open_pptx(data)
    assert len(prs.slides) == 5
    cover, gateway_slide, uae21_slide, investment, closing = prs.slides
    for slide in (cover, investment, closing):
        text = slide_text(slide)
        assert "Backlite" not in text and "Viola" not in text
        assert not _pictures(slide)  # no company logo or photo on the shared slides
    assert "Nike" in slide_text(cover)
    assert _pictures(gateway_slide) and not _pictures(uae21_slide)
    # Each site keeps its own company's colour; the shared slides use neither.
    colours = {
        s.fill.fore_color.rgb for s in uae21_slide.shapes if s.shape_type == 1 and s.fill.type == 1
    }
    assert any(str(c) == "7B3FA0" for c in colours)
    assert all(str(c) != "2B59C3" for c in colours)
    closing_fill = closing.background.fill.fore_color.rgb
    assert str(closing_fill) == NEUTRAL.accent_hex
    assert table_of(investment) is not None


def test_two_company_pdf_of_separate_proposals_opens_and_closes_neutral(
    facts, settings, today, gateway, uae21
):
    items = [
        SeparateItem("dubai_gateway", "2026-01-01", ["2 weeks"], ["1M"]),
        SeparateItem("uae21", "2026-01-01", ["2 weeks"], ["100k"], production_fee="5k"),
    ]
    proposal = price_separate(SeparateRequest(items, "Nike"), facts, settings, today)
    decks = [
        render_separate_pptx(proposal.tables[0], gateway, style=BACKLITE),
        render_separate_pptx(proposal.tables[1], uae21, style=VIOLA),
    ]
    cover = render_cover_pptx("Nike Proposal", "Gateway · UAE 21", NEUTRAL)
    pages = PdfReader(io.BytesIO(combined_separate_pdf(decks, cover=cover, title="Nike Proposal")))
    texts = [page.extract_text() for page in pages.pages]
    assert "Nike Proposal" in texts[0]
    for page in (texts[0], texts[-1]):
        assert "Backlite" not in page and "Viola" not in page


def test_start_end_date_shows_both_dates_for_one_duration(facts, settings, today):
    item = SeparateItem("dubai_gateway", "2027-01-01", ["2 weeks"], ["1M"])
    proposal = price_separate(SeparateRequest([item], "Nike"), facts, settings, today)
    assert proposal.locations[0].date_text == "1st January 2027 - 14th January 2027"
    rows = {row.label: row.values for row in proposal.tables[0].rows}
    assert rows["Start/End Date:"] == ("1st January 2027 - 14th January 2027",)
    given = SeparateItem(
        "dubai_gateway", "2027-01-01", ["2 weeks", "4 weeks"], ["1M", "2M"], end_date="2027-01-20"
    )
    proposal = price_separate(SeparateRequest([given], "Nike"), facts, settings, today)
    rows = {row.label: row.values for row in proposal.tables[0].rows}
    assert rows["Start/End Date:"] == ("1st January 2027 - 20th January 2027",)


def test_combined_package_dates_end_after_each_duration(facts, settings, today):
    proposal = example_5(facts, settings, today)
    rows = {row.label: row.values for row in proposal.tables[0].rows}
    assert rows["Start/End Date:"] == ("1st January 2026 - 14th January 2026",) * 2


def test_reduced_copy_is_small_upright_and_jpeg():
    big = _photo(7680, 4320)
    picture = reduced_jpeg(big)
    assert (picture.width, picture.height) == (1600, 900)
    with Image.open(io.BytesIO(picture.data)) as opened:
        assert opened.format == "JPEG" and opened.size == (1600, 900)
    transparent = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(transparent, "PNG")
    small = reduced_jpeg(transparent.getvalue())
    assert (small.width, small.height) == (300, 200)  # never enlarged
    with Image.open(io.BytesIO(small.data)) as opened:
        assert opened.getpixel((10, 10)) == (255, 255, 255)  # transparency on white
    with pytest.raises(PictureError):
        reduced_jpeg(b"not an image")


def test_reduced_copy_applies_the_camera_orientation():
    image = Image.new("RGB", (400, 200), (10, 10, 10))
    exif = image.getexif()
    exif[274] = 6  # rotated 90° clockwise
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    picture = reduced_jpeg(out.getvalue())
    assert (picture.width, picture.height) == (200, 400)


def test_slide_size_is_unchanged_by_photos(gateway):
    prs = open_pptx(render_location_deck(gateway, BACKLITE, reduced_jpeg(_photo()).data))
    assert prs.slide_width == Emu(12192000)


def test_the_photo_is_stored_in_the_deck_without_deflating_it_again(gateway):
    import zipfile

    photo = reduced_jpeg(_photo()).data
    data = render_location_deck(gateway, BACKLITE, photo)
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    (media,) = [m for m in members if m.filename.startswith("ppt/media/")]
    assert media.compress_type == zipfile.ZIP_STORED and media.file_size == len(photo)
    # The slides' XML is still deflated, and the deck opens again.
    assert any(m.compress_type == zipfile.ZIP_DEFLATED for m in members)
    assert _pictures(open_pptx(data).slides[1])[0].image.blob == photo
