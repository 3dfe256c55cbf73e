"""Rendering a booking order's form is a span inside the request's trace."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.api.booking_orders.conftest import World, new_bo
from tests.support.tracing import ancestors, spans

__all__ = ["spans"]


@pytest.fixture(autouse=True)
def _tracing_first(spans: InMemorySpanExporter) -> None:
    """Tracing starts before the app, as it does in `create_app`."""


async def test_the_preview_is_a_render_span_of_the_request(
    client: httpx.AsyncClient, world: World, spans: InMemorySpanExporter
) -> None:
    bo = await new_bo(client, world.sales)
    spans.clear()
    pdf = await client.get(f"/api/booking-orders/{bo['id']}/preview", headers=world.sales.headers)
    assert pdf.status_code == 200, pdf.text
    finished = list(spans.get_finished_spans())
    [request] = [s for s in finished if s.kind is SpanKind.SERVER]
    [render] = [s for s in finished if s.name == "render booking order preview"]
    assert request in ancestors(render, finished)
