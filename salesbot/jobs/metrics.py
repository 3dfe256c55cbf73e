"""Job metrics by actor: queued, started, succeeded, failed, retried, dead-lettered, duration."""

from __future__ import annotations

import time
from typing import Any

import dramatiq

from salesbot.kit.metrics import counter, histogram

JOBS_QUEUED = counter("salesbot_jobs_queued_total", "Jobs queued (first attempts)", ["actor"])
JOBS_STARTED = counter("salesbot_jobs_started_total", "Job attempts started", ["actor"])
JOBS_SUCCEEDED = counter("salesbot_jobs_succeeded_total", "Job attempts that succeeded", ["actor"])
JOBS_FAILED = counter("salesbot_jobs_failed_total", "Job attempts that raised", ["actor"])
JOBS_RETRIED = counter("salesbot_jobs_retried_total", "Failed jobs queued again", ["actor"])
JOBS_DEAD = counter(
    "salesbot_jobs_dead_lettered_total", "Jobs moved to the dead-letter queue", ["actor"]
)
JOB_DURATION = histogram(
    "salesbot_job_duration_seconds",
    "Job attempt duration",
    ["actor"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
)

# The attempt a message was last counted for: a delayed message is enqueued twice (into the
# delay queue, then onto its queue when due) and must be counted once.
_COUNTED = "metered_attempt"


class JobMetrics(dramatiq.Middleware):
    """Counts each job's life; the retry decision is read from the re-enqueue `Retries` makes."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}

    def before_enqueue(self, broker: dramatiq.Broker, message: Any, delay: int) -> None:
        attempt = int(message.options.get("retries", 0))
        if attempt <= int(message.options.get(_COUNTED, -1)):
            return
        message.options[_COUNTED] = attempt
        (JOBS_QUEUED if attempt == 0 else JOBS_RETRIED).labels(message.actor_name).inc()

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        JOBS_STARTED.labels(message.actor_name).inc()
        self._started[message.message_id] = time.perf_counter()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        started = self._started.pop(message.message_id, None)
        if started is not None:
            JOB_DURATION.labels(message.actor_name).observe(time.perf_counter() - started)
        (JOBS_SUCCEEDED if exception is None else JOBS_FAILED).labels(message.actor_name).inc()

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._started.pop(message.message_id, None)

    def after_nack(self, broker: dramatiq.Broker, message: Any) -> None:
        JOBS_DEAD.labels(message.actor_name).inc()
