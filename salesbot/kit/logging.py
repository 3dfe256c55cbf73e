"""Structured logging: JSON lines in production, readable console otherwise, secrets redacted."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

REDACTED = "[redacted]"
_SECRET_KEY_NAMES = re.compile(
    r"pass(word)?|secret|token|authori[sz]ation|api[_-]?key|cookie|credential|private[_-]?key|dsn",
    re.IGNORECASE,
)
_URL_WITH_CREDENTIALS = re.compile(r"\b([a-z][a-z0-9+.-]*://)[^/\s:@]+(:[^/\s@]*)?@", re.IGNORECASE)
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+")
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


def configure_logging(
    *, json: bool, level: str = "INFO", internal_urls: Iterable[str] = ()
) -> None:
    """Route structlog and the standard library (uvicorn, dramatiq) through one pipeline."""
    redactor = Redactor(internal_urls)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info if json else structlog.processors.StackInfoRenderer(),
        redactor,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's access log duplicates our request log line.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error", "dramatiq"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
