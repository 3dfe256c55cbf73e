"""The response cache key and store: what makes requests identical, TTL, Redis fallback."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic_ai.messages import ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.tools import ToolDefinition

from salesbot.assistant.cache import ResponseCache, is_cache_hit, request_key
from salesbot.kit.redis import RedisFacade


def params(*tools: str) -> ModelRequestParameters:
    return ModelRequestParameters(
        function_tools=[
            ToolDefinition(name=t, description=t, parameters_json_schema={"type": "object"})
            for t in tools
        ]
    )


def request(text: str, when: datetime) -> ModelRequest:
    return ModelRequest(parts=[UserPromptPart(text, timestamp=when)], timestamp=when)


def test_key_ignores_timestamps_but_not_content_model_or_tools() -> None:
    first = datetime(2026, 1, 1, tzinfo=UTC)
    a = request("hello", first)
    b = request("hello", datetime(2026, 6, 1, tzinfo=UTC))
    base = request_key("m", [a], params("x"))
    assert request_key("m", [b], params("x")) == base
    assert request_key("m", [request("hello!", first)], params("x")) != base
    assert request_key("other", [a], params("x")) != base
    assert request_key("m", [a], params("x", "y")) != base


async def test_store_hits_until_the_ttl_passes() -> None:
    now = [100.0]
    cache = ResponseCache(RedisFacade(None), ttl_s=600, clock=lambda: now[0])
    response = ModelResponse(parts=[TextPart("cached answer")], model_name="m")
    assert await cache.get("k") is None
    await cache.put("k", response)
    hit = await cache.get("k")
    assert hit is not None and hit.parts == [TextPart("cached answer")]
    assert is_cache_hit(hit) and not is_cache_hit(response)
    now[0] += 601
    assert await cache.get("k") is None


async def test_ttl_zero_disables_and_size_is_bounded() -> None:
    off = ResponseCache(RedisFacade(None), ttl_s=0)
    await off.put("k", ModelResponse(parts=[TextPart("x")]))
    assert await off.get("k") is None
    small = ResponseCache(RedisFacade(None), ttl_s=60, max_entries=2)
    for key in ("a", "b", "c"):
        await small.put(key, ModelResponse(parts=[TextPart(key)]))
    assert await small.get("a") is None
    assert await small.get("c") is not None


async def test_unreachable_redis_falls_back_to_memory() -> None:
    facade = RedisFacade("redis://127.0.0.1:1/0", retry_interval=60)
    cache = ResponseCache(facade, ttl_s=60)
    await cache.put("k", ModelResponse(parts=[TextPart("kept locally")]))
    hit = await cache.get("k")
    assert hit is not None and hit.parts == [TextPart("kept locally")]
    await facade.close()
