"""LLM calls in traces and logs, against a local OpenAI-compatible server: a span per call with
the model and token counts and never what was said; one structured line per failed call."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from salesbot.kit.logging import configure_logging, flush_logs
from salesbot.settings import Settings
from tests.api.assistant.conftest import Users, chat, text_of
from tests.api.assistant.fake_openai import (
    Error,
    FakeOpenAI,
    Text,
    Usage,
    fake_openai,
    openai_settings,
)
from tests.conftest import Stack
from tests.support.tracing import ancestors, attribute_text, spans

__all__ = ["spans"]

PROMPT = "Plan PROMPT-MARKER-5d1c for the Acme launch"
ANSWER = "ANSWER-MARKER-83b2 is ready"


@pytest.fixture(autouse=True)
def _tracing_first(spans: InMemorySpanExporter) -> None:
    """Tracing starts before the app, as it does in `create_app`."""


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with fake_openai() as fake:
        yield fake


@pytest.fixture
def settings(stack: Stack, tmp_path: Path, server: FakeOpenAI) -> Settings:
    return openai_settings(stack, tmp_path / "data", server, api_key="sk-test-key-0123456789")


async def test_llm_calls_are_spans_with_model_and_tokens_and_no_text(
    client: httpx.AsyncClient,
    users: Users,
    app: FastAPI,
    server: FakeOpenAI,
    spans: InMemorySpanExporter,
) -> None:
    server.script(
        Text((ANSWER,), Usage(prompt=120, completion=8, cached=100)),
        Text(("Acme launch",), Usage(prompt=40, completion=3)),
    )
    spans.clear()
    events = await chat(client, users.sales, PROMPT)
    assert text_of(events) == ANSWER
    await app.state.assistant.drain()
    finished = list(spans.get_finished_spans())

    [request] = [s for s in finished if s.kind is SpanKind.SERVER and s.name == "POST /api/chat"]
    calls = [s for s in finished if s.name == "chat gpt-4.1-mini"]
    assert len(calls) == 2  # the answer and the title
    for call in calls:
        assert call.kind is SpanKind.CLIENT
        assert call.context.trace_id == request.context.trace_id
        assert request in ancestors(call, finished)
    answer, title = sorted(calls, key=lambda s: s.start_time or 0)
    assert answer.attributes is not None and title.attributes is not None
    assert answer.attributes["gen_ai.provider.name"] == "openai"
    assert answer.attributes["gen_ai.request.model"] == "gpt-4.1-mini"
    assert answer.attributes["gen_ai.usage.input_tokens"] == 120
    assert answer.attributes["gen_ai.usage.output_tokens"] == 8
    assert answer.attributes["gen_ai.usage.cache_read.input_tokens"] == 100
    assert title.attributes["gen_ai.usage.input_tokens"] == 40
    # The provider's HTTP call is traced under the LLM span (httpx), and so is the SQL.
    under_answer = [s for s in finished if answer in ancestors(s, finished)]
    http = [s for s in under_answer if "http.url" in (s.attributes or {})]
    assert [s.name for s in http] == ["POST"]
    assert str((http[0].attributes or {})["http.url"]).endswith("/v1/chat/completions")
    in_trace = [s for s in finished if s.context.trace_id == request.context.trace_id]
    assert any(
        "INSERT INTO messages" in str((s.attributes or {}).get("db.statement")) for s in in_trace
    )

    # Nothing said to or by the model is in any span: not the prompt, not the answer.
    for span in finished:
        text = attribute_text(span)
        assert "PROMPT-MARKER" not in text, span.name
        assert "ANSWER-MARKER" not in text, span.name


async def test_a_failed_llm_call_logs_one_structured_line_without_secrets(
    client: httpx.AsyncClient, users: Users, app: FastAPI, server: FakeOpenAI
) -> None:
    output = io.StringIO()
    configure_logging(json=True, stream=output)
    server.script(Error(401, "Incorrect API key provided: sk-test-key-0123456789"))
    events = await chat(
        client, {**users.sales, "X-Request-ID": "llm-failure-1"}, "hello PROMPT-MARKER-5d1c"
    )
    assert events[-1].data["model"] == "offline"  # the run went on without the provider
    await app.state.assistant.drain()
    flush_logs()
    text = output.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    failures = [line for line in lines if line["event"] == "llm_call_failed"]
    assert len(failures) == 1
    failure = failures[0]
    assert failure["level"] == "error"
    assert failure["provider"] == "openai" and failure["model"] == "gpt-4.1-mini"
    assert failure["status_code"] == 401 and failure["error_type"]
    assert failure["request_id"] == "llm-failure-1"
    assert failure["user_id"] == str(users.seeded.sales.id)
    assert "trace_id" in failure and "span_id" in failure  # tracing is on in this module
    assert isinstance(failure["duration_ms"], float)
    assert "sk-test-key" not in text  # not the key, even echoed by the provider
    assert "PROMPT-MARKER" not in text  # nor what the user said
