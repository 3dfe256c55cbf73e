"""Per-request context (request id, user id, client IP) carried through logs, audit and jobs."""

from __future__ import annotations

import re
from contextvars import ContextVar

from salesbot.kit.ids import new_id

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_user_id: ContextVar[str | None] = ContextVar("user_id", default=None)
_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)

# A client-supplied id is accepted only when short and made of safe characters.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def accept_request_id(candidate: str | None) -> str:
    """The caller's id when well-formed, otherwise a fresh one (never echo hostile input)."""
    if candidate and _WELL_FORMED.fullmatch(candidate):
        return candidate
    return new_id().hex


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    _request_id.set(value)


def current_user_id() -> str | None:
    return _user_id.get()


def set_user_id(value: str | None) -> None:
    _user_id.set(value)


def current_client_ip() -> str | None:
    """The caller's IP as the request middleware resolved it (proxies honoured); None outside."""
    return _client_ip.get()


def set_client_ip(value: str | None) -> None:
    _client_ip.set(value)
