"""Background jobs on Dramatiq: Redis broker + workers in production, in-memory + in-process here.

Capabilities declare jobs with `@job(...)` in their `tasks.py`; `start_jobs(settings)` builds the
broker, binds every registered job to it as a Dramatiq actor and (without Redis) starts an
in-process worker. Enqueue with `await enqueue("name", *args)`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, ParamSpec, TypeVar, cast

import dramatiq
import structlog
from dramatiq.asyncio import EventLoopThread, get_event_loop_thread, set_event_loop_thread
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    AsyncIO,
    Callbacks,
    CurrentMessage,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from salesbot.jobs.metrics import JobMetrics
from salesbot.jobs.progress import ProgressBoard
from salesbot.jobs.redis_broker import TunedRedisBroker
from salesbot.kit import tracing
from salesbot.kit.logging import get_logger
from salesbot.kit.request_context import (
    current_request_id,
    current_user_id,
    set_request_id,
    set_user_id,
)
from salesbot.settings import Settings

P = ParamSpec("P")
R = TypeVar("R")
log = get_logger("salesbot.jobs")


@dataclass(frozen=True)
class JobSpec:
    fn: Callable[..., Any]
    name: str
    queue: str
    options: dict[str, Any]


_REGISTRY: dict[str, JobSpec] = {}


def job(
    name: str,
    *,
    queue: str = "default",
    max_retries: int | None = None,
    time_limit_ms: int | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a function (sync or async) as a background job under a stable name."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        options: dict[str, Any] = {}
        if max_retries is not None:
            options["max_retries"] = max_retries
        if time_limit_ms is not None:
            options["time_limit"] = time_limit_ms
        _REGISTRY[name] = JobSpec(fn=fn, name=name, queue=queue, options=options)
        return fn

    return decorate


class ContextPropagation(dramatiq.Middleware):
    """Carries the enqueuing request's context into the job: request id and user id for the
    logs, and the W3C trace context, so the job's span continues the request's trace.
    """

    def __init__(self) -> None:
        self._running = threading.local()  # the span of the message this worker thread runs

    def before_enqueue(self, broker: dramatiq.Broker, message: Any, delay: int) -> None:
        # `setdefault`: a retry keeps the context of the request that first queued the job.
        message.options.setdefault("request_id", current_request_id())
        message.options.setdefault("user_id", current_user_id())
        if "trace_context" not in message.options:
            carrier = tracing.inject()
            if carrier:
                message.options["trace_context"] = carrier

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        structlog.contextvars.clear_contextvars()
        set_request_id(message.options.get("request_id"))
        set_user_id(message.options.get("user_id"))
        attempt = message.options.get("retries", 0) + 1
        self._running.span = tracing.continue_trace(
            message.options.get("trace_context"),
            f"job {message.actor_name}",
            {
                "messaging.system": "dramatiq",
                "messaging.operation.type": "process",
                "messaging.destination.name": message.queue_name,
                "messaging.message.id": message.message_id,
                "salesbot.job": message.actor_name,
                "salesbot.job.attempt": attempt,
            },
        )
        structlog.contextvars.bind_contextvars(
            job=message.actor_name, message_id=message.message_id, attempt=attempt
        )
        log.info("job_started")

    def _finish(self, error: BaseException | None = None) -> None:
        running: tracing.Continued | None = getattr(self._running, "span", None)
        self._running.span = None
        if running is not None:
            running.end(error)
        set_request_id(None)
        set_user_id(None)
        structlog.contextvars.clear_contextvars()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        # Runs before Retries decides (after-hooks run in reverse); dead-lettering is `after_nack`.
        if exception is None:
            log.info("job_succeeded")
        else:
            message.options["last_error"] = type(exception).__name__
            log.warning("job_failed", error_type=type(exception).__name__)
        self._finish(exception)

    def after_nack(self, broker: dramatiq.Broker, message: Any) -> None:
        # One line with what an operator needs to find and replay it; never the arguments.
        log.error(
            "job_dead_lettered",
            job=message.actor_name,
            queue=message.queue_name,
            message_id=message.message_id,
            request_id=message.options.get("request_id"),
            user_id=message.options.get("user_id"),
            attempts=message.options.get("retries", 0),
            error_type=message.options.get("last_error"),
            trace_id=_trace_id(message.options.get("trace_context")),
            dead_letter_queue=_dead_letter_queue(broker, message.queue_name),
        )

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._finish()


def _dead_letter_queue(broker: dramatiq.Broker, queue: str) -> str:
    """Where the message now lies: its Redis key, or the in-memory broker's list."""
    if isinstance(broker, RedisBroker):
        return f"{broker.namespace}:{queue}.XQ"
    return f"memory:{queue}"


def _trace_id(carrier: Any) -> str | None:
    """The trace id inside a W3C `traceparent` (version-traceid-spanid-flags)."""
    parent = carrier.get("traceparent") if isinstance(carrier, dict) else None
    parts = parent.split("-") if isinstance(parent, str) else []
    return parts[1] if len(parts) == 4 else None


@dataclass
class JobRuntime:
    broker: dramatiq.Broker
    actors: dict[str, dramatiq.Actor[Any, Any]]
    worker: dramatiq.Worker | None = None
    namespace: str = "salesbot"
    settings: Settings | None = None
    board: ProgressBoard = field(default_factory=ProgressBoard)
    _closed: bool = field(default=False, repr=False)

    @property
    def job_settings(self) -> Settings:
        """The settings jobs run with: the process's own (the app's, or the worker's)."""
        return self.settings if self.settings is not None else Settings()

    @property
    def uses_redis(self) -> bool:
        return isinstance(self.broker, RedisBroker)

    def send(self, name: str, *args: Any, **kwargs: Any) -> str:
        """Enqueue synchronously (from a thread or a job); returns the message id."""
        actor = self.actors.get(name)
        if actor is None:
            raise KeyError(f"unknown job {name!r}")
        attributes = {
            "messaging.system": "dramatiq",
            "messaging.operation.type": "send",
            "messaging.destination.name": actor.queue_name,
            "salesbot.job": name,
        }
        with tracing.span(f"enqueue {name}", attributes, kind="producer"):
            return str(actor.send(*args, **kwargs).message_id)

    def dead_letters(self, queue: str = "default") -> list[dict[str, Any]]:
        """The messages that exhausted their retries, newest last."""
        if isinstance(self.broker, StubBroker):
            return [m.asdict() for m in self.broker.dead_letters_by_queue[queue]]
        if isinstance(self.broker, RedisBroker):
            client = self.broker.client
            key = f"{self.broker.namespace}:{queue}.XQ"
            ids = cast(list[bytes], client.zrange(key, 0, -1))
            raw = cast(list[bytes | None], client.hmget(f"{key}.msgs", ids)) if ids else []
            return [json.loads(item) for item in raw if item]
        return []

    def _drain(self, deadline: float) -> None:
        for queue in sorted(self.broker.get_declared_queues()):
            if queue.endswith(".DQ"):
                continue  # joined with its queue
            left = max(int((deadline - time.monotonic()) * 1000), 1)
            try:
                if isinstance(self.broker, StubBroker):
                    self.broker.join(queue, timeout=left, fail_fast=False)
                else:
                    self.broker.join(queue, timeout=left)
            except dramatiq.errors.QueueJoinTimeout:
                log.warning("jobs_not_drained", queue=queue)
                return

    def join(self, queue: str = "default", timeout_ms: int = 30_000) -> None:
        """Wait until the queue is drained (tests, CLI)."""
        if isinstance(self.broker, StubBroker):
            # Dead letters are inspected through `dead_letters`, not re-raised here.
            self.broker.join(queue, timeout=timeout_ms, fail_fast=False)
        else:
            self.broker.join(queue, timeout=timeout_ms)
        if self.worker is not None:
            self.worker.join()

    def close(self, drain_timeout_ms: int = 0) -> None:
        """Stop the worker, after running what is queued (for up to `drain_timeout_ms`) when
        this process has one: the in-memory broker's jobs are lost otherwise (a queued e-mail,
        say), and a Redis job it had fetched would wait for a heartbeat timeout."""
        if self._closed:
            return
        self._closed = True
        if drain_timeout_ms and self.worker is not None:
            self._drain(time.monotonic() + drain_timeout_ms / 1000)
        if self.worker is not None:
            self.worker.stop(timeout=5_000)
        self.broker.close()


_current: JobRuntime | None = None
_running: contextvars.ContextVar[JobRuntime | None] = contextvars.ContextVar(
    "salesbot_job_runtime", default=None
)


class RuntimeContext(dramatiq.Middleware):
    """Lets a job find the runtime whose worker runs it (two may live in one process: tests)."""

    def __init__(self) -> None:
        self.runtime: JobRuntime | None = None

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        # Async jobs run on the loop thread in a copy of this context, so they see it too.
        _running.set(self.runtime)

    def after_process_message(self, broker: dramatiq.Broker, message: Any, **_: Any) -> None:
        _running.set(None)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        _running.set(None)


class EnforcedTimeLimit(TimeLimit):
    """Dramatiq's time limit, enforced under `salesbot worker` and the in-process worker too.

    Dramatiq starts the thread that stops an overrunning job on `process_boot`, which only its own
    command line emits, so here no job was ever stopped at its limit. The watcher now starts with
    the first worker of the process and serves every later one: it tracks worker threads by id,
    and one thread per process is enough (a new one per worker would be left running by each
    runtime that stops)."""

    _watcher: ClassVar[Any] = None
    _watcher_lock: ClassVar[threading.Lock] = threading.Lock()

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        cls = EnforcedTimeLimit
        with cls._watcher_lock:
            if cls._watcher is None:
                self.after_process_boot(broker)  # type: ignore[no-untyped-call]  # starts the watcher
                cls._watcher = self.manager
            self.manager = cls._watcher


class OwnLoopAsyncIO(AsyncIO):
    """Dramatiq's AsyncIO middleware, stopping the loop thread its own worker started.

    Dramatiq keeps the loop thread in one global and stops whatever that global holds: with two
    runtimes in one process (an app and a CLI command, or two apps in a test) the first to stop
    ends the other's loop and the second leaves its own thread running, so the process never
    exits.
    """

    def __init__(self) -> None:
        super().__init__()
        self._thread: EventLoopThread | None = None

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._thread = EventLoopThread(self.logger)
        self._thread.start(timeout=1.0)
        set_event_loop_thread(self._thread)

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        thread.stop()  # type: ignore[no-untyped-call]
        thread.join()
        if get_event_loop_thread() is thread:
            set_event_loop_thread(None)


def build_broker(settings: Settings, *, namespace: str = "salesbot") -> dramatiq.Broker:
    middleware: list[dramatiq.Middleware] = [
        AgeLimit(),
        EnforcedTimeLimit(time_limit=settings.job_time_limit_ms),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(
            max_retries=settings.job_max_retries,
            min_backoff=settings.job_min_backoff_ms,
            max_backoff=settings.job_max_backoff_ms,
        ),
        OwnLoopAsyncIO(),
        CurrentMessage(),
        ContextPropagation(),
        JobMetrics(),
    ]
    if settings.redis_dsn:
        return TunedRedisBroker(
            url=settings.redis_dsn,
            namespace=namespace,
            middleware=middleware,
            heartbeat_timeout=settings.job_heartbeat_timeout_ms,
            dead_message_ttl=settings.job_dead_message_ttl_ms,
            maintenance_interval_ms=settings.job_maintenance_interval_ms,
        )
    broker = StubBroker(middleware=middleware)
    return broker


def start_jobs(
    settings: Settings,
    *,
    in_process_worker: bool | None = None,
    namespace: str = "salesbot",
    extra_middleware: list[dramatiq.Middleware] | None = None,
) -> JobRuntime:
    """Build the broker, declare every registered job, and start a worker when in-process."""
    global _current
    import_job_modules()
    broker = build_broker(settings, namespace=namespace)
    context = RuntimeContext()
    for mw in [context, *(extra_middleware or [])]:
        broker.add_middleware(mw)
    dramatiq.set_broker(broker)
    actors: dict[str, dramatiq.Actor[Any, Any]] = {}
    for spec in _REGISTRY.values():
        declare = dramatiq.actor(
            actor_name=spec.name, queue_name=spec.queue, broker=broker, **spec.options
        )
        actors[spec.name] = declare(_result_discarded(spec.fn))
    client = broker.client if isinstance(broker, RedisBroker) else None
    runtime = JobRuntime(
        broker=broker,
        actors=actors,
        namespace=namespace,
        settings=settings,
        board=ProgressBoard(client, namespace),
    )
    context.runtime = runtime  # before the worker takes its first message
    in_process = (not settings.redis_dsn) if in_process_worker is None else in_process_worker
    if in_process:
        runtime.worker = dramatiq.Worker(
            broker,
            worker_threads=settings.job_in_process_threads,
            worker_timeout=settings.job_poll_ms,
        )
        runtime.worker.start()
    _current = runtime
    return runtime


def _result_discarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The job as its worker runs it: returning nothing. A job's value is for a caller that
    runs the function itself; through the queue, its outcome is on the progress board, and
    Dramatiq logs a warning for every returned value it has no results store to keep."""
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(*args: Any, **kwargs: Any) -> None:
            await fn(*args, **kwargs)

        return run_async

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        fn(*args, **kwargs)

    return run


def current_runtime() -> JobRuntime:
    if _current is None:
        raise RuntimeError("jobs are not started")
    return _current


def job_runtime() -> JobRuntime:
    """Inside a job: the runtime running it; elsewhere the process's current one."""
    return _running.get() or current_runtime()


async def enqueue(name: str, *args: Any, **kwargs: Any) -> str:
    """Enqueue a registered job from async code without blocking the event loop."""
    runtime = current_runtime()
    return await asyncio.to_thread(runtime.send, name, *args, **kwargs)


def import_job_modules() -> None:
    """Import every capability's `tasks.py` so their `@job`s are registered."""
    import importlib

    import salesbot
    from salesbot.kit.lazy import modules_named

    for name in modules_named(salesbot, "tasks"):
        importlib.import_module(name)
