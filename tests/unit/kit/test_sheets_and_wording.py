import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from salesbot.kit.sheets import safe_cell, xlsx
from salesbot.kit.wording import format_date, format_date_range, ordinal, plain_number


def test_formula_like_text_is_made_inert():
    assert safe_cell("=SUM(A1)") == "'=SUM(A1)"
    assert safe_cell("-5") == "'-5"
    assert safe_cell("Nike") == "Nike"


def test_xlsx_keeps_text_as_text_and_numbers_as_numbers():
    data = xlsx("Sheet", ["name", "amount"], [["'=1+1", Decimal("12.50")], ["Nike", 3]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet.title == "Sheet"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("name", "amount")
    assert rows[1][0] == "'=1+1"
    assert rows[2] == ("Nike", 3)


def test_document_wording():
    assert [ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "23rd",
    ]
    assert format_date(date(2025, 11, 5)) == "5th November 2025"
    assert format_date_range(date(2026, 1, 1), None) == "1st January 2026"
    assert plain_number(Decimal("7.50")) == "7.5"
    assert plain_number(Decimal("1E+1")) == "10"


def test_text_with_control_characters_is_written_without_them() -> None:
    # A client name typed with a vertical tab once made the whole proposal export fail (500).
    data = xlsx("Proposals", ["Client"], [["Ni\x0bke\x00 UAE\tLLC"]])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    assert sheet["A2"].value == "Nike UAE\tLLC"
