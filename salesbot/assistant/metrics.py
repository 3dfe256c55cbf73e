"""LLM metrics: calls, latency, errors by kind, tokens, cost, offline fallbacks, the cache.

Labels are the configured provider and model (a handful of values), never a user or a prompt.
Tokens per user are in the usage ledger (`/api/costs`), not here.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic_ai.exceptions import UnexpectedModelBehavior
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import RunContext

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


def error_kind(exc: BaseException) -> str:
    """A small fixed vocabulary for what went wrong (the label must stay bounded)."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        if status == 429:
            return "rate_limited"
        if status in (401, 403):
            return "auth"
        return "server_error" if status >= 500 else "client_error"
    name = type(exc).__name__.lower()
    if isinstance(exc, TimeoutError) or "timeout" in name:
        return "timeout"
    if isinstance(exc, ConnectionError) or "connect" in name:
        return "connection"
    if isinstance(exc, UnexpectedModelBehavior):
        return "bad_response"
    return "other"


class MeteredModel(WrapperModel):
    """Times and counts every call that reaches the provider (cache hits never get here)."""

    def __init__(self, wrapped: Model, provider: str) -> None:
        super().__init__(wrapped)
        self.provider_label = provider

    def _observe(self, started: float, exc: BaseException | None) -> None:
        model = self.wrapped.model_name
        LLM_DURATION.labels(self.provider_label, model).observe(time.perf_counter() - started)
        LLM_CALLS.labels(self.provider_label, model, "ok" if exc is None else "error").inc()
        if exc is not None:
            LLM_ERRORS.labels(self.provider_label, error_kind(exc)).inc()

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        started = time.perf_counter()
        try:
            response = await self.wrapped.request(
                messages, model_settings, model_request_parameters
            )
        except Exception as exc:
            self._observe(started, exc)
            raise
        self._observe(started, None)
        return response

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: RunContext[Any] | None = None,
    ) -> AsyncIterator[StreamedResponse]:
        started = time.perf_counter()
        try:
            async with self.wrapped.request_stream(
                messages, model_settings, model_request_parameters, run_context
            ) as stream:
                yield stream
        except Exception as exc:
            self._observe(started, exc)
            raise
        self._observe(started, None)
