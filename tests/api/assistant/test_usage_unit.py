"""Cost arithmetic: cached input priced apart, reasoning not double-counted, exact decimals."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from salesbot.assistant.usage import CallUsage, cost_of, price_for
from salesbot.settings import DEFAULT_LLM_PRICES, LlmPrice

PRICE = LlmPrice(input=Decimal("2.00"), cached_input=Decimal("0.50"), output=Decimal("8.00"))


def test_cost_splits_cached_input() -> None:
    usage = CallUsage(input_tokens=1_000_000, cached_tokens=400_000, output_tokens=100_000)
    assert cost_of(usage, PRICE) == Decimal("2.2")  # 0.6×2 + 0.4×0.5 + 0.1×8


def test_reasoning_tokens_are_inside_output_and_priced_once() -> None:
    plain = CallUsage(input_tokens=10, output_tokens=1000)
    reasoning = CallUsage(input_tokens=10, output_tokens=1000, reasoning_tokens=800)
    assert cost_of(plain, PRICE) == cost_of(reasoning, PRICE)


def test_unknown_model_costs_nothing_and_lookup_by_short_name() -> None:
    assert cost_of(CallUsage(input_tokens=5), None) == Decimal(0)
    assert price_for(DEFAULT_LLM_PRICES, "openai:gpt-4.1") is DEFAULT_LLM_PRICES["gpt-4.1"]
    assert price_for(DEFAULT_LLM_PRICES, "offline") is None


def test_missing_cached_price_uses_input_price() -> None:
    price = LlmPrice(input=Decimal("1"), output=Decimal("1"))
    usage = CallUsage(input_tokens=1_000_000, cached_tokens=1_000_000)
    assert cost_of(usage, price) == Decimal("1")


@given(
    st.integers(0, 10**7),
    st.integers(0, 10**7),
    st.integers(0, 10**7),
)
def test_cost_is_exact_and_monotonic(inp: int, cached: int, out: int) -> None:
    usage = CallUsage(input_tokens=inp, cached_tokens=cached, output_tokens=out)
    cost = cost_of(usage, PRICE)
    assert isinstance(cost, Decimal) and cost >= 0
    more = CallUsage(input_tokens=inp, cached_tokens=cached, output_tokens=out + 1000)
    assert cost_of(more, PRICE) > cost
