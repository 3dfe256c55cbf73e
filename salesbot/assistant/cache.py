"""LLM response cache: identical requests (model + messages + tools) within a TTL are answered
from memory or Redis instead of the provider.

The key hashes a canonical form of the request: volatile fields (timestamps, run ids, usage)
are dropped so the same history, instructions and tools always give the same key.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pydantic_ai import _utils
from pydantic_ai.messages import (
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelResponse,
    ModelResponseStreamEvent,
)
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import RunContext
from redis.asyncio import Redis

from salesbot.assistant.metrics import LLM_CACHE
from salesbot.kit.redis import RedisFacade

CACHE_HIT_MARK = "salesbot_cache"

_VOLATILE = frozenset(
    {
        "timestamp",
        "run_id",
        "conversation_id",
        "metadata",
        "usage",
        "provider_response_id",
        "provider_details",
        "provider_url",
        "model_id",
        "finish_reason",
        "history_digest",
        "workspace_ref",
        "failed_attempts",
        "state",
    }
)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def request_key(
    model_name: str, messages: list[ModelMessage], params: ModelRequestParameters
) -> str:
    """A stable hash of what the provider would be asked."""
    canonical = {
        "model": model_name,
        "messages": _strip(ModelMessagesTypeAdapter.dump_python(messages, mode="json")),
        "instructions": [p.content for p in params.instruction_parts or []],
        "tools": [[t.name, t.description, t.parameters_json_schema] for t in params.function_tools],
        "output_tools": [[t.name, t.parameters_json_schema] for t in params.output_tools],
        "allow_text": params.allow_text_output,
    }
    raw = json.dumps(canonical, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


class ResponseCache:
    """Model responses by request key, in Redis (shared) or this process's memory."""

    def __init__(
        self,
        redis: RedisFacade,
        *,
        ttl_s: int,
        max_entries: int = 2000,
        prefix: str = "salesbot:llmcache:",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.prefix = prefix
        self.clock = clock
        self._memory: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0

    async def _memory_get(self, key: str) -> bytes | None:
        entry = self._memory.get(key)
        if entry is None:
            return None
        expires, raw = entry
        if expires <= self.clock():
            del self._memory[key]
            return None
        return raw

    async def _memory_put(self, key: str, raw: bytes) -> None:
        self._memory[key] = (self.clock() + self.ttl_s, raw)
        self._memory.move_to_end(key)
        while len(self._memory) > self.max_entries:
            self._memory.popitem(last=False)

    async def get(self, key: str) -> ModelResponse | None:
        if not self.enabled:
            return None

        async def op(client: Redis) -> bytes | None:
            value = await client.get(self.prefix + key)
            if value is None:
                return None
            return value.encode() if isinstance(value, str) else bytes(value)

        raw = await self.redis.call(op, lambda: self._memory_get(key))
        if raw is None:
            LLM_CACHE.labels("miss").inc()
            return None
        LLM_CACHE.labels("hit").inc()
        response = ModelMessagesTypeAdapter.validate_json(raw)[0]
        assert isinstance(response, ModelResponse)
        return replace(response, provider_details={CACHE_HIT_MARK: "hit"})

    async def put(self, key: str, response: ModelResponse) -> None:
        if not self.enabled:
            return
        raw = ModelMessagesTypeAdapter.dump_json([response])

        async def op(client: Redis) -> None:
            await client.set(self.prefix + key, raw, ex=self.ttl_s)

        await self.redis.call(op, lambda: self._memory_put(key, raw))


def is_cache_hit(response: ModelResponse) -> bool:
    return bool(response.provider_details and response.provider_details.get(CACHE_HIT_MARK))


@dataclass
class ReplayedResponse(StreamedResponse):
    """A cached response streamed back part by part, as the provider streamed it."""

    _response: ModelResponse = field(repr=False, default_factory=lambda: ModelResponse(parts=[]))
    _timestamp: datetime = field(default_factory=_utils.now_utc)

    def __post_init__(self) -> None:
        self.provider_details = dict(self._response.provider_details or {})

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        for event in self._events():
            yield event

    def _events(self) -> Iterator[ModelResponseStreamEvent]:
        for index, part in enumerate(self._response.parts):
            yield self._parts_manager.handle_part(vendor_part_id=index, part=part)

    @property
    def model_name(self) -> str:
        return self._response.model_name or "cached"

    @property
    def provider_name(self) -> str | None:
        return self._response.provider_name

    @property
    def provider_url(self) -> str | None:
        return None

    @property
    def timestamp(self) -> datetime:
        return self._timestamp


class CachingModel(WrapperModel):
    """Wraps a provider model with the response cache (streamed and plain requests)."""

    def __init__(self, wrapped: Model, cache: ResponseCache) -> None:
        super().__init__(wrapped)
        self.cache = cache

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        key = request_key(self.model_name, messages, model_request_parameters)
        cached = await self.cache.get(key)
        if cached is not None:
            return cached
        response = await self.wrapped.request(messages, model_settings, model_request_parameters)
        await self.cache.put(key, response)
        return response

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
        run_context: RunContext[Any] | None = None,
    ) -> AsyncIterator[StreamedResponse]:
        key = request_key(self.model_name, messages, model_request_parameters)
        cached = await self.cache.get(key)
        if cached is not None:
            yield ReplayedResponse(model_request_parameters, _response=cached)
            return
        async with self.wrapped.request_stream(
            messages, model_settings, model_request_parameters, run_context
        ) as stream:
            yield stream
        await self.cache.put(key, stream.get())
