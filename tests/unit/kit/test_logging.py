"""Log redaction: secrets by key name, credentials in URLs, tokens, configured internal URLs."""

from __future__ import annotations

import io
import json
import logging
import threading

import pytest

from salesbot.kit.logging import REDACTED, Redactor, configure_logging, flush_logs, get_logger
from salesbot.kit.request_context import set_request_id, set_user_id
from salesbot.settings import mask_url


def test_secret_keys_are_dropped() -> None:
    event = Redactor()(
        None, "info", {"event": "login", "password": "pw", "api_key": "k", "user": "u"}
    )
    assert event["password"] == REDACTED
    assert event["api_key"] == REDACTED
    assert event["user"] == "u"


def test_nested_values_and_text_are_scrubbed() -> None:
    redactor = Redactor(internal_urls=["http://10.1.2.3:9000"])
    event = redactor(
        None,
        "info",
        {
            "event": "call failed: postgresql://app:hunter2@db:5432/x via http://10.1.2.3:9000/v1",
            "headers": {"Authorization": "Bearer abc.def.ghi", "accept": "json"},
            "note": "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig here",
        },
    )
    assert "hunter2" not in event["event"]
    assert "10.1.2.3" not in event["event"]
    assert "[internal-url]" in event["event"]
    assert event["headers"]["Authorization"] == REDACTED
    assert "eyJ" not in event["note"]


def test_mask_url() -> None:
    assert mask_url("redis://:pw@cache:6379/0") == "redis://***@cache:6379/0"
    assert mask_url("sqlite+aiosqlite:///var/x.db") == "sqlite+aiosqlite:///var/x.db"


# --- the pipeline: context, plain tracebacks, rendering off the logging thread ------------------


def _failing_login() -> None:
    password = "hunter2-in-a-local-variable"  # noqa: F841 — what a traceback with locals shows
    raise ValueError("the login failed")


def _lines(output: io.StringIO) -> str:
    flush_logs()
    return output.getvalue()


@pytest.mark.parametrize("json_lines", [False, True], ids=["console", "json"])
def test_tracebacks_are_plain_and_never_show_local_variables(json_lines: bool) -> None:
    output = io.StringIO()
    configure_logging(json=json_lines, stream=output)
    try:
        _failing_login()
    except ValueError:
        get_logger("test").exception("login_crashed")
        logging.getLogger("uvicorn.error").exception("ASGI crash")  # a library's own logger
    text = _lines(output)
    assert text.count("Traceback (most recent call last)") == 2
    assert "in _failing_login" in text and "ValueError: the login failed" in text
    assert "hunter2" not in text


def test_context_reaches_structlog_and_library_lines() -> None:
    output = io.StringIO()
    configure_logging(json=True, stream=output)
    set_request_id("req-42")
    set_user_id("user-7")
    try:
        get_logger("test").info("ours")
        logging.getLogger("dramatiq").warning("theirs %s", "formatted")
    finally:
        set_request_id(None)
        set_user_id(None)
    get_logger("test").info("outside")
    ours, theirs, outside = (json.loads(line) for line in _lines(output).splitlines())
    for line in (ours, theirs):
        assert line["request_id"] == "req-42" and line["user_id"] == "user-7"
    assert theirs["event"] == "theirs formatted"
    assert "request_id" not in outside and "user_id" not in outside


class BlockedStream(io.StringIO):
    """A stderr that hangs (a full pipe, a stuck terminal) until the test opens it."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.writers: set[str] = set()

    def write(self, text: str) -> int:
        self.writers.add(threading.current_thread().name)
        self.entered.set()
        assert self.gate.wait(60), "the test never opened the stream"
        return super().write(text)


def test_a_blocked_stream_never_blocks_the_thread_that_logs() -> None:
    stream = BlockedStream()
    configure_logging(json=False, stream=stream)
    done = threading.Event()

    def serve() -> None:  # stands for the event loop's thread
        log = get_logger("test")
        log.info("first")
        assert stream.entered.wait(30), "the writer never started"
        try:
            _failing_login()
        except ValueError:
            log.exception("second")  # a traceback to render, while the writer is stuck
        done.set()

    thread = threading.Thread(target=serve, name="event-loop")
    thread.start()
    try:
        assert done.wait(30), "logging blocked the thread that logged"
        assert not stream.gate.is_set()  # ...while the stream was still stuck
    finally:
        stream.gate.set()
        thread.join()
    text = _lines(stream)
    assert "first" in text and "second" in text and "ValueError" in text
    assert "event-loop" not in stream.writers  # rendered and written by the writer thread


def test_provider_api_keys_are_scrubbed_from_text() -> None:
    text = Redactor().scrub("401: Incorrect API key provided: sk-proj-abcd1234efgh5678.")
    assert "abcd1234" not in text and REDACTED in text
