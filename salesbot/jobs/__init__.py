"""Background jobs (Dramatiq): registration, broker set-up, enqueueing."""

from salesbot.jobs.runtime import (
    JobRuntime,
    current_runtime,
    enqueue,
    job,
    job_runtime,
    start_jobs,
)

__all__ = ["JobRuntime", "current_runtime", "enqueue", "job", "job_runtime", "start_jobs"]
