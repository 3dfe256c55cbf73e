"""LLM metrics: calls, latency, errors by kind, tokens, cost, offline fallbacks, the cache.

Labels are the configured provider and model (a handful of values), never a user or a prompt.
Tokens per user are in the usage ledger (`/api/costs`), not here. The calls are counted by
`observed.ObservedModel`, which is loaded with PydanticAI, only when a model is used; this
module stays import-light (the usage ledger and the metrics endpoint read it).
"""

from __future__ import annotations

from salesbot.kit.metrics import counter, histogram

LLM_CALLS = counter(
    "salesbot_llm_calls_total", "LLM provider calls", ["provider", "model", "outcome"]
)
LLM_DURATION = histogram(
    "salesbot_llm_call_duration_seconds",
    "LLM provider call duration (streams: until the last chunk)",
    ["provider", "model"],
    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0),
)
LLM_ERRORS = counter("salesbot_llm_errors_total", "LLM provider errors", ["provider", "kind"])
LLM_TOKENS = counter(
    "salesbot_llm_tokens_total", "LLM tokens (kind: input, cached, output)", ["model", "kind"]
)
LLM_COST = counter("salesbot_llm_cost_usd_total", "LLM cost in US dollars", ["model"])
LLM_FALLBACKS = counter(
    "salesbot_llm_offline_fallbacks_total",
    "Chat runs answered by the offline model instead of the provider",
    ["reason"],
)
LLM_CACHE = counter(
    "salesbot_llm_cache_lookups_total", "LLM response cache lookups (hit or miss)", ["result"]
)
