from __future__ import annotations

import io

from openpyxl import load_workbook
from PIL import Image

from salesbot.booking_orders.documents.templates import (
    FORM_CELLS,
    SHEET_NAME,
    default_stamp,
    default_template,
)


def test_default_template_has_the_bo_form_labels_at_the_spec_cells() -> None:
    book = load_workbook(io.BytesIO(default_template("Viola")))
    sheet = book[SHEET_NAME]
    assert sheet["A2"].value == "Viola"
    assert sheet["A11"].value == "Agency:"
    assert sheet["D11"].value == "BO Number:"
    assert sheet["A21"].value == "Gross Amount:"
    assert sheet["D29"].value == "Commission:"
    for cell in FORM_CELLS:
        assert sheet[cell.label_cell].value == cell.label
        assert sheet[cell.value_cell].value is None
        assert cell.label_cell[0] in "AD" and cell.value_cell[0] in "BE"
    assert "A32:E37" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A32"].value == "Location splits excl SLA:"
    assert sheet["A39"].value == "Head of Sales Signature"


def test_default_template_is_deterministic_and_per_company() -> None:
    assert default_template("Viola") == default_template("Viola")
    assert default_template("Viola") != default_template("Backlite")


def _alpha(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.mode == "RGBA"
    return image.getchannel("A")


def test_round_stamp_is_transparent_around_an_inked_ring() -> None:
    png = default_stamp("Viola")
    alpha = _alpha(png)
    assert alpha.size == (640, 640)
    assert alpha.getpixel((0, 0)) == 0
    assert alpha.getpixel((639, 639)) == 0
    # The outer ring crosses the middle of the top edge.
    assert alpha.getpixel((320, 12)) == 255
    histogram = alpha.histogram()
    assert histogram[0] > 0.5 * 640 * 640
    assert default_stamp("Viola") == png
    assert default_stamp("Backlite") != png


def test_rectangular_stamp() -> None:
    alpha = _alpha(default_stamp("Backlite Media", shape="rectangle"))
    assert alpha.size == (820, 360)
    assert alpha.getpixel((410, 12)) == 255
    assert alpha.getpixel((0, 0)) == 0
