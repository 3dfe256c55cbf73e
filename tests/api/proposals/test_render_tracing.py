"""Producing a proposal is a `render proposal` span inside the request's trace."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.api.locations.support import Team
from tests.api.proposals.test_rendering import THREE, produce
from tests.support.tracing import ancestors, spans

pytestmark = pytest.mark.jobs

__all__ = ["spans"]


@pytest.fixture(autouse=True)
def _tracing_first(spans: InMemorySpanExporter) -> None:
    """Tracing starts before the app, as it does in `create_app`."""


async def test_rendering_a_proposal_is_a_span_of_the_request(
    client: httpx.AsyncClient, catalogue: Team, spans: InMemorySpanExporter
) -> None:
    spans.clear()
    await produce(client, catalogue, {**THREE, "proposals": THREE["proposals"][:1]})
    finished = list(spans.get_finished_spans())
    [request] = [s for s in finished if s.kind is SpanKind.SERVER]
    [render] = [s for s in finished if s.name == "render proposal"]
    assert request in ancestors(render, finished)
    assert (render.attributes or {})["salesbot.render.layout"] == "separate"
