"""Jobs: retries with exponential backoff, dead-lettering and context propagation."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dramatiq
import pytest

from salesbot.jobs import runtime as jobs
from salesbot.kit.ids import new_id
from salesbot.kit.logging import configure_logging, flush_logs, get_logger
from salesbot.kit.request_context import set_request_id, set_user_id
from salesbot.settings import Settings
from tests.conftest import REDIS_URL, Stack, _flush_redis, make_settings, require_service

attempts: dict[str, int] = {}
seen_request_ids: list[str | None] = []
lock = threading.Lock()


@jobs.job("test.flaky", queue="test")
def flaky(key: str, fail_times: int) -> None:
    with lock:
        attempts[key] = attempts.get(key, 0) + 1
        count = attempts[key]
    if count <= fail_times:
        raise RuntimeError("transient failure")


@jobs.job("test.always_fails", queue="test", max_retries=2)
def always_fails(key: str) -> None:
    with lock:
        attempts[key] = attempts.get(key, 0) + 1
    raise RuntimeError("permanent failure")


@jobs.job("test.async_job", queue="test")
async def async_job(key: str) -> None:
    from dramatiq.middleware import CurrentMessage

    message = CurrentMessage.get_current_message()
    with lock:
        attempts[key] = attempts.get(key, 0) + 1
        seen_request_ids.append(message.options.get("request_id") if message else None)


@jobs.job("test.returns_a_value", queue="test")
def returns_a_value(key: str) -> str:
    with lock:
        attempts[key] = attempts.get(key, 0) + 1
    return f"made {key}"


@jobs.job("test.async_returns_a_value", queue="test")
async def async_returns_a_value(key: str) -> str:
    with lock:
        attempts[key] = attempts.get(key, 0) + 1
    return f"made {key}"


class DelayRecorder(dramatiq.Middleware):
    """Records the backoff delay the Retries middleware chose for each re-enqueue."""

    def __init__(self) -> None:
        self.delays: list[int] = []

    def before_enqueue(self, broker: dramatiq.Broker, message: Any, delay: int | None) -> None:
        if delay:
            self.delays.append(delay)


@pytest.fixture(params=["memory", "redis"])
def job_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    redis_url = None
    if request.param == "redis":
        require_service("Redis", REDIS_URL, 6379)
        _flush_redis()
        redis_url = REDIS_URL
    stack = Stack(request.param, "sqlite+aiosqlite:///unused.db", redis_url)
    yield make_settings(stack, tmp_path, job_min_backoff_ms=20, job_max_backoff_ms=5_000)
    if redis_url:
        _flush_redis()


def _start(settings: Settings, recorder: DelayRecorder | None = None) -> jobs.JobRuntime:
    return jobs.start_jobs(
        settings,
        in_process_worker=True,
        namespace="salesbot-test",
        extra_middleware=[recorder] if recorder else None,
    )


def test_transient_failure_is_retried_until_success(job_settings: Settings) -> None:
    key = new_id().hex
    runtime = _start(job_settings)
    try:
        runtime.send("test.flaky", key, 2)
        runtime.join("test")
    finally:
        runtime.close()
    assert attempts[key] == 3
    assert runtime.dead_letters("test") == []


def test_backoff_grows_exponentially(job_settings: Settings) -> None:
    key = new_id().hex
    recorder = DelayRecorder()
    runtime = _start(job_settings, recorder)
    try:
        runtime.send("test.flaky", key, 3)
        runtime.join("test")
    finally:
        runtime.close()
    assert len(recorder.delays) == 3
    # Dramatiq's jittered exponential backoff: retry n waits within [min·2^n, 2·min·2^n).
    for n, delay in enumerate(recorder.delays):
        assert 20 * 2**n <= delay < 2 * 20 * 2**n
    assert recorder.delays == sorted(recorder.delays)


def _dead_letters_after(settings: Settings, job_name: str, key: str) -> list[dict[str, Any]]:
    """Run one job to its end, retries included; the queue's dead letters then."""
    runtime = _start(settings)
    try:
        runtime.send(job_name, key)
        runtime.join("test")
        return runtime.dead_letters("test")
    finally:
        runtime.close()


def test_exhausted_retries_go_to_dead_letter_queue(job_settings: Settings) -> None:
    key = new_id().hex
    dead = _dead_letters_after(job_settings, "test.always_fails", key)
    assert attempts[key] == 3  # first run + max_retries=2
    assert [m["actor_name"] for m in dead] == ["test.always_fails"]
    assert list(dead[0]["args"]) == [key]


def test_async_job_runs_and_carries_request_id(job_settings: Settings) -> None:
    key = new_id().hex
    runtime = _start(job_settings)
    set_request_id("req-from-http")
    try:
        runtime.send("test.async_job", key)
        runtime.join("test")
    finally:
        set_request_id(None)
        runtime.close()
    assert attempts[key] == 1
    assert seen_request_ids[-1] == "req-from-http"


def _loop_threads() -> list[threading.Thread]:
    from dramatiq.asyncio import EventLoopThread

    return [t for t in threading.enumerate() if isinstance(t, EventLoopThread) and t.is_alive()]


@pytest.mark.parametrize("close_order", ["first_started_first", "last_started_first"])
def test_two_runtimes_in_one_process_each_stop_their_own_loop(
    tmp_path: Path, close_order: str
) -> None:
    # An app and a second app (or a CLI command) in one process: Dramatiq's own middleware keeps
    # one global loop thread, so closing in start order left a thread running and the process hung.
    settings = make_settings(Stack("memory", "sqlite+aiosqlite:///unused.db", None), tmp_path)
    before = set(_loop_threads())
    first, second = _start(settings), _start(settings)
    started = [t for t in _loop_threads() if t not in before]
    assert len(started) == 2
    for runtime in [first, second] if close_order == "first_started_first" else [second, first]:
        runtime.close()
    assert [t for t in _loop_threads() if t not in before] == []


@jobs.job("test.logs_a_line", queue="test")
async def logs_a_line(key: str) -> None:
    get_logger("test.job").info("job_line", key=key)


def _log_lines(output: io.StringIO) -> list[dict[str, Any]]:
    flush_logs()
    return [json.loads(line) for line in output.getvalue().splitlines()]


def test_job_lines_carry_the_enqueuing_request_and_user(job_settings: Settings) -> None:
    output = io.StringIO()
    configure_logging(json=True, stream=output)
    key = new_id().hex
    runtime = _start(job_settings)
    set_request_id("req-of-the-job")
    set_user_id("user-of-the-job")
    try:
        runtime.send("test.logs_a_line", key)
    finally:
        set_request_id(None)
        set_user_id(None)
    try:
        runtime.join("test")
    finally:
        runtime.close()
    lines = [line for line in _log_lines(output) if line.get("job") == "test.logs_a_line"]
    assert [line["event"] for line in lines] == ["job_started", "job_line", "job_succeeded"]
    for line in lines:
        assert line["request_id"] == "req-of-the-job" and line["user_id"] == "user-of-the-job"


def test_a_dead_letter_logs_one_line_for_the_operator(job_settings: Settings) -> None:
    output = io.StringIO()
    configure_logging(json=True, stream=output)
    key = "argument-" + new_id().hex
    runtime = _start(job_settings)
    set_request_id("req-dead")
    set_user_id("user-dead")
    try:
        message_id = runtime.send("test.always_fails", key)
    finally:
        set_request_id(None)
        set_user_id(None)
    try:
        runtime.join("test")
    finally:
        runtime.close()
    lines = _log_lines(output)
    dead = [line for line in lines if line["event"] == "job_dead_lettered"]
    assert len(dead) == 1
    line = dead[0]
    assert line["level"] == "error"
    assert line["job"] == "test.always_fails" and line["queue"] == "test"
    assert line["message_id"] == message_id
    assert line["attempts"] == 3 and line["error_type"] == "RuntimeError"
    assert line["request_id"] == "req-dead" and line["user_id"] == "user-dead"
    expected_queue = "salesbot-test:test.XQ" if runtime.uses_redis else "memory:test"
    assert line["dead_letter_queue"] == expected_queue
    assert key not in json.dumps(line)  # the job's arguments stay out of the logs


async def test_a_job_that_returns_a_value_runs_without_a_warning(job_settings: Settings) -> None:
    """Dramatiq warns on every returned value it has no results store for; a job's value is for
    callers of the function itself, so the worker's copy of the job returns nothing."""
    output = io.StringIO()
    configure_logging(json=True, stream=output)
    keys = [new_id().hex, new_id().hex]
    runtime = _start(job_settings)
    try:
        runtime.send("test.returns_a_value", keys[0])
        runtime.send("test.async_returns_a_value", keys[1])
        runtime.join("test")
    finally:
        runtime.close()
    assert [attempts[key] for key in keys] == [1, 1]
    lines = _log_lines(output)
    succeeded = [line["job"] for line in lines if line["event"] == "job_succeeded"]
    assert sorted(succeeded) == ["test.async_returns_a_value", "test.returns_a_value"]
    assert [line for line in lines if line["level"] in {"warning", "error"}] == []
    # Called directly, the functions still give their value.
    assert returns_a_value("direct") == "made direct"
    assert await async_returns_a_value("direct") == "made direct"


overrun_outcomes: dict[str, tuple[str, float]] = {}


@jobs.job("test.overruns", queue="test", max_retries=0, time_limit_ms=1_000)
def overruns(key: str) -> None:
    """Twenty seconds of work in short steps, unless something stops it."""
    started = time.monotonic()
    try:
        while time.monotonic() - started < 20:
            time.sleep(0.02)
    except BaseException as exc:
        overrun_outcomes[key] = (type(exc).__name__, time.monotonic() - started)
        raise
    overrun_outcomes[key] = ("ran to the end", time.monotonic() - started)


def test_a_job_past_its_time_limit_is_stopped_and_dead_lettered(job_settings: Settings) -> None:
    key = new_id().hex
    dead = _dead_letters_after(job_settings, "test.overruns", key)
    outcome, seconds = overrun_outcomes[key]
    assert outcome == "TimeLimitExceeded"
    # The limit is 1 s and the watcher looks once a second.
    assert 1.0 <= seconds < 10
    assert [m["actor_name"] for m in dead] == ["test.overruns"]
