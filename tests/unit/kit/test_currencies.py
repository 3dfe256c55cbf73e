"""The one rule for typed currencies (proposals and booking orders): the marker, the stored
rate (an unknown currency refused with the supported list), conversion through AED to cents,
half up, and the words that say how an amount was read."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesbot.kit import currencies

D = Decimal
RATES = {"USD": D("3.6725"), "EUR": D("3.97"), "GBP": D("4.62")}


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("$400k", "USD"),
        ("USD 400k", "USD"),
        ("400k dollars", "USD"),
        ("€300k", "EUR"),
        ("AED 400k", "AED"),
        ("400k", None),
        (D(400), None),
        ("a lot", None),
    ],
)
def test_the_currency_written_with_an_amount(typed: str | Decimal, code: str | None) -> None:
    assert currencies.marked_currency(typed) == code


def test_a_currency_without_a_rate_is_refused_with_the_supported_ones() -> None:
    with pytest.raises(currencies.UnsupportedCurrency) as refused:
        currencies.rate_of("sar", RATES, "AED")
    assert str(refused.value) == (
        "Currency 'sar' is not supported. Supported currencies: AED, EUR, GBP, USD"
    )
    assert refused.value.allowed == ("AED", "EUR", "GBP", "USD")
    assert currencies.rate_of("usd", RATES, "AED") == D("3.6725")
    assert currencies.rate_of("", RATES, "AED") == 1


def test_conversion_goes_through_aed_to_cents_half_up() -> None:
    assert currencies.convert(D(1000), "USD", "AED", RATES, "AED") == D("3672.50")
    assert currencies.convert(D("3672.50"), "AED", "USD", RATES, "AED") == D("1000.00")
    # 0.01 USD = 0.036725 AED → 0.04 (half up)
    assert currencies.convert(D("0.01"), "USD", "AED", RATES, "AED") == D("0.04")
    # EUR → USD: 1,000 × 3.97 = 3,970 AED; / 3.6725 = 1,081.0075 → 1,081.01
    assert currencies.convert(D(1000), "EUR", "USD", RATES, "AED") == D("1081.01")
    assert currencies.convert(D(5), "AED", "AED", RATES, "AED") == D(5)


def test_the_words_that_say_how_an_amount_was_read() -> None:
    assert currencies.conversion_text("USD", D(1000), "AED", D("3672.50"), RATES, "AED") == (
        "USD 1,000 (AED 3,672.50 at 3.6725 AED per USD)"
    )
    assert currencies.conversion_text("EUR", D(1000), "USD", D("1081.01"), RATES, "AED") == (
        "EUR 1,000 (USD 1,081.01 at 3.97 AED per EUR and 3.6725 AED per USD)"
    )
    assert currencies.conversion_text("AED", D(400000), "AED", D(400000), RATES, "AED") == (
        "AED 400,000"
    )
