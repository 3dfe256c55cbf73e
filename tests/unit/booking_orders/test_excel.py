from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from salesbot.booking_orders.calculations import calculate, convert_currency
from salesbot.booking_orders.documents.excel import (
    TemplateError,
    fill_template,
    grouped,
    ordinal_date,
)
from salesbot.booking_orders.documents.templates import default_template
from tests.unit.booking_orders._sample import worked_example
from tests.unit.default_terms import VAT_PCT


def _filled(hos_name: str | None = "Omar Haddad", **changes: object):
    bo = worked_example(**changes)
    data = fill_template(default_template("Viola"), bo, calculate(bo, VAT_PCT), hos_name=hos_name)
    return load_workbook(io.BytesIO(data))["BO Form"]


def test_cells_are_filled_as_the_spec_lists() -> None:
    sheet = _filled()
    assert sheet["B11"].value == "OMD"
    assert sheet["E11"].value == "DPD-112652"
    assert sheet["B13"].value == "Nike"
    assert sheet["E13"].value == "20th February 2025"
    assert sheet["B15"].value == "Air Max Spring"
    assert sheet["E15"].value == "UAE02, UAE03, UAE21"
    assert sheet["B17"].value == "UAE02 & UAE03: 1st March 2025\nUAE21: 15th March 2025"
    assert sheet["E17"].value == "UAE02 & UAE03: 31st March 2025\nUAE21: 28th March 2025"
    assert sheet["B19"].value == "UAE02 & UAE03: 1 month\nUAE21: 2 weeks"
    assert sheet["E19"].value == "Sportswear"
    assert sheet["E25"].value == "60 days"
    assert sheet["E27"].value == "Sara Khan"
    amounts = {
        "B21": 485646,
        "E21": 46000,
        "B23": 2000,
        "E23": 520,
        "B25": 23126,
        "B27": 462520,
        "B29": 416520,
    }
    for cell, expected in amounts.items():
        assert sheet[cell].value == expected, cell
        assert sheet[cell].number_format == '#,##0.00" AED"', cell
    assert sheet["E29"].value == pytest.approx(0.05)
    assert sheet["E29"].number_format == "0%"


def test_location_splits_and_signature() -> None:
    sheet = _filled()
    assert "A32:E37" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A32"].value == (
        "Location splits excl SLA:\n"
        "UAE02: 144,000.00 AED\n"
        "UAE03: 144,000.00 AED\n"
        "UAE21: 126,000.00 AED"
    )
    assert sheet["A39"].value == "Head of Sales Signature"
    assert sheet["B39"].value == "Omar Haddad"
    assert sheet["B39"].font.i is True


def test_unsigned_form_leaves_the_signature_empty() -> None:
    assert _filled(hos_name=None)["B39"].value is None


def test_amounts_use_the_booking_order_currency_and_fractional_commission() -> None:
    bo = convert_currency(worked_example(commission_pct=Decimal("2.5")), "USD", {"USD": Decimal(4)})
    data = fill_template(default_template("Viola"), bo, calculate(bo, VAT_PCT))
    sheet = load_workbook(io.BytesIO(data))["BO Form"]
    assert sheet["B27"].value == pytest.approx(115630)
    assert sheet["B27"].number_format == '#,##0.00" USD"'
    assert sheet["E29"].number_format == "0.00%"
    assert sheet["E29"].value == pytest.approx(0.025)
    assert "UAE21: 31,500.00 USD" in sheet["A32"].value


def test_a_company_template_keeps_its_labels_and_gets_the_splits_box_merged() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "BO Form"
    sheet["A13"] = "Advertiser"
    sheet.merge_cells("A33:B34")
    buffer = io.BytesIO()
    book.save(buffer)
    bo = worked_example()
    filled = load_workbook(io.BytesIO(fill_template(buffer.getvalue(), bo, calculate(bo, VAT_PCT))))
    out = filled["BO Form"]
    assert out["A13"].value == "Advertiser"
    assert out["A11"].value == "Agency:"
    assert out["B13"].value == "Nike"
    assert {str(r) for r in out.merged_cells.ranges} == {"A32:E37"}


def test_unusable_templates_are_refused() -> None:
    bo = worked_example()
    buffer = io.BytesIO()
    Workbook().save(buffer)
    with pytest.raises(TemplateError, match="no 'BO Form' sheet"):
        fill_template(buffer.getvalue(), bo, calculate(bo, VAT_PCT))
    with pytest.raises(TemplateError, match="could not be read"):
        fill_template(b"not an excel file", bo, calculate(bo, VAT_PCT))


def test_filling_is_deterministic() -> None:
    bo = worked_example()
    template = default_template("Viola")
    assert fill_template(template, bo, calculate(bo, VAT_PCT)) == fill_template(
        template, bo, calculate(bo, VAT_PCT)
    )


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (31, "31st"),
    ],
)
def test_ordinal_dates(day: int, text: str) -> None:
    assert ordinal_date(date(2025, 1, day)) == f"{text} January 2025"


def test_grouping_joins_names_in_first_seen_order() -> None:
    pairs = [("A", "x"), ("B", "y"), ("C", "x"), ("D", "x"), ("E", "")]
    assert grouped(pairs) == "A, C & D: x\nB: y"
