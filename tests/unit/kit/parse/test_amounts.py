from decimal import Decimal

import pytest

from salesbot.kit.parse import Amount, ParseError, find_amount, parse_amount, read_amount, scale_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("400k", Amount(Decimal(400_000), None, "k")),
        ("1.5M", Amount(Decimal("1500000.0"), None, "m")),
        ("AED 1,200,000", Amount(Decimal(1_200_000), "AED")),
        ("1,200,000 dirhams", Amount(Decimal(1_200_000), "AED")),
        ("$429,869.57", Amount(Decimal("429869.57"), "USD")),
        ("2 mln", Amount(Decimal(2_000_000), None, "m")),
        ("3 bn", Amount(Decimal(3_000_000_000), None, "b")),
        ("-500", Amount(Decimal(-500))),
        ("AED 100 AED", Amount(Decimal(100), "AED")),
    ],
)
def test_read_amount(text, expected):
    assert read_amount(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1,5", "12,34,567", "AED 100 USD", "1.5X", "k"])
def test_read_amount_returns_none_for_what_is_not_an_amount(text):
    assert read_amount(text) is None


def test_accounting_negatives_only_when_asked():
    assert read_amount("(2,000)") is None
    assert read_amount("(2,000)", accounting=True) == Amount(Decimal(-2000))


def test_parse_amount_rounds_to_cents_and_limits_currencies():
    assert parse_amount("1,250,000.505") == Decimal("1250000.51")
    assert parse_amount("USD 100") == Decimal("100.00")
    with pytest.raises(ParseError, match="Could not read the net rate 'USD 100'"):
        parse_amount("USD 100", "net rate", currencies=("AED",))


def test_parse_amount_bounds():
    with pytest.raises(ParseError, match="too large"):
        parse_amount("2000", maximum=Decimal(1000))
    with pytest.raises(ParseError, match="more than zero"):
        parse_amount("0.001")
    with pytest.raises(ParseError):
        parse_amount(Decimal("NaN"))
    with pytest.raises(TypeError):
        parse_amount(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AED 160,000.00 incl. VAT", Amount(Decimal("160000.00"))),
        ("approx 1.5M per month", Amount(Decimal("1500000.0"), None, "m")),
        ("150 k", Amount(Decimal(150_000), None, "k")),
        ("(2,000)", Amount(Decimal(-2000))),
        ("(-5)", Amount(Decimal(-5))),
        ("1,5", Amount(Decimal(15))),
        ("AED -500", Amount(Decimal(-500))),
        ("160,000 monthly", Amount(Decimal(160_000))),
        ("3 bn", Amount(Decimal(3_000_000_000), None, "b")),
    ],
)
def test_find_amount_reads_the_first_number_in_the_text(text, expected):
    assert find_amount(text) == expected


def test_find_amount_applies_only_the_scales_asked_for():
    assert find_amount("Tower 2 B", scales=("k", "m")) == Amount(Decimal(2))
    assert find_amount("2 millions", scales=("k", "m")) == Amount(Decimal(2_000_000), None, "m")
    assert find_amount("n/a") is None


def test_scale_of():
    assert scale_of("Million") == ("m", Decimal(1_000_000))
    assert scale_of("bn") == ("b", Decimal(1_000_000_000))
    assert scale_of("month") is None
