"""One trace from the request that queues a job to the worker that runs it (OpenTelemetry).

A mockup request that finds no free composition slot is queued as a `mockups.generate` job; the
app's own job runtime (in-memory broker, or Redis) runs it. The spans are exported to the SDK's
in-memory exporter.
"""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from salesbot.mockups import service
from tests.api.locations.support import seed_catalogue
from tests.api.mockups.conftest import AppFactory
from tests.api.mockups.support import LANDSCAPE, creative, make_crew, photo_with_frames
from tests.support.tracing import ancestors, spans

pytestmark = pytest.mark.jobs

__all__ = ["spans"]


async def test_one_trace_spans_request_enqueue_and_worker(
    app_with: AppFactory, spans: InMemorySpanExporter
) -> None:
    async with app_with(mockup_concurrency=1) as (app, client):
        crew = await make_crew(app)
        await seed_catalogue(client, crew.admin)
        await photo_with_frames(client, crew.coordinator, "landmark", [LANDSCAPE])
        red = await creative(client, crew.sales, (255, 0, 0))
        slots = service.slots_of(app.state)
        assert slots.try_acquire()  # the only slot is busy: the request queues a job
        try:
            spans.clear()
            response = await client.post(
                "/api/mockups",
                json={"location": "landmark", "file_ids": [red]},
                headers={**crew.sales.headers, "X-Request-ID": "trace-me-1"},
            )
            assert response.status_code == 202, response.text
        finally:
            slots.release()
        await asyncio.to_thread(app.state.jobs.join, "default", 120_000)
        status = await client.get(response.json()["status_url"], headers=crew.sales.headers)
        assert status.json()["status"] == "done", status.text
        is_redis = app.state.jobs.uses_redis

    finished = list(spans.get_finished_spans())
    request = [s for s in finished if s.kind is SpanKind.SERVER and s.name == "POST /api/mockups"]
    assert len(request) == 1
    trace_id = request[0].context.trace_id
    in_trace = [s for s in finished if s.context.trace_id == trace_id]

    [enqueue] = [s for s in in_trace if s.name == "enqueue mockups.generate"]
    assert enqueue.kind is SpanKind.PRODUCER
    assert request[0] in ancestors(enqueue, in_trace)

    [job] = [s for s in in_trace if s.name == "job mockups.generate"]
    assert job.kind is SpanKind.CONSUMER
    assert job.parent is not None and job.parent.span_id == enqueue.context.span_id
    assert (job.attributes or {})["messaging.destination.name"] == "default"
    assert (job.attributes or {})["salesbot.job.attempt"] == 1

    # The worker's own work is in the same trace, under the job: SQL and the rendering.
    under_job = [s for s in in_trace if job in ancestors(s, in_trace)]
    statements = [str((s.attributes or {}).get("db.statement", "")) for s in under_job]
    assert any(text.startswith("UPDATE mockups") for text in statements), statements
    assert any(s.name == "render mockup" for s in under_job)
    # ...and so are the request's own queries.
    under_request = [s for s in in_trace if request[0] in ancestors(s, in_trace)]
    assert any(
        "INSERT INTO mockups" in str((s.attributes or {}).get("db.statement", ""))
        for s in under_request
    )
    if is_redis:
        redis_calls = [s for s in in_trace if (s.attributes or {}).get("db.system") == "redis"]
        assert redis_calls, "Redis commands are traced"
        for call in redis_calls:  # sanitised: the command name, never the values
            assert set(str((call.attributes or {}).get("db.statement", "")).split()[1:]) <= {"?"}
