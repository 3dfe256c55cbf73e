"""Job metrics by actor: each attempt, retry and dead letter counted once, on memory and Redis."""

from __future__ import annotations

from salesbot.kit.ids import new_id
from salesbot.settings import Settings
from tests.support.metrics import sample
from tests.unit.jobs.test_runtime import _start, job_settings

__all__ = ["job_settings"]  # the fixture, shared with that module

NAMES = ("queued", "started", "succeeded", "failed", "retried", "dead_lettered")


def counts(actor: str) -> dict[str, float]:
    found = {name: sample(f"salesbot_jobs_{name}_total", actor=actor) for name in NAMES}
    found["timed"] = sample("salesbot_job_duration_seconds_count", actor=actor)
    return found


def change(actor: str, before: dict[str, float]) -> dict[str, float]:
    return {k: v - before[k] for k, v in counts(actor).items() if v != before[k]}


def test_a_job_that_succeeds_on_its_third_attempt(job_settings: Settings) -> None:
    before = counts("test.flaky")
    runtime = _start(job_settings)
    try:
        runtime.send("test.flaky", new_id().hex, 2)
        runtime.join("test")
    finally:
        runtime.close()
    assert change("test.flaky", before) == {
        "queued": 1,
        "started": 3,
        "failed": 2,
        "retried": 2,
        "succeeded": 1,
        "timed": 3,
    }


def test_a_job_that_runs_out_of_retries_is_dead_lettered_once(job_settings: Settings) -> None:
    before = counts("test.always_fails")
    runtime = _start(job_settings)
    try:
        runtime.send("test.always_fails", new_id().hex)  # max_retries=2
        runtime.join("test")
    finally:
        runtime.close()
    assert change("test.always_fails", before) == {
        "queued": 1,
        "started": 3,
        "failed": 3,
        "retried": 2,
        "dead_lettered": 1,
        "timed": 3,
    }
