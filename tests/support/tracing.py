"""Tracing in tests: the SDK's in-memory exporter, and helpers to read the finished spans."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from salesbot.kit.tracing import configure_tracing, shutdown_tracing


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on, exporting to memory, for this test only (start it before the app)."""
    exporter = InMemorySpanExporter()
    assert configure_tracing(exporter=exporter)
    try:
        yield exporter
    finally:
        shutdown_tracing()


def attribute_text(span: ReadableSpan) -> str:
    """Every attribute and event attribute of a span, as one string to search."""
    parts = [span.name, *(f"{k}={v!s}" for k, v in (span.attributes or {}).items())]
    for event in span.events:
        parts += [event.name, *(f"{k}={v!s}" for k, v in (event.attributes or {}).items())]
    return "\n".join(parts)


def ancestors(span: ReadableSpan, every: Sequence[ReadableSpan]) -> list[ReadableSpan]:
    """The span's parents up to its trace's root, nearest first (within `every`)."""
    by_id = {s.context.span_id: s for s in every if s.context is not None}
    chain: list[ReadableSpan] = []
    current = span
    while current.parent is not None and current.parent.span_id in by_id:
        current = by_id[current.parent.span_id]
        chain.append(current)
    return chain
