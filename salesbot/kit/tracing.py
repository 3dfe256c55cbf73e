"""OpenTelemetry tracing: off unless the standard OTLP variables ask for it.

`configure_tracing()` turns tracing on when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, and `OTEL_SDK_DISABLED` / `OTEL_TRACES_EXPORTER=none`
do not say otherwise. The exporter, its headers and the sampler (`OTEL_TRACES_SAMPLER`,
`OTEL_TRACES_SAMPLER_ARG`) are read by the SDK from the usual variables.

While tracing is off nothing of the SDK or of the instrumentation packages is imported:
`span()` yields None, `inject()` returns None and the log processor returns at once.

What is traced: requests (FastAPI), SQL statements (SQLAlchemy; statements only, never the
bound values), Redis commands (sanitised to `COMMAND ? ?` by the instrumentation), outgoing
HTTP (httpx), and what the app wraps in `span()`: LLM calls, jobs, file rendering.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer

P = ParamSpec("P")
R = TypeVar("R")

Kind = Literal["internal", "producer", "consumer", "client"]
AttributeValue = str | bool | int | float
_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
# Probes and scrapes would be most of the traces and tell nothing.
DEFAULT_EXCLUDED_URLS = "/health,/metrics"
# Paths that carry a credential (a client's proposal link has its token in the path): never
# traced, whatever else is excluded, so the token never reaches a tracing backend.
SECRET_PATHS = "://[^/]+/p/"  # noqa: S105 (a URL pattern, not a secret)


@dataclass
class _Tracing:
    provider: TracerProvider
    tracer: Tracer
    instrumentors: list[Any] = field(default_factory=list)  # BaseInstrumentor (untyped)
    apps: list[FastAPI] = field(default_factory=list)


_active: _Tracing | None = None


def requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for traces (an OTLP endpoint, the SDK not disabled)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return any(environ.get(name, "").strip() for name in _ENDPOINT_VARIABLES)


def enabled() -> bool:
    return _active is not None


def configure_tracing(
    *, service_name: str = "salesbot", exporter: SpanExporter | None = None
) -> bool:
    """Start tracing when requested (or with `exporter`, which tests pass); True when on.

    Idempotent: a second call while tracing is on changes nothing. `OTEL_SERVICE_NAME` wins over
    `service_name`.
    """
    global _active
    if _active is not None:
        return True
    if exporter is None and not requested():
        return False
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    name = os.environ.get("OTEL_SERVICE_NAME", "").strip() or service_name
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        atexit.register(provider.shutdown)  # flush what is batched when the process ends
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        trace.set_tracer_provider(provider)  # the SDK allows this once per process
    state = _Tracing(provider=provider, tracer=provider.get_tracer("salesbot"))
    _instrument_libraries(state)
    _active = state
    return True


def _instrument_libraries(state: _Tracing) -> None:
    from opentelemetry.instrumentation.httpx import (
        HTTPX2ClientInstrumentor,
        HTTPXClientInstrumentor,
    )
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    # SQLAlchemy: engines made from now on (kit.db.make_engine calls create_async_engine through
    # its module, so the instrumented one is used). Statements are recorded, bound values never.
    # The package declares support up to SQLAlchemy < 2.1; the event API it uses is unchanged
    # in 2.1 (tests/api/mockups/test_job_tracing.py checks the SQL spans), so skip that check.
    sqlalchemy = SQLAlchemyInstrumentor()
    sqlalchemy.instrument(tracer_provider=state.provider, skip_dep_check=True)
    state.instrumentors.append(sqlalchemy)
    others: list[Any] = [RedisInstrumentor(), HTTPXClientInstrumentor()]
    if importlib.util.find_spec("httpx2") is not None:
        others.append(HTTPX2ClientInstrumentor())  # the openai and anthropic SDKs' HTTP client
    for instrumentor in others:
        instrumentor.instrument(tracer_provider=state.provider)
        state.instrumentors.append(instrumentor)


def instrument_app(app: FastAPI) -> None:
    """Trace the app's requests (server spans named after the route template)."""
    if _active is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    excluded = os.environ.get("OTEL_PYTHON_FASTAPI_EXCLUDED_URLS") or os.environ.get(
        "OTEL_PYTHON_EXCLUDED_URLS"
    )
    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_active.provider,
        excluded_urls=f"{excluded or DEFAULT_EXCLUDED_URLS},{SECRET_PATHS}",
        exclude_spans=["receive", "send"],
    )
    _active.apps.append(app)


def shutdown_tracing() -> None:
    """Flush and stop tracing, removing the instrumentation (tests; the process end flushes too)."""
    global _active
    state, _active = _active, None
    if state is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    for app in state.apps:
        FastAPIInstrumentor.uninstrument_app(app)
    for instrumentor in state.instrumentors:
        instrumentor.uninstrument()
    state.provider.shutdown()


def _kind(kind: Kind) -> Any:
    from opentelemetry.trace import SpanKind

    return {
        "internal": SpanKind.INTERNAL,
        "producer": SpanKind.PRODUCER,
        "consumer": SpanKind.CONSUMER,
        "client": SpanKind.CLIENT,
    }[kind]


@contextmanager
def span(
    name: str,
    attributes: Mapping[str, AttributeValue] | None = None,
    *,
    kind: Kind = "internal",
) -> Iterator[Span | None]:
    """A child span of the current one while tracing is on; None (and no cost) while off.

    An exception leaving the block is recorded on the span (type, message, stack; no locals).
    """
    if _active is None:
        yield None
        return
    with _active.tracer.start_as_current_span(
        name, attributes=dict(attributes or {}), kind=_kind(kind)
    ) as current:
        yield current


def traced(
    name: str, attributes: Mapping[str, AttributeValue] | None = None
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Decorate a coroutine function so each call runs in a span called `name`."""

    def decorate(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(fn)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if _active is None:
                return await fn(*args, **kwargs)
            with span(name, attributes):
                return await fn(*args, **kwargs)

        return wrapper

    return decorate


def set_attributes(current: Span | None, attributes: Mapping[str, AttributeValue]) -> None:
    if current is not None and current.is_recording():
        current.set_attributes(dict(attributes))


def inject() -> dict[str, str] | None:
    """The current trace context as W3C headers (`traceparent`, `tracestate`), or None when off."""
    if _active is None:
        return None
    from opentelemetry import propagate

    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier or None


@dataclass
class Continued:
    """A span started from a propagated context and made current; `end()` closes both."""

    span: Span
    token: object

    def end(self, error: BaseException | None = None) -> None:
        from opentelemetry import context
        from opentelemetry.trace import Status, StatusCode

        if error is not None:
            self.span.record_exception(error)
            self.span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        self.span.end()
        context.detach(self.token)  # type: ignore[arg-type]


def continue_trace(
    carrier: Mapping[str, str] | None,
    name: str,
    attributes: Mapping[str, AttributeValue] | None = None,
    *,
    kind: Kind = "consumer",
) -> Continued | None:
    """Start `name` as a child of the context in `carrier` (e.g. a queued job's) and make it
    current in this thread; None while tracing is off. Close it with `end()` in the same thread.
    """
    if _active is None:
        return None
    from opentelemetry import context, propagate, trace

    parent = propagate.extract(dict(carrier or {}))
    started = _active.tracer.start_span(
        name, context=parent, kind=_kind(kind), attributes=dict(attributes or {})
    )
    token = context.attach(trace.set_span_in_context(started, parent))
    return Continued(span=started, token=token)


def add_trace_ids(
    logger: Any, method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: `trace_id` and `span_id` of the current span, when tracing is on."""
    if _active is None:
        return event_dict
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict
