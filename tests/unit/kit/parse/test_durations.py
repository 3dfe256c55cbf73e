from datetime import date

import pytest

from salesbot.kit.parse import Duration, DurationUnit, ParseError, parse_duration, read_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 weeks", Duration(2, "week")),
        ("2wks", Duration(2, "week")),
        ("a month", Duration(1, "month")),
        ("three-months", Duration(3, "month")),
        ("1 yr.", Duration(1, "year")),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


def test_units_are_chosen_by_the_caller():
    assert read_duration("16 seconds") is None
    seconds: tuple[DurationUnit, ...] = ("second",)
    assert read_duration("16 seconds", units=seconds) == Duration(16, "second")


def test_limits():
    with pytest.raises(ParseError, match="at least 1 week"):
        parse_duration("0 weeks")
    with pytest.raises(ParseError, match="too long"):
        parse_duration("11 years")
    assert parse_duration("11 years", max_days=5000).days == 4015


def test_texts_days_and_end_dates():
    two_weeks, one_month = Duration(2, "week"), Duration(1, "month")
    assert (two_weeks.display, two_weeks.text, two_weeks.days) == ("2 Weeks", "2 weeks", 14)
    assert two_weeks.end_date(date(2026, 1, 1)) == date(2026, 1, 14)
    assert one_month.end_date(date(2026, 1, 31)) == date(2026, 2, 27)
