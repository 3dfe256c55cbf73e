from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from salesbot.proposals.pricing import (
    CombinedItem,
    CombinedRequest,
    MissingInformation,
    ProposalError,
    SeparateItem,
    SeparateRequest,
    combined_fee_label,
    location_line,
    price_combined,
    price_separate,
    unknown_location_error,
)
from tests.unit.proposals.helpers import default_pricing


def _separate(*items: SeparateItem, **kwargs: str) -> SeparateRequest:
    return SeparateRequest(list(items), "Nike", **kwargs)


def _gateway_item(**kwargs: Any) -> SeparateItem:
    values: dict[str, Any] = {
        "start_date": "2026-01-01",
        "durations": ["2 weeks"],
        "net_rates": ["1M"],
    }
    values.update(kwargs)
    return SeparateItem("dubai_gateway", **values)


def _error(call: Callable[[], object]) -> str:
    with pytest.raises(ProposalError) as error:
        call()
    return str(error.value)


# ------------------------------------------------------------------------- spec error messages


def test_no_proposals(facts, settings, today):
    assert _error(lambda: price_separate(_separate(), facts, settings, today)) == (
        "No proposals provided"
    )
    request = CombinedRequest([], "1M")
    assert _error(lambda: price_combined(request, facts, settings, today)) == (
        "No proposals provided"
    )


def test_unknown_location_in_proposal_position(facts, settings, today):
    request = _separate(_gateway_item(), SeparateItem("nowhere", "2026-01-01", ["1 week"], ["1"]))
    assert _error(lambda: price_separate(request, facts, settings, today)) == (
        "Unknown location 'nowhere' in proposal 2"
    )
    assert str(unknown_location_error("x", 2)) == "Unknown location 'x' in proposal 2"


def test_mismatched_durations_and_rates(facts, settings, today):
    request = _separate(_gateway_item(durations=["2 weeks", "4 weeks"], net_rates=["1M"]))
    assert _error(lambda: price_separate(request, facts, settings, today)) == (
        "Mismatched durations and rates for dubai_gateway - 2 durations but 1 rates"
    )


def test_no_duration(facts, settings, today):
    request = _separate(_gateway_item(durations=[], net_rates=[]))
    assert _error(lambda: price_separate(request, facts, settings, today)) == (
        "No duration specified for dubai_gateway"
    )
    combined = CombinedRequest(
        [
            CombinedItem("dubai_gateway", "2026-01-01", None),
            CombinedItem("landmark", "2026-01-01", "1 week"),
        ],
        "1M",
    )
    assert _error(lambda: price_combined(combined, facts, settings, today)) == (
        "No duration specified for dubai_gateway"
    )


@pytest.mark.parametrize("rate", [None, "", "   "])
def test_combined_requires_net_rate(facts, settings, today, rate):
    request = CombinedRequest(
        [
            CombinedItem("dubai_gateway", "2026-01-01", "1 week"),
            CombinedItem("landmark", "2026-01-01", "1 week"),
        ],
        rate,
    )
    assert _error(lambda: price_combined(request, facts, settings, today)) == (
        "Combined package requires a combined net rate"
    )


def test_combined_requires_two_locations(facts, settings, today):
    request = CombinedRequest([CombinedItem("dubai_gateway", "2026-01-01", "1 week")], "1M")
    assert _error(lambda: price_combined(request, facts, settings, today)) == (
        "Combined package requires at least 2 locations"
    )


def test_unsupported_currency_lists_supported(facts, settings, today):
    message = _error(
        lambda: price_separate(_separate(_gateway_item(), currency="JPY"), facts, settings, today)
    )
    assert message == "Currency 'JPY' is not supported. Supported currencies: AED, EUR, GBP, USD"


def test_currency_without_rate_is_never_a_silent_fallback(facts, today):
    settings = default_pricing(rates={"USD": Decimal("3.6725")})
    message = _error(
        lambda: price_separate(_separate(_gateway_item(), currency="EUR"), facts, settings, today)
    )
    assert "Supported currencies: AED, USD" in message


def test_missing_production_fee_lists_static_locations(facts, settings, today):
    request = _separate(_gateway_item(), SeparateItem("uae21", "2026-01-01", ["2 weeks"], ["100k"]))
    with pytest.raises(MissingInformation) as error:
        price_separate(request, facts, settings, today)
    assert error.value.missing == (("uae21", "production_fee"),)
    assert str(error.value) == "Missing production fee for static location: uae21"


def test_missing_production_fee_in_package(facts, settings, today):
    request = CombinedRequest(
        [
            CombinedItem("uae21", "2026-01-01", "1 week"),
            CombinedItem("landmark", "2026-01-01", "1 week"),
        ],
        "1M",
    )
    with pytest.raises(MissingInformation):
        price_combined(request, facts, settings, today)


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("abc", "Could not read the net rate 'abc'. Use a number like 1,500,000, 1.5M or 750k."),
        ("-5000", "The net rate must be more than zero (got '-5000')"),
        ("0", "The net rate must be more than zero (got '0')"),
    ],
)
def test_bad_rates_quote_the_text(facts, settings, today, rate, message):
    request = _separate(_gateway_item(net_rates=[rate]))
    assert _error(lambda: price_separate(request, facts, settings, today)) == message


def test_bad_date_quotes_the_text(facts, settings, today):
    request = _separate(SeparateItem("dubai_gateway", "someday soon", ["1 week"], ["1M"]))
    assert "'someday soon'" in _error(lambda: price_separate(request, facts, settings, today))


def test_end_before_start_is_refused(facts, settings, today):
    request = _separate(_gateway_item(end_date="2025-12-01"))
    assert _error(lambda: price_separate(request, facts, settings, today)) == (
        "The end date 1st December 2025 is before the start date 1st January 2026 for dubai_gateway"
    )


def test_spots_must_fit_the_loop(facts, settings, today):
    request = _separate(_gateway_item(spots=9))
    assert "(at most 8)" in _error(lambda: price_separate(request, facts, settings, today))
    request = _separate(_gateway_item(spots=0))
    assert "at least 1" in _error(lambda: price_separate(request, facts, settings, today))


def test_duplicate_location_in_package(facts, settings, today):
    request = CombinedRequest(
        [
            CombinedItem("landmark", "2026-01-01", "1 week"),
            CombinedItem("landmark", "2026-01-01", "1 week"),
        ],
        "1M",
    )
    assert "more than once" in _error(lambda: price_combined(request, facts, settings, today))


def test_nothing_is_produced_on_error(facts, settings, today):
    """A later item's error stops the whole proposal (no partial result is returned)."""
    request = _separate(_gateway_item(), _gateway_item(net_rates=["oops"]))
    with pytest.raises(ProposalError):
        price_separate(request, facts, settings, today)


# ------------------------------------------------------------------------- rules and display


def test_fee_labels(facts, settings, today):
    assert combined_fee_label(["static", "static"]) == "Production Fee:"
    assert combined_fee_label(["digital", "digital"]) == "Upload Fee:"
    assert combined_fee_label(["digital", "static"]) == "Upload/Production Fee:"


def test_all_digital_package_shows_one_summed_fee(facts, settings, today):
    request = CombinedRequest(
        [
            CombinedItem("dubai_gateway", "2026-01-01", "1 week"),
            CombinedItem("landmark", "2026-01-01", "1 week"),
        ],
        "1M",
    )
    proposal = price_combined(request, facts, settings, today)
    fee_row = proposal.tables[0].rows[4]
    assert fee_row.label == "Upload Fee:"
    assert fee_row.values == ("AED 5,000",)
    assert proposal.package is not None
    assert proposal.package.subtotal.aed == Decimal("1005520.00")


def test_digital_location_ignores_production_fee(facts, settings, today):
    request = _separate(_gateway_item(production_fee="9,999"))
    location = price_separate(request, facts, settings, today).locations[0]
    assert location.fee_label == "Upload Fee:"
    assert location.fee.aed == Decimal("2000.00")


def test_static_location_line_has_no_spot_details(uae21):
    assert location_line(uae21, 3) == "The Portrait Gallery: UAE 21 - Size (10.5m x 20m) - 1 face"


def test_location_line_without_series_or_size(gateway):
    from dataclasses import replace

    bare = replace(gateway, series="", width_m=None)
    assert location_line(bare, 1) == (
        "The Dubai Gateway - 4 faces - 1 spot - 12 Seconds - 12.5% SOV - 96 seconds loop"
    )


def test_terms_validity_and_proposal_date(facts, settings, today):
    request = _separate(
        _gateway_item(), payment_terms="50% upfront, 50% on install", company_name="Backlite Media"
    )
    proposal = price_separate(request, facts, settings, today)
    table = proposal.tables[0]
    assert table.header == "Nike Investment Sheet"
    assert table.terms[0] == "Payment Terms: 50% upfront, 50% on install"
    assert "All artworks are subject to approval by Backlite Media and DM." in table.terms
    assert table.terms[-1] == "This proposal is valid until the 5th December 2025."
    assert table.proposal_date_text == "Proposal Date: 05/11/2025"
    assert proposal.validity_date == date(2025, 12, 5)
    assert not any("converted from AED" in term for term in table.terms)


def test_default_payment_terms_always_shown(facts, settings, today):
    request = _separate(_gateway_item(), payment_terms="  ")
    assert price_separate(request, facts, settings, today).terms[0] == "Payment Terms: 100% upfront"


def test_date_range_text(facts, settings, today):
    request = _separate(_gateway_item(start_date="Jan 1st 2026", end_date="15/01/2026"))
    location = price_separate(request, facts, settings, today).locations[0]
    assert location.date_text == "1st January 2026 - 15th January 2026"


def test_euro_and_pound_display(facts, settings, today):
    item = SeparateItem("landmark", "2026-01-01", ["2 weeks"], ["1.5M"])
    eur = price_separate(_separate(item, currency="eur"), facts, settings, today)
    gbp = price_separate(_separate(item, currency="GBP"), facts, settings, today)
    assert eur.locations[0].options[0].total.text == "€397,656.42"
    assert gbp.locations[0].options[0].total.text == "£341,709.09"
    usd = price_separate(_separate(item, currency="USD"), facts, settings, today)
    assert usd.locations[0].options[0].total.text == "$429,869.57"


def test_admin_changed_rate_and_vat(facts, today):
    settings = default_pricing(vat_pct=Decimal("7.5"), rates={"USD": Decimal("4")})
    item = SeparateItem("landmark", "2026-01-01", ["2 weeks"], ["100,000"])
    proposal = price_separate(_separate(item, currency="USD"), facts, settings, today)
    option = proposal.locations[0].options[0]
    assert option.vat.aed == Decimal("7764.00")  # 103,520 × 7.5 %
    assert option.net_rate.text == "$25,000.00"
    assert proposal.tables[0].rows[6].label == "VAT 7.5% :"
