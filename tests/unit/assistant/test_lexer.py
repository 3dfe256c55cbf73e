"""The lexer: typed tokens for amounts, dates, durations, locations, currencies and keywords."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesbot.assistant.offline.lexer import Kind, Token, tokenize
from tests.unit.assistant.helpers import LOCATIONS, TODAY


def lex(text: str) -> list[Token]:
    return tokenize(text, locations=LOCATIONS, today=TODAY)


def only(text: str, kind: Kind) -> Token:
    found = [t for t in lex(text) if t.kind is kind]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.5M", "1500000"),
        ("750k", "750000"),
        ("2,800,000", "2800000"),
        ("AED 2,800,000", "2800000"),
        ("AED4,000,000", "4000000"),
        ("1.5 million", "1500000"),
        ("2 mn", "2000000"),
        ("2.8M AED", "2800000"),
    ],
)
def test_amounts_in_the_forms_salespeople_write(text: str, value: str) -> None:
    token = only(text, Kind.AMOUNT)
    assert token.number == Decimal(value)
    assert token.currency in (None, "AED")
    assert token.text == text


def test_a_currency_in_front_of_an_amount_is_kept_with_it() -> None:
    token = only("rate $400k", Kind.AMOUNT)
    assert (token.number, token.currency) == (Decimal(400000), "USD")


def test_a_bare_number_is_left_for_the_grammar_to_decide() -> None:
    token = only("1500000", Kind.NUMBER)
    assert token.number == Decimal(1500000)


@pytest.mark.parametrize(
    ("text", "code"),
    [("in USD", "USD"), ("in $", "USD"), ("euros", "EUR"), ("€", "EUR"), ("in pounds", "GBP")],
)
def test_currency_mentions(text: str, code: str) -> None:
    assert only(text, Kind.CURRENCY).currency == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jan 1st 2026", date(2026, 1, 1)),
        ("05/11/2025", date(2025, 11, 5)),  # day first
        ("2026-01-15", date(2026, 1, 15)),
        ("1 Feb 2026", date(2026, 2, 1)),
        ("1st of February, 2026", date(2026, 2, 1)),
        ("January 1, 2026", date(2026, 1, 1)),
        ("Monday, Jan 5 2026", date(2026, 1, 5)),
        ("March 2026", date(2026, 3, 1)),
        ("tomorrow", TODAY + timedelta(days=1)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    token = only(text, Kind.DATE)
    assert token.day == expected
    assert token.text == text


def test_a_date_without_a_year_is_the_next_one_to_come() -> None:
    assert only("Dec 1", Kind.DATE).day == date(2025, 12, 1)
    assert only("Nov 1", Kind.DATE).day == date(2026, 11, 1)  # already past on TODAY
    assert only("Nov 20", Kind.DATE).day == TODAY


def test_a_range_gives_its_year_to_the_first_date() -> None:
    days = [t.day for t in lex("Dec 20 - Jan 10 2027") if t.kind is Kind.DATE]
    assert days == [date(2026, 12, 20), date(2027, 1, 10)]


def test_an_impossible_date_is_flagged_not_guessed() -> None:
    assert only("start Feb 30 2026", Kind.BAD_DATE).text == "Feb 30 2026"


@pytest.mark.parametrize(
    ("text", "durations"),
    [
        ("2 weeks", ["2 weeks"]),
        ("1 month", ["1 month"]),
        ("a month", ["1 month"]),
        ("two weeks", ["2 weeks"]),
        ("4wks", ["4 weeks"]),
        ("2, 4 and 8 weeks", ["2 weeks", "4 weeks", "8 weeks"]),
        ("2 weeks, 4 weeks", ["2 weeks", "4 weeks"]),
    ],
)
def test_durations(text: str, durations: list[str]) -> None:
    found = [t.duration.text for t in lex(text) if t.kind is Kind.DURATION and t.duration]
    assert found == durations


def test_a_day_of_month_is_not_mistaken_for_a_duration() -> None:
    tokens = lex("Dec 1, 2 weeks")
    assert [t.kind for t in tokens if t.kind is not Kind.PUNCT] == [Kind.DATE, Kind.DURATION]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("gateway", "dubai_gateway"),
        ("the Dubai Gateway", "dubai_gateway"),
        ("DPD gateway", "dubai_gateway"),
        ("dubai_gateway", "dubai_gateway"),
        ("UAE21", "uae21"),
        ("uae 21", "uae21"),
        ("jawhra", "jawhara"),  # small typo
        ("landmrk", "landmark"),
        ("landmark tower", "landmark"),
    ],
)
def test_location_mentions(text: str, key: str) -> None:
    assert only(text, Kind.LOCATION).locations == (key,)


def test_a_vague_mention_keeps_every_close_candidate() -> None:
    token = only("the marina", Kind.LOCATION)
    assert set(token.locations) == {"marina_north", "marina_south"}
    assert only("marina north", Kind.LOCATION).locations == ("marina_north",)


def test_ordinary_words_are_not_fuzzy_matched_to_locations() -> None:
    assert not [t for t in lex("show digital screens please") if t.kind is Kind.LOCATION]


def test_codes_sizes_percentages_and_keywords() -> None:
    assert only("approve DPD-112652", Kind.CODE).text == "DPD-112652"
    assert only("ref BO-2026-0001", Kind.CODE).text == "BO-2026-0001"
    assert only("size 7m x 14m", Kind.SIZE).size == (Decimal(7), Decimal(14))
    assert only("sla 12.5%", Kind.PERCENT).number == Decimal("12.5")
    words = [t.word for t in lex("payment terms, package rate, mock-up") if t.kind is Kind.KEYWORD]
    assert words == ["payment_terms", "package_rate", "mockup"]


@given(
    whole=st.integers(min_value=1, max_value=999),
    tenths=st.integers(min_value=0, max_value=9),
    suffix=st.sampled_from([("k", 1000), ("M", 1_000_000), ("m", 1_000_000)]),
)
def test_scaled_amounts_are_exact(whole: int, tenths: int, suffix: tuple[str, int]) -> None:
    letter, factor = suffix
    token = only(f"{whole}.{tenths}{letter}", Kind.AMOUNT)
    assert token.number == (Decimal(whole) + Decimal(tenths) / 10) * factor


@given(st.integers(min_value=1000, max_value=10**12))
def test_grouped_thousands_read_back_to_the_same_number(value: int) -> None:
    assert only(f"AED {value:,}", Kind.AMOUNT).number == Decimal(value)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_day_first_and_iso_dates_round_trip(day: date) -> None:
    assert only(day.strftime("%d/%m/%Y"), Kind.DATE).day == day
    assert only(day.isoformat(), Kind.DATE).day == day


@given(st.text(max_size=200))
def test_any_text_lexes_and_tokens_point_into_it(text: str) -> None:
    for token in lex(text):
        assert text[token.start : token.end] == token.text
