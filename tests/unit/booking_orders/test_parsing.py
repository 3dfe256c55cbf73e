from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from salesbot.booking_orders.calculations import BookingOrderError, calculate
from salesbot.booking_orders.documents.excel import fill_template
from salesbot.booking_orders.documents.templates import default_template
from salesbot.booking_orders.reading.grid import parse_csv, parse_xlsx
from salesbot.booking_orders.reading.labels import normalise_label, parse_amount, parse_any_date
from salesbot.booking_orders.reading.notes import apply_overrides, parse_notes
from salesbot.booking_orders.reading.results import NeedsLLM, ParseError
from salesbot.booking_orders.reading.text import classify_text, parse_document, parse_pdf
from tests.unit.booking_orders._sample import worked_example
from tests.unit.default_terms import VAT_PCT

D = Decimal

# A generic client booking order: labels with values beside them, then a locations table.
ROWS: list[list[object]] = [
    ["BOOKING ORDER"],
    ["Client:", "Nike"],
    ["BO No.", "DPD-112652", "", "Date", "20/02/2025"],
    ["Agency", "OMD"],
    ["Brand / Campaign", "Air Max Spring"],
    ["Payment terms", "60 days"],
    [],
    ["Location", "Start date", "End date", "Net Amount (AED)"],
    ["UAE02", "1st March 2025", "31st March 2025", "AED 160,000.00"],
    ["UAE03", "01/03/2025", "31/03/2025", "160,000"],
    ["UAE21", "2025-03-15", "2025-03-28", "140000"],
    ["Total", "", "", "460,000"],
    [],
    ["Municipality fee", "520"],
    ["Production/upload fee", "AED 2,000"],
    ["SLA %", "10%"],
    ["Commission", "5%"],
    ["Net amount (pre-VAT)", "AED 462,520.00"],
    ["VAT 5%", "23,126.00"],
    ["Gross total", "485,646.00"],
]


def _assert_generic(result_bo) -> None:
    bo = result_bo
    assert bo.client == "Nike"
    assert bo.bo_number == "DPD-112652"
    assert bo.bo_date == date(2025, 2, 20)
    assert bo.agency == "OMD"
    assert bo.brand_campaign == "Air Max Spring"
    assert bo.payment_terms == "60 days"
    assert [loc.name for loc in bo.locations] == ["UAE02", "UAE03", "UAE21"]
    assert [loc.net_amount for loc in bo.locations] == [D(160000), D(160000), D(140000)]
    assert [loc.start_date for loc in bo.locations] == [
        date(2025, 3, 1),
        date(2025, 3, 1),
        date(2025, 3, 15),
    ]
    assert bo.locations[2].end_date == date(2025, 3, 28)
    assert bo.municipality_fee == D(520)
    assert bo.production_upload_fee == D(2000)
    assert bo.sla_pct == D(10)
    assert bo.commission_pct == D(5)
    assert bo.net_pre_vat == D("462520.00")
    assert bo.vat == D("23126.00")
    assert bo.gross == D("485646.00")
    assert bo.currency == "AED"
    calc = calculate(bo, VAT_PCT)
    assert (calc.net_pre_vat, calc.gross, calc.warnings) == (D("462520"), D("485646"), ())


def test_generic_xlsx_with_labels_and_a_locations_table() -> None:
    book = Workbook()
    sheet = book.active
    for row in ROWS:
        sheet.append(row)
    # Real spreadsheets hold dates and numbers as typed cells, not text.
    sheet["E3"] = datetime(2025, 2, 20)
    sheet["D11"] = 140000
    sheet["B14"] = 520.0
    buffer = io.BytesIO()
    book.save(buffer)
    result = parse_xlsx(buffer.getvalue(), company="Viola")
    assert result.source == "table"
    assert result.warnings == ()
    assert result.bo.company == "Viola"
    _assert_generic(result.bo)


def test_generic_csv() -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(ROWS)
    result = parse_csv(buffer.getvalue().encode("utf-8-sig"))
    assert result.source == "table"
    _assert_generic(result.bo)


def test_semicolon_csv_and_unreadable_values_are_warned_about() -> None:
    text = "Client;Adidas\nNet amount;lots\nLocation;Start;End;Net\nUAE02;soon;31/03/2025;1000\n"
    result = parse_csv(text.encode())
    assert result.bo.client == "Adidas"
    assert result.bo.net_pre_vat is None
    assert result.bo.locations[0].start_date is None
    assert "Couldn't read the net amount" in result.warnings
    assert "Couldn't read the start date of UAE02" in result.warnings


def test_the_products_own_form_reads_back_to_the_same_booking_order() -> None:
    original = worked_example()
    calc = calculate(original, VAT_PCT)
    filled = fill_template(default_template("Viola"), original, calc)
    result = parse_xlsx(filled, company="Viola")
    bo = result.bo
    assert result.source == "template"
    assert result.warnings == ()
    for name in (
        "bo_number",
        "bo_date",
        "client",
        "agency",
        "brand_campaign",
        "category",
        "asset",
        "payment_terms",
        "sales_person",
        "commission_pct",
        "sla_pct",
        "municipality_fee",
        "production_upload_fee",
    ):
        assert getattr(bo, name) == getattr(original, name), name
    assert [(loc.name, loc.start_date, loc.end_date, loc.net_amount) for loc in bo.locations] == [
        (loc.name, loc.start_date, loc.end_date, loc.net_amount) for loc in original.locations
    ]
    again = calculate(bo, VAT_PCT)
    assert (again.net_pre_vat, again.vat, again.gross, again.sla_deduction) == (
        calc.net_pre_vat,
        calc.vat,
        calc.gross,
        calc.sla_deduction,
    )
    assert again.warnings == ()


def test_a_signed_form_is_flagged() -> None:
    original = worked_example()
    filled = fill_template(
        default_template("Viola"), original, calculate(original, VAT_PCT), hos_name="Omar"
    )
    assert "already signed" in parse_xlsx(filled).warnings[0]


def _text_pdf(lines: list[str]) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    y = 800
    for line in lines:
        canvas.drawString(40, y, line)
        y -= 16
    canvas.save()
    return out.getvalue()


def test_text_pdf_with_labelled_fields_and_a_table() -> None:
    pdf = _text_pdf(
        [
            "BOOKING ORDER",
            "Client: Nike        BO Number: DPD-112652",
            "BO Date: 20th February 2025    Agency: OMD",
            "Brand/Campaign: Air Max Spring",
            "Payment Terms: 60 days",
            "Location    Start Date    End Date    Net Amount",
            "UAE02   1st March 2025   31st March 2025   AED 160,000.00",
            "UAE03   1st March 2025   31st March 2025   AED 160,000.00",
            "UAE21   15th March 2025   28th March 2025   AED 140,000.00",
            "Total   AED 460,000.00",
            "Municipality Fee: AED 520.00    Production/Upload Fee: AED 2,000.00",
            "SLA: 10%    Commission: 5%",
            "Net Amount (pre-VAT): AED 462,520.00",
            "VAT: AED 23,126.00    Gross Amount: AED 485,646.00",
            "Start date: 1st March 2025",
        ]
    )
    result = parse_pdf(pdf)
    assert result.source == "pdf_text"
    _assert_generic(result.bo)


def test_scans_and_images_need_an_llm() -> None:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.rect(100, 100, 300, 300, fill=1)
    canvas.save()
    with pytest.raises(NeedsLLM, match="needs an LLM provider"):
        parse_pdf(out.getvalue())
    with pytest.raises(NeedsLLM, match="needs an LLM provider"):
        parse_document(b"\xff\xd8\xff", "image")


def test_unreadable_files_get_clear_errors() -> None:
    with pytest.raises(ParseError, match="Excel file could not be read"):
        parse_xlsx(b"nope")
    with pytest.raises(ParseError, match="PDF could not be read"):
        parse_pdf(b"nope")
    with pytest.raises(ParseError, match="No booking order fields"):
        parse_csv(b"hello,world\n1,2\n")


def test_the_client_is_never_our_own_company() -> None:
    result = parse_csv(b"Client,Viola\nAgency,OMD\n", company="Viola")
    assert result.bo.client == ""
    assert result.warnings == (
        "The client can't be our own company (Viola); please give the buyer",
    )
    other = parse_csv(b"Client,Backlite\n", company="Viola", own_companies=["Backlite"])
    assert other.bo.client == ""


def test_currency_is_taken_from_the_amounts() -> None:
    result = parse_csv(b"Client,Nike\nNet amount,USD 10000\n")
    assert result.bo.currency == "USD"
    assert result.bo.net_pre_vat == D(10000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Please find attached the signed booking order. BO number 55, VAT, net amount",
            "booking_order",
        ),
        ("Client: Nike  Agency: OMD  Start date  End date  Gross", "booking_order"),
        ("Artwork for UAE02: 1920x1080 px, 300 dpi, CMYK, print ready", "artwork"),
        ("Final creative and mockup attached (jpeg)", "artwork"),
        ("Hello, see you tomorrow", "unknown"),
    ],
)
def test_classify_text(text: str, expected: str) -> None:
    assert classify_text(text) == expected


def test_parse_notes_examples() -> None:
    assert parse_notes("booking order for Viola, upload fee is 2000", ["Viola", "Backlite"]) == {
        "company": "Viola",
        "production_upload_fee": D(2000),
    }
    assert parse_notes("municipality fee 520") == {"municipality_fee": D(520)}
    assert parse_notes("client is Nike") == {"client": "Nike"}
    # An amount written with its currency stays as written: the edit converts it and says so.
    assert parse_notes("client Nike and DM fee to AED 1,000.") == {
        "client": "Nike",
        "municipality_fee": "AED 1,000",
    }
    assert parse_notes("upload fee is $2,000") == {"production_upload_fee": "$2,000"}
    assert parse_notes("upload fee is 2000 dollars, dm 520") == {
        "production_upload_fee": "2000 dollars",
        "municipality_fee": D(520),
    }
    assert parse_notes("SLA 10%, commission is 2.5 %, BO number DPD-1 in USD") == {
        "sla_pct": D(10),
        "commission_pct": D("2.5"),
        "bo_number": "DPD-1",
        "currency": "USD",
    }


def test_parse_notes_does_not_mistake_rates_for_amounts() -> None:
    assert parse_notes("VAT 5% as usual, net 60 days") == {}
    assert parse_notes("the client wants it fast") == {}
    assert parse_notes("UAE21 net amount 150000") == {}
    assert parse_notes("net amount is 150,000") == {"net_pre_vat": D(150000)}
    assert parse_notes("for Viola or Backlite", ["Viola", "Backlite"]) == {}


def test_user_notes_override_the_document() -> None:
    parsed = parse_csv(
        b"Client,Nike\nProduction fee,3000\nNet amount,463520\n"
        b"Location,Start,End,Net\nUAE02,01/03/2025,31/03/2025,460000\n",
        company="Viola",
    ).bo
    overridden = apply_overrides(parsed, parse_notes("upload fee is 2000, municipality fee 520"))
    assert overridden.production_upload_fee == D(2000)
    assert overridden.municipality_fee == D(520)
    assert calculate(overridden, VAT_PCT).net_pre_vat == D("462520")
    with pytest.raises(BookingOrderError, match="The client is the buyer, not Viola"):
        apply_overrides(parsed, {"client": "Viola"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("AED 160,000.00", D("160000.00")),
        (160000.0, D("160000.00")),
        (0.1 + 0.2, D("0.30")),
        (42, D(42)),
        ("n/a", None),
        (None, None),
    ],
)
def test_parse_amount(value: object, expected: Decimal | None) -> None:
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    "value",
    [datetime(2025, 3, 1, 9, 30), date(2025, 3, 1), "1st March 2025", "01.03.2025", "Mar 1 2025"],
)
def test_parse_any_date(value: object) -> None:
    assert parse_any_date(value) == date(2025, 3, 1)


def test_normalise_label() -> None:
    assert normalise_label("Net Amount (AED):") == "net amount"
    assert normalise_label("BO No.") == "bo number"
    assert normalise_label("VAT 5%") == "vat"
    assert normalise_label("Brand & Campaign") == "brand and campaign"


def test_a_company_template_we_filled_reads_back_by_its_cells() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "BO Form"
    sheet["A13"] = "Advertiser"
    buffer = io.BytesIO()
    book.save(buffer)
    original = worked_example()
    filled = fill_template(buffer.getvalue(), original, calculate(original, VAT_PCT))
    result = parse_xlsx(filled)
    assert result.source == "template"
    assert result.bo.client == "Nike"
    assert [loc.net_amount for loc in result.bo.locations] == [D(160000), D(160000), D(140000)]
