"""The past-start check: which dates have passed and the date the user probably meant."""

from __future__ import annotations

from datetime import date

from salesbot.proposals import checks

TODAY = date(2026, 12, 6)


def test_the_suggestion_is_the_next_such_day_not_before_today() -> None:
    assert checks.next_occurrence(date(2026, 1, 1), TODAY) == date(2027, 1, 1)
    assert checks.next_occurrence(date(2026, 12, 31), TODAY) == date(2027, 12, 31)
    assert checks.next_occurrence(date(2023, 12, 20), TODAY) == date(2026, 12, 20)
    assert checks.next_occurrence(date(2024, 2, 29), TODAY) == date(2027, 2, 28)


def test_only_dates_before_today_are_reported() -> None:
    found = checks.past_starts(
        [("a", "2026-12-05"), ("b", "2026-12-06"), ("c", "Jan 1st 2026"), ("d", "not a date")],
        TODAY,
    )
    assert [(s.location, s.start, s.suggestion) for s in found] == [
        ("a", date(2026, 12, 5), date(2027, 12, 5)),
        ("c", date(2026, 1, 1), date(2027, 1, 1)),
    ]


def test_the_question_names_every_passed_date_and_both_ways_out() -> None:
    starts = checks.past_starts([("a", "2026-02-01"), ("b", "2026-03-01")], TODAY)
    assert checks.question(starts) == (
        "1 Feb 2026 and 1 Mar 2026 have passed — did you mean 1 Feb 2027 and 1 Mar 2027? "
        "Say **yes** to use 1 Feb 2027 and 1 Mar 2027, or **keep the date** to make it with "
        "1 Feb 2026 and 1 Mar 2026 anyway."
    )
