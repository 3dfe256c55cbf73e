"""Every call to an LLM provider, observed — the one wrapper around a provider model: the call
counted and timed (`assistant.metrics`), a span with the model and the token counts, and one
structured log line when the call fails.

None of it carries what was said: no prompt, instructions, answer or tool arguments — only
names, counts, timings and the error's kind. This module loads PydanticAI: it is imported only
when a provider model is built (`providers.observe`), never by the app's import.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from pydantic_ai.exceptions import UnexpectedModelBehavior
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import RunContext

from salesbot.assistant.metrics import LLM_CALLS, LLM_DURATION, LLM_ERRORS
from salesbot.kit import tracing
from salesbot.kit.logging import get_logger

log = get_logger(__name__)

MAX_DETAIL = 200  # characters of the provider's error message kept in the log line


def error_kind(exc: BaseException) -> str:
    """A small fixed vocabulary for what went wrong (the metric label must stay bounded)."""
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


class ObservedModel(WrapperModel):
    """Wraps a provider model (cache hits never get here: the cache wraps this).

    `provider` is the configured provider (`SALESBOT_LLM_MODEL`'s prefix), the metrics' label;
    the span names the API actually spoken (`model.system`). Every failed call is counted by
    kind; `errors` are the failures that count as the provider's, and are logged.
    """

    def __init__(self, wrapped: Model, *, provider: str, errors: tuple[type[BaseException], ...]):
        super().__init__(wrapped)
        self.provider_label = provider
        self.errors = errors

    @contextmanager
    def _observed(self, streamed: bool) -> Iterator[_Call]:
        model = self.wrapped.model_name
        attributes: dict[str, tracing.AttributeValue] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": self.wrapped.system,
            "gen_ai.request.model": model,
            "salesbot.llm.streamed": streamed,
        }
        started = time.perf_counter()
        with tracing.span(f"chat {model}", attributes, kind="client") as current:
            call = _Call(current)
            try:
                yield call
            except Exception as exc:
                seconds = time.perf_counter() - started
                self._count(model, seconds, exc)
                if isinstance(exc, self.errors):
                    self._failed(exc, model, streamed, seconds)
                raise
            self._count(model, time.perf_counter() - started, None)

    def _count(self, model: str, seconds: float, exc: BaseException | None) -> None:
        LLM_DURATION.labels(self.provider_label, model).observe(seconds)
        LLM_CALLS.labels(self.provider_label, model, "ok" if exc is None else "error").inc()
        if exc is not None:
            LLM_ERRORS.labels(self.provider_label, error_kind(exc)).inc()

    def _failed(self, exc: BaseException, model: str, streamed: bool, seconds: float) -> None:
        status = getattr(exc, "status_code", None)
        log.error(
            "llm_call_failed",
            provider=self.wrapped.system,
            model=model,
            streamed=streamed,
            error_type=type(exc).__name__,
            status_code=status if isinstance(status, int) else None,
            detail=str(exc)[:MAX_DETAIL],
            duration_ms=round(seconds * 1000, 1),
        )

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        with self._observed(streamed=False) as call:
            response = await self.wrapped.request(
                messages, model_settings, model_request_parameters
            )
            call.answered(response)
            return response

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: RunContext[Any] | None = None,
    ) -> AsyncIterator[StreamedResponse]:
        with self._observed(streamed=True) as call:
            async with self.wrapped.request_stream(
                messages, model_settings, model_request_parameters, run_context
            ) as stream:
                yield stream
            call.answered(stream.get())


class _Call:
    def __init__(self, current: Any) -> None:
        self.current = current

    def answered(self, response: ModelResponse) -> None:
        usage = response.usage
        attributes: dict[str, tracing.AttributeValue] = {
            "gen_ai.usage.input_tokens": usage.input_tokens,
            "gen_ai.usage.output_tokens": usage.output_tokens,
            "gen_ai.usage.cache_read.input_tokens": usage.cache_read_tokens,
        }
        if response.model_name:
            attributes["gen_ai.response.model"] = response.model_name
        if response.finish_reason:
            attributes["gen_ai.response.finish_reason"] = str(response.finish_reason)
        tracing.set_attributes(self.current, attributes)
