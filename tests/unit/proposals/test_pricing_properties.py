"""Hypothesis properties of pricing: exact Decimal arithmetic and stable display."""

import dataclasses
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from salesbot.proposals.pricing import (
    CombinedItem,
    CombinedRequest,
    LocationFacts,
    SeparateItem,
    SeparateRequest,
    price_combined,
    price_separate,
)
from tests.unit.proposals.helpers import DEFAULT_UPLOAD_FEE, default_pricing

TODAY = date(2025, 11, 5)
SETTINGS = default_pricing()
DIGITAL = LocationFacts("screen", "Screen", "digital", upload_fee=Decimal(3000))
STATIC = LocationFacts("board", "Board", "static", upload_fee=DEFAULT_UPLOAD_FEE)
FACTS = {f.key: f for f in (DIGITAL, STATIC)}

amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2, allow_nan=False
)
currencies = st.sampled_from(["AED", "USD", "EUR", "GBP"])


def _walk(value: object) -> Iterator[object]:
    """Every leaf value of nested dataclasses / tuples."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _walk(getattr(value, item.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _walk(item)
    else:
        yield value


def _display_value(aed: Decimal, currency: str) -> Decimal:
    if currency == "AED":
        return aed.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return (aed / SETTINGS.rates[currency]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _parse_text(text: str) -> Decimal:
    return Decimal("".join(ch for ch in text if ch.isdigit() or ch == "."))


@settings(max_examples=150, deadline=None)
@given(
    rates=st.lists(amounts, min_size=1, max_size=4),
    fee=amounts,
    currency=currencies,
    static=st.booleans(),
)
def test_separate_totals_vat_and_display(rates, fee, currency, static):
    key = "board" if static else "screen"
    item = SeparateItem(
        key, "2026-01-01", ["2 weeks"] * len(rates), rates, production_fee=fee if static else None
    )
    proposal = price_separate(
        SeparateRequest([item], "Client", currency=currency), FACTS, SETTINGS, TODAY
    )
    for option in proposal.locations[0].options:
        assert option.total.aed == option.subtotal.aed + option.vat.aed
        expected_vat = (option.subtotal.aed * Decimal("0.05")).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert option.vat.aed == expected_vat
        assert option.subtotal.aed == option.net_rate.aed + option.fee.aed + option.dm_fee.aed
        for money in (option.net_rate, option.fee, option.dm_fee, option.vat, option.total):
            # conversion then display is stable: the text reads back as the shown amount
            assert money.amount == _display_value(money.aed, currency)
            assert _parse_text(money.text) == money.amount
            assert money.currency == currency
    for leaf in _walk(proposal):
        assert not isinstance(leaf, float)
    numbers = [leaf for leaf in _walk(proposal) if isinstance(leaf, Decimal)]
    assert numbers, "money fields must be Decimals"


@settings(max_examples=100, deadline=None)
@given(net=amounts, fee=amounts, currency=currencies)
def test_combined_totals(net, fee, currency):
    request = CombinedRequest(
        [
            CombinedItem("screen", "2026-01-01", "1 week"),
            CombinedItem("board", "2026-01-01", "1 week", production_fee=fee),
        ],
        combined_net_rate=net,
        currency=currency,
    )
    package = price_combined(request, FACTS, SETTINGS, TODAY).package
    assert package is not None
    assert package.subtotal.aed == net + Decimal(3000) + fee + Decimal(520)
    assert package.total.aed == package.subtotal.aed + package.vat.aed
    assert package.vat.aed == (package.subtotal.aed * Decimal("0.05")).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert all(isinstance(leaf, Decimal) for leaf in _walk(package) if not isinstance(leaf, str))


@given(st.text(max_size=40))
def test_amount_parser_only_raises_proposal_errors(text):
    from salesbot.proposals.pricing import ProposalError, parse_amount

    try:
        value = parse_amount(text)
    except ProposalError:
        return
    assert isinstance(value, Decimal)
    assert value > 0


@given(st.text(max_size=40))
def test_date_parser_only_raises_proposal_errors(text):
    from salesbot.proposals.pricing import ProposalError, parse_date

    try:
        value = parse_date(text, TODAY)
    except ProposalError:
        return
    assert isinstance(value, date)
