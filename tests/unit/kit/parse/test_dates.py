from datetime import date, datetime

import pytest

from salesbot.kit.parse import (
    ParseError,
    add_months,
    find_dates,
    next_occurrence,
    parse_date,
    read_date,
)

TODAY = date(2025, 11, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-15", date(2026, 1, 15)),
        ("15/01/2026", date(2026, 1, 15)),
        ("15.01.26", date(2026, 1, 15)),
        ("15 January 2026", date(2026, 1, 15)),
        ("Jan 15th, 2026", date(2026, 1, 15)),
        ("Thursday 15th of January 2026", date(2026, 1, 15)),
        ("15 Jan", date(2026, 1, 15)),
        (datetime(2026, 1, 15, 10, 30), date(2026, 1, 15)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text, TODAY) == expected


def test_a_date_without_year_needs_today():
    with pytest.raises(ParseError, match="add the year"):
        parse_date("15 Jan")


def test_options_for_documents():
    assert read_date("1-Mar-25") is None
    assert read_date("1-Mar-25", short_years=True) == date(2025, 3, 1)
    assert read_date("2025-03-01T10:00") is None
    assert read_date("2025-03-01T10:00", with_time=True) == date(2025, 3, 1)


@pytest.mark.parametrize("text", ["tomorrow", "31/02/2026", "1 2 3", "", "1 January 1800"])
def test_read_date_returns_none(text):
    assert read_date(text, TODAY) is None


def test_add_months_clamps_to_the_last_day():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 12, 15), 14) == date(2027, 2, 15)


def test_find_dates_in_running_text():
    line = "UAE02 1st March 2025 - 31/03/2025 AED 160,000 (Mar 9) 2025-13-01"
    found = find_dates(line)
    assert [(f.text, f.value) for f in found] == [
        ("1st March 2025", date(2025, 3, 1)),
        ("31/03/2025", date(2025, 3, 31)),
    ]
    assert line[found[0].start : found[0].end] == "1st March 2025"
    assert find_dates("from 1-Mar-25 to 31-Mar-25") == []
    assert [f.value for f in find_dates("from 1-Mar-25 to 31-Mar-25", short_years=True)] == [
        date(2025, 3, 1),
        date(2025, 3, 31),
    ]


def test_next_occurrence():
    assert next_occurrence(1, 1, TODAY) == date(2026, 1, 1)
    assert next_occurrence(11, 5, TODAY) == TODAY
    assert next_occurrence(2, 29, TODAY) == date(2028, 2, 29)
    # Only this year's or next year's: a day this year lacks is an error.
    with pytest.raises(ParseError):
        next_occurrence(2, 29, TODAY, skip_missing=False)
    with pytest.raises(ParseError):
        next_occurrence(2, 30, TODAY)
    assert next_occurrence(2, 29, date(2024, 1, 1), skip_missing=False) == date(2024, 2, 29)
    assert next_occurrence(1, 1, TODAY, skip_missing=False) == date(2026, 1, 1)
