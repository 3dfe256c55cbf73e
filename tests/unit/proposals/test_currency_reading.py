"""Typed amounts: unmarked ones are AED (the catalogue's currency), marked ones are in their own
currency and converted to AED at the stored rate — and the proposal always says how it read them
(domain.md, Display; #15 item 1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesbot.proposals.pricing import (
    CombinedItem,
    CombinedRequest,
    ProposalError,
    SeparateItem,
    SeparateRequest,
    price_combined,
    price_separate,
)


def _landmark(rate: str, *, currency: str = "AED", rates_currency: str = "AED") -> SeparateRequest:
    item = SeparateItem("landmark", "2027-01-01", ["2 weeks"], [rate])
    return SeparateRequest([item], "Nike", currency=currency, rates_currency=rates_currency)


def test_the_issue_example_unmarked_400k_is_aed_shown_in_usd_and_said_so(
    facts, settings, today
) -> None:
    proposal = price_separate(_landmark("400k", currency="USD"), facts, settings, today)
    option = proposal.locations[0].options[0]
    assert option.net_rate.aed == Decimal("400000.00")
    # 400,000 / 3.6725 = 108,917.63 (the figure the issue saw, now explained).
    assert option.net_rate.text == "$108,917.63"
    note = "Rates read as AED 400,000, shown in USD at 3.6725 AED per USD."
    assert proposal.currency_note == note
    assert proposal.tables[0].terms[-1] == note
    # The spec's own line about converted display stays too.
    assert "All amounts shown in USD (converted from AED at current exchange rates)." in (
        proposal.terms
    )


@pytest.mark.parametrize("typed", ["$400k", "USD 400k", "400k dollars", "usd 400,000"])
def test_a_dollar_amount_is_converted_to_aed_for_the_calculation(
    typed: str, facts, settings, today
) -> None:
    proposal = price_separate(_landmark(typed, currency="USD"), facts, settings, today)
    option = proposal.locations[0].options[0]
    # 400,000 × 3.6725 = 1,469,000 AED exactly; shown back in USD it is the typed amount.
    assert option.net_rate.aed == Decimal("1469000.00")
    assert option.net_rate.text == "$400,000.00"
    assert proposal.currency_note == (
        "Rates read as USD 400,000 (AED 1,469,000 at 3.6725 AED per USD), shown in USD."
    )


def test_a_euro_amount_shown_in_aed(facts, settings, today) -> None:
    proposal = price_separate(_landmark("€300k"), facts, settings, today)
    option = proposal.locations[0].options[0]
    assert option.net_rate.aed == Decimal("1191000.00")  # 300,000 × 3.97
    assert option.net_rate.text == "AED 1,191,000"
    assert (
        proposal.currency_note == "Rates read as EUR 300,000 (AED 1,191,000 at 3.97 AED per EUR)."
    )


def test_an_aed_marked_amount_in_an_aed_proposal_needs_no_note(facts, settings, today) -> None:
    proposal = price_separate(_landmark("AED 400k"), facts, settings, today)
    assert proposal.locations[0].options[0].net_rate.aed == Decimal("400000.00")
    assert proposal.currency_note is None
    assert not any(t.startswith("Rates read as") for t in proposal.terms)


def test_rates_entered_in_a_chosen_currency(facts, settings, today) -> None:
    """The form's "rates entered in" choice: unmarked amounts are in that currency."""
    request = _landmark("400,000", currency="AED", rates_currency="USD")
    proposal = price_separate(request, facts, settings, today)
    assert proposal.locations[0].options[0].net_rate.aed == Decimal("1469000.00")
    assert proposal.currency_note == (
        "Rates read as USD 400,000 (AED 1,469,000 at 3.6725 AED per USD)."
    )


def test_a_marked_amount_wins_over_the_chosen_currency(facts, settings, today) -> None:
    request = _landmark("AED 400k", currency="USD", rates_currency="USD")
    proposal = price_separate(request, facts, settings, today)
    assert proposal.locations[0].options[0].net_rate.aed == Decimal("400000.00")
    assert proposal.currency_note == (
        "Rates read as AED 400,000, shown in USD at 3.6725 AED per USD."
    )


def test_fees_in_another_currency_are_converted_and_named(facts, settings, today) -> None:
    item = SeparateItem("uae21", "2027-01-01", ["2 weeks"], ["100,000"], production_fee="$1,000")
    proposal = price_separate(SeparateRequest([item], "Nike"), facts, settings, today)
    assert proposal.locations[0].fee.aed == Decimal("3672.50")
    assert proposal.currency_note == (
        "Rates read as AED 100,000 and USD 1,000 (AED 3,672.50 at 3.6725 AED per USD)."
    )


def test_a_combined_rate_in_pounds(facts, settings, today) -> None:
    request = CombinedRequest(
        [
            CombinedItem("dubai_gateway", "2027-01-01", "2 weeks"),
            CombinedItem("uae21", "2027-01-01", "2 weeks", production_fee="20,000"),
        ],
        combined_net_rate="£500k",
        client_name="Nike",
    )
    proposal = price_combined(request, facts, settings, today)
    assert proposal.package is not None
    assert proposal.package.net_rate.aed == Decimal("2310000.00")  # 500,000 × 4.62
    assert proposal.currency_note == (
        "Rates read as GBP 500,000 (AED 2,310,000 at 4.62 AED per GBP)."
    )


@pytest.mark.parametrize(("typed", "rates_currency"), [("SAR 400k", "AED"), ("400k", "SAR")])
def test_a_currency_without_a_rate_is_an_error_listing_the_supported_ones(
    typed: str, rates_currency: str, facts, settings, today
) -> None:
    # Riyals are read as a currency, but no rate is stored for them.
    with pytest.raises(ProposalError, match="Supported currencies: AED, EUR, GBP, USD"):
        price_separate(_landmark(typed, rates_currency=rates_currency), facts, settings, today)
