"""LLM metrics against the local OpenAI-compatible server: calls, latency, tokens, cost, errors
by kind, offline fallbacks and cache hits, each counted exactly once per event."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.api.assistant.conftest import Users, chat
from tests.api.assistant.fake_openai import Error, FakeOpenAI, Text, Usage
from tests.api.assistant.test_provider_openai import llm_timeout_s, server, settings
from tests.support.metrics import sample

__all__ = ["llm_timeout_s", "server", "settings"]  # the fixtures, shared with that module

MODEL = {"provider": "openai", "model": "gpt-4.1-mini"}


def snapshot() -> dict[str, float]:
    return {
        "ok": sample("salesbot_llm_calls_total", outcome="ok", **MODEL),
        "error": sample("salesbot_llm_calls_total", outcome="error", **MODEL),
        "timed": sample("salesbot_llm_call_duration_seconds_count", **MODEL),
        "input": sample("salesbot_llm_tokens_total", model="openai:gpt-4.1-mini", kind="input"),
        "cached": sample("salesbot_llm_tokens_total", model="openai:gpt-4.1-mini", kind="cached"),
        "output": sample("salesbot_llm_tokens_total", model="openai:gpt-4.1-mini", kind="output"),
        "cost": sample("salesbot_llm_cost_usd_total", model="openai:gpt-4.1-mini"),
        "server_error": sample("salesbot_llm_errors_total", provider="openai", kind="server_error"),
        "auth": sample("salesbot_llm_errors_total", provider="openai", kind="auth"),
        "fallback": sample("salesbot_llm_offline_fallbacks_total", reason="provider_failed"),
        "hit": sample("salesbot_llm_cache_lookups_total", result="hit"),
        "miss": sample("salesbot_llm_cache_lookups_total", result="miss"),
    }


def change(before: dict[str, float]) -> dict[str, float]:
    after = snapshot()
    return {k: round(after[k] - before[k], 10) for k in after if after[k] != before[k]}


async def test_a_call_counts_tokens_cost_and_a_cache_miss_then_a_hit(
    client: httpx.AsyncClient, users: Users, app: FastAPI, server: FakeOpenAI
) -> None:
    server.script(
        Text(("Hi",), Usage(prompt=120, completion=8, cached=100)),
        Text(("Greeting",), Usage(prompt=40, completion=3)),
    )
    before = snapshot()
    await chat(client, users.sales, "hello")
    # Chat + title: two provider calls, two cache misses; cost as in the usage ledger.
    assert change(before) == {
        "ok": 2,
        "timed": 2,
        "input": 160,
        "cached": 100,
        "output": 11,
        "cost": pytest.approx(0.0000308 + 0.0000208),
        "miss": 2,
    }
    before = snapshot()
    await chat(client, users.sales, "hello")  # the same request again: served by the cache
    assert change(before) == {"hit": 2}
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("status", "kind"), [(500, "server_error"), (401, "auth")], ids=["500", "401"]
)
async def test_a_failed_call_counts_an_error_by_kind_and_a_fallback(
    client: httpx.AsyncClient, users: Users, server: FakeOpenAI, status: int, kind: str
) -> None:
    server.script(Error(status))
    before = snapshot()
    events = await chat(client, users.sales, "hello")
    assert events[-1].data["model"] == "offline"
    assert change(before) == {"error": 1, "timed": 1, kind: 1, "fallback": 1, "miss": 1}
