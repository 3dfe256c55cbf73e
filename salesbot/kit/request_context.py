"""Per-request context (request id, user id, client IP, origin) carried through logs, audit, jobs
and the links the app writes into e-mails and invitations."""

from __future__ import annotations

import re
from contextvars import ContextVar

from salesbot.kit.ids import new_id

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_user_id: ContextVar[str | None] = ContextVar("user_id", default=None)
_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
_origin: ContextVar[str | None] = ContextVar("origin", default=None)

# A client-supplied id is accepted only when short and made of safe characters.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
# A Host header is used for links only when it is a plain host name or address with a port.
_HOST = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$"
)


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


def request_origin(scheme: str, host: str | None) -> str | None:
    """`scheme://host` for a request, or None when the Host header is missing or malformed."""
    if scheme not in ("http", "https") or not host or not _HOST.fullmatch(host):
        return None
    return f"{scheme}://{host.lower()}"


def set_origin(value: str | None) -> None:
    _origin.set(value)


def public_base(configured: str | None) -> str | None:
    """Where links point: the configured public URL, else the current request's own origin.

    None outside a request when nothing is configured (a background job): callers then leave the
    link out rather than guess a host and port.
    """
    if configured:
        return configured.rstrip("/")
    return _origin.get()
