from datetime import date
from decimal import Decimal

import pytest

from salesbot.kit.parse import Duration, add_months
from salesbot.kit.wording import format_date, format_date_range, ordinal
from salesbot.proposals.pricing import (
    ProposalError,
    parse_amount,
    parse_date,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.5M", "1500000.00"),
        ("2,800,000", "2800000.00"),
        ("AED 4,000,000", "4000000.00"),
        ("750k", "750000.00"),
        ("750K", "750000.00"),
        ("4,000,000 AED", "4000000.00"),
        ("aed4000000", "4000000.00"),
        ("1.25 million", "1250000.00"),
        ("2 mn", "2000000.00"),
        ("1,250,000.50", "1250000.50"),
        ("3000", "3000.00"),
        (".5k", "500.00"),
        ("  12,000 ", "12000.00"),
        (Decimal("1234.567"), "1234.57"),
        (520, "520.00"),
    ],
)
def test_parse_amount(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,5", "12,34,567", "USD 100", "1.5X", "1..5", "k"])
def test_parse_amount_rejects_and_quotes(text):
    with pytest.raises(ProposalError) as error:
        parse_amount(text, "net rate")
    assert f"'{text}'" in str(error.value)
    assert str(error.value).startswith("Could not read the net rate")


@pytest.mark.parametrize("value", ["-1", "0", "0.001", Decimal(0), -5, Decimal("-2")])
def test_parse_amount_rejects_zero_and_negative(value):
    with pytest.raises(ProposalError, match="must be more than zero"):
        parse_amount(value, "net rate")


def test_parse_amount_refuses_floats_and_nan():
    with pytest.raises(TypeError):
        parse_amount(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_amount(True)
    with pytest.raises(ProposalError):
        parse_amount(Decimal("NaN"))


def test_parse_amount_rejects_absurd_amounts_and_truncates_the_quote():
    with pytest.raises(ProposalError, match="too large"):
        parse_amount("5000 billion")
    with pytest.raises(ProposalError, match="too large"):
        parse_amount("1" + "0" * 40)  # found by hypothesis: used to overflow when rounding
    with pytest.raises(ProposalError, match="more than zero"):
        parse_amount("-1" + "0" * 40)
    with pytest.raises(ProposalError, match="too large"):
        parse_amount(Decimal("1e40"))
    with pytest.raises(ProposalError) as error:
        parse_amount("x" * 1000)
    assert len(str(error.value)) < 150


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-05", date(2025, 11, 5)),
        ("05/11/2025", date(2025, 11, 5)),
        ("5/11/2025", date(2025, 11, 5)),
        ("05-11-2025", date(2025, 11, 5)),
        ("05.11.25", date(2025, 11, 5)),
        ("2025/11/05", date(2025, 11, 5)),
        ("Jan 1st 2026", date(2026, 1, 1)),
        ("1 January 2026", date(2026, 1, 1)),
        ("January 1, 2026", date(2026, 1, 1)),
        ("1st of January, 2026", date(2026, 1, 1)),
        ("Thursday 1 January 2026", date(2026, 1, 1)),
        ("1-Jan-2026", date(2026, 1, 1)),
        ("Sept 3 2026", date(2026, 9, 3)),
        ("22nd February 2028", date(2028, 2, 22)),
        (date(2026, 3, 1), date(2026, 3, 1)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_parse_date_without_year_uses_next_occurrence():
    today = date(2025, 11, 5)
    assert parse_date("1 January", today) == date(2026, 1, 1)
    assert parse_date("5 November", today) == date(2025, 11, 5)
    assert parse_date("20/11", today) == date(2025, 11, 20)
    assert parse_date("29 Feb", today) == date(2028, 2, 29)
    with pytest.raises(ProposalError, match="add the year"):
        parse_date("1 January")


@pytest.mark.parametrize(
    "text",
    ["tomorrow", "31/02/2026", "2026-13-01", "13/13/2026", "January 2026", "2026", "", "1 2 3"],
)
def test_parse_date_rejects_and_quotes(text):
    with pytest.raises(ProposalError) as error:
        parse_date(text, date(2025, 1, 1))
    assert f"'{text}'" in str(error.value)


@pytest.mark.parametrize(
    ("text", "display", "days"),
    [
        ("2 weeks", "2 Weeks", 14),
        ("1 week", "1 Week", 7),
        ("1 month", "1 Month", 30),
        ("3 months", "3 Months", 90),
        ("10 days", "10 Days", 10),
        ("2wks", "2 Weeks", 14),
        ("two weeks", "2 Weeks", 14),
        ("a month", "1 Month", 30),
        ("1 year", "1 Year", 365),
        ("  4   Weeks ", "4 Weeks", 28),
    ],
)
def test_parse_duration(text, display, days):
    duration = parse_duration(text)
    assert duration.display == display
    assert duration.days == days


@pytest.mark.parametrize(
    "text", ["", "weeks", "2 fortnights", "0 weeks", "1.5 months", "99999 days"]
)
def test_parse_duration_rejects(text):
    with pytest.raises(ProposalError):
        parse_duration(text)


def test_duration_end_dates_follow_the_calendar():
    assert Duration(2, "week").end_date(date(2026, 1, 1)) == date(2026, 1, 14)
    assert Duration(1, "month").end_date(date(2026, 1, 31)) == date(2026, 2, 27)
    assert Duration(1, "month").end_date(date(2026, 1, 1)) == date(2026, 1, 31)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)


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
        (24, "24th"),
        (30, "30th"),
        (31, "31st"),
    ],
)
def test_ordinals(day, text):
    assert ordinal(day) == text


def test_format_dates():
    assert format_date(date(2025, 11, 5)) == "5th November 2025"
    assert format_date_range(date(2026, 1, 1), date(2026, 1, 15)) == (
        "1st January 2026 - 15th January 2026"
    )
    assert format_date_range(date(2026, 1, 1), None) == "1st January 2026"
