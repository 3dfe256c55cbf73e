"""The pure inventory arithmetic: capacity, per-day use, collisions, weekly occupancy."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from salesbot.inventory import occupancy
from salesbot.inventory.occupancy import BOOKING, HOLD, Claim

D = date(2031, 3, 1)  # any day: the arithmetic does not care which


def claim(kind: str, start: int, end: int, units: int, expires: datetime | None = None) -> Claim:
    return Claim(uuid.uuid4(), kind, D + timedelta(start), D + timedelta(end), units, "C", expires)


@pytest.mark.parametrize(
    ("display_type", "faces", "spot", "loop", "expected"),
    [
        ("static", 2, None, None, (2, "face")),
        ("static", 0, None, None, (1, "face")),
        ("digital", 4, 12, 96, (8, "spot")),
        ("digital", 1, 16, 96, (6, "spot")),
        ("digital", 1, None, None, (6, "spot")),  # the spec's defaults: 16 s in a 96 s loop
        ("digital", 1, 100, 96, (1, "spot")),
    ],
)
def test_capacity(
    display_type: str, faces: int, spot: int | None, loop: int | None, expected: tuple[int, str]
) -> None:
    cap = occupancy.capacity_of(display_type, faces, spot, loop)
    assert (cap.units, cap.unit) == expected


def test_expired_holds_stop_counting_at_their_expiry() -> None:
    at = datetime(2031, 1, 10, 12, 0, tzinfo=UTC)
    hold = claim(HOLD, 0, 5, 1, expires=at)
    booking = claim(BOOKING, 0, 5, 1)
    assert occupancy.live([hold, booking], at - timedelta(seconds=1)) == [hold, booking]
    assert occupancy.live([hold, booking], at) == [booking]


def test_by_day_counts_booked_held_and_free() -> None:
    rows = occupancy.by_day([claim(BOOKING, 0, 1, 2), claim(HOLD, 1, 2, 3)], D, D + timedelta(3), 6)
    assert [(r.booked, r.held, r.free) for r in rows] == [
        (2, 0, 4),
        (2, 3, 1),
        (0, 3, 3),
        (0, 0, 6),
    ]


def test_collisions_name_the_bookings_on_the_full_days_only() -> None:
    early, late = claim(BOOKING, 0, 9, 4), claim(BOOKING, 20, 25, 6)
    partial = claim(BOOKING, 5, 7, 1)
    found = occupancy.collisions([late, partial, early], D, D + timedelta(30), 2, 6)
    # 6 spots: days 5–7 have 5 taken (1 free < 2 wanted), days 20–25 have 6.
    assert found == [early, partial, late]
    assert occupancy.collisions([early], D, D + timedelta(9), 2, 6) == []
    # Holds only refuse when asked to count them.
    hold = claim(HOLD, 0, 3, 6)
    assert occupancy.collisions([hold], D, D + timedelta(3), 1, 6) == []
    assert occupancy.collisions([hold], D, D + timedelta(3), 1, 6, kinds=(HOLD,)) == [hold]


def test_weekly_shares_in_whole_percent_half_up() -> None:
    monday = occupancy.monday_of(D)
    # 2 faces: one face booked for the whole first week = 50 %; 3 of 7 days held fully = 43 %.
    claims = [claim(BOOKING, (monday - D).days, (monday - D).days + 6, 1)]
    claims.append(claim(HOLD, (monday - D).days + 7, (monday - D).days + 9, 2))
    weeks = occupancy.weekly(claims, monday, 3, 2)
    assert [(w.start, w.booked_pct, w.held_pct) for w in weeks] == [
        (monday, 50, 0),
        (monday + timedelta(7), 0, 43),
        (monday + timedelta(14), 0, 0),
    ]


def test_ranges_are_checked_and_written_like_people_do() -> None:
    with pytest.raises(ValueError, match="before the start"):
        occupancy.check_range(D, D - timedelta(1))
    with pytest.raises(ValueError, match="two years"):
        occupancy.check_range(D, D + timedelta(days=occupancy.MAX_RANGE_DAYS))
    assert occupancy.range_text(date(2031, 3, 1), date(2031, 3, 31)) == "1–31 Mar 2031"
    assert occupancy.range_text(date(2031, 2, 28), date(2031, 3, 3)) == "28 Feb – 3 Mar 2031"
    assert occupancy.range_text(date(2031, 12, 1), date(2032, 1, 5)) == "1 Dec 2031 – 5 Jan 2032"
    assert occupancy.range_text(D, D) == "1 Mar 2031"
