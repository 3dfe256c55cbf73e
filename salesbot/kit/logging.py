"""Structured logging: JSON lines in production, readable console otherwise, secrets redacted."""

from __future__ import annotations

import atexit
import logging
import logging.handlers
import os
import re
import sys
from collections.abc import Iterable, MutableMapping
from queue import SimpleQueue
from typing import Any, TextIO

import structlog

from salesbot.kit import tracing
from salesbot.kit.request_context import current_request_id, current_user_id

REDACTED = "[redacted]"
_SECRET_KEY_NAMES = re.compile(
    r"pass(word)?|secret|token|authori[sz]ation|api[_-]?key|cookie|credential|private[_-]?key|dsn",
    re.IGNORECASE,
)
_URL_WITH_CREDENTIALS = re.compile(r"\b([a-z][a-z0-9+.-]*://)[^/\s:@]+(:[^/\s@]*)?@", re.IGNORECASE)
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+")
# Provider API keys (OpenAI `sk-…`, and the same shape elsewhere), even half-masked in an error.
_API_KEY = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9*_-]{8,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")


class Redactor:
    """structlog processor: drops secrets by key name and scrubs secrets/internal URLs in text."""

    def __init__(self, internal_urls: Iterable[str] = ()) -> None:
        self._internal = sorted({u.rstrip("/") for u in internal_urls if u}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for url in self._internal:
            text = text.replace(url, "[internal-url]")
        text = _URL_WITH_CREDENTIALS.sub(r"\1***@", text)
        text = _BEARER.sub("Bearer " + REDACTED, text)
        text = _API_KEY.sub(REDACTED, text)
        return _JWT.sub(REDACTED, text)

    def _clean(self, value: Any, depth: int = 0) -> Any:
        if depth > 4:
            return value
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {
                k: REDACTED
                if isinstance(k, str) and _SECRET_KEY_NAMES.search(k)
                else self._clean(v, depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self._clean(v, depth + 1) for v in value]
        return value

    def __call__(
        self, logger: Any, method: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key in list(event_dict):
            if _SECRET_KEY_NAMES.search(key):
                event_dict[key] = REDACTED
            else:
                event_dict[key] = self._clean(event_dict[key])
        return event_dict


def add_request_context(
    logger: Any, method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the request id and user id of the request or job being served.

    Read from `request_context` at log time, so lines logged after authentication carry the
    user id too (the request middleware binds only the request id before it is known).
    """
    request_id = current_request_id()
    if request_id is not None:
        event_dict.setdefault("request_id", request_id)
    user_id = current_user_id()
    if user_id is not None:
        event_dict.setdefault("user_id", user_id)
    return event_dict


def _resolve_exc_info(
    logger: Any, method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Turn `exc_info=True` into the exception itself while still in the logging thread.

    Rendering happens on the writer thread, where `sys.exc_info()` knows nothing of it.
    """
    exc_info = event_dict.get("exc_info")
    if isinstance(exc_info, BaseException):
        event_dict["exc_info"] = (type(exc_info), exc_info, exc_info.__traceback__)
    elif exc_info and not isinstance(exc_info, tuple):
        current = sys.exc_info()
        if current[0] is None:
            del event_dict["exc_info"]
        else:
            event_dict["exc_info"] = current
    return event_dict


# What only the logging thread knows: context variables (request, user, job, trace) and the stack.
_CONTEXT: list[Any] = [
    structlog.contextvars.merge_contextvars,
    add_request_context,
    tracing.add_trace_ids,
]


def _captured_context(
    logger: Any, method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Standard-library records: the context captured by `_Enqueue` in the logging thread."""
    record = event_dict.get("_record")
    for key, value in getattr(record, "salesbot_context", {}).items():
        event_dict.setdefault(key, value)
    return event_dict


class _Enqueue(logging.handlers.QueueHandler):
    """Hands records to the writer thread untouched: no formatting in the thread that logs.

    (The standard `prepare` renders the message and traceback here; ours only captures the
    context variables of standard-library records, which the writer thread cannot see.)
    """

    def emit(self, record: logging.LogRecord) -> None:
        super().emit(record)
        # The server's own lifecycle lines (startup, "Application shutdown complete.") are the
        # last a process writes before uvicorn re-raises SIGTERM, which skips atexit: write
        # them out now. They are a handful per process, so the drain costs nothing that counts.
        if record.name == "uvicorn.error" and "shutdown" in record.getMessage().lower():
            flush_logs()

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        if not getattr(record, "_from_structlog", False):
            context: MutableMapping[str, Any] = {}
            for processor in _CONTEXT:
                context = processor(None, "", context)
            record.salesbot_context = dict(context)
        return record


_listener: logging.handlers.QueueListener | None = None
_target: logging.Handler | None = None


def _stop_listener() -> None:
    """Write out what is queued and stop the writer thread."""
    global _listener
    listener, _listener = _listener, None
    if listener is not None:
        listener.stop()


def _start_listener(target: logging.Handler) -> _Enqueue:
    global _listener, _target
    _stop_listener()
    queue: SimpleQueue[logging.LogRecord] = SimpleQueue()
    _listener = logging.handlers.QueueListener(queue, target)
    _listener.start()
    _target = target
    return _Enqueue(queue)


def _restart_in_child() -> None:
    # A forked child has the queue but not the writer thread: give it its own.
    global _listener
    if _listener is None or _target is None:
        return
    _listener = None
    logging.getLogger().handlers[:] = [_start_listener(_target)]


os.register_at_fork(after_in_child=_restart_in_child)
atexit.register(_stop_listener)


def _writer_formatter(
    *, json: bool, internal_urls: Iterable[str], stream: TextIO
) -> structlog.stdlib.ProcessorFormatter:
    """What the writer thread does to each record: finish, redact, render."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=stream.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            _captured_context,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Plain text (never local variables), before redaction so the text is scrubbed too.
            structlog.processors.format_exc_info,
            Redactor(internal_urls),
            renderer,
        ],
    )


def configure_logging(
    *,
    json: bool,
    level: str = "INFO",
    internal_urls: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Route structlog and the standard library (uvicorn, dramatiq) through one pipeline.

    The thread that logs only gathers the event and its context; rendering (JSON or console,
    tracebacks, redaction) and writing happen on one writer thread, so a slow or blocked
    stderr never stalls the event loop. Tracebacks are plain text, without local variables.
    """
    structlog.configure(
        processors=[
            *_CONTEXT,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.StackInfoRenderer(),
            _resolve_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    output = stream or sys.stderr
    target = logging.StreamHandler(output)
    target.setFormatter(_writer_formatter(json=json, internal_urls=internal_urls, stream=output))
    root = logging.getLogger()
    root.handlers[:] = [_start_listener(target)]
    root.setLevel(level)
    # uvicorn's access log duplicates our request log line.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error", "dramatiq"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def flush_logs() -> None:
    """Write out every line logged so far (tests; a command about to end the process)."""
    if _listener is not None:
        _listener.stop()  # drains the queue, then the writer starts again on the same queue
        _listener.start()


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
