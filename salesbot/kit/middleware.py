"""Pure-ASGI middleware: request context and logging, body size limit, security headers."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import structlog
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from salesbot.kit.client_ip import Network, client_ip
from salesbot.kit.logging import get_logger
from salesbot.kit.request_context import (
    accept_request_id,
    current_user_id,
    request_origin,
    set_client_ip,
    set_origin,
    set_request_id,
    set_user_id,
)

log = get_logger("salesbot.request")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _error_bytes(code: str, message: str, details: Any = None) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "details": details}}).encode()


async def _send_error(
    send: Send, status: int, body: bytes, extra: Iterable[tuple[bytes, bytes]]
) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": [*headers, *extra]})
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Assigns the request id and client IP, logs one line per request, turns crashes into 500.

    `trusted_networks` is read per request, so the proxies the app trusts have one home.
    """

    def __init__(
        self, app: ASGIApp, *, trusted_networks: Callable[[], Sequence[Network]] = list
    ) -> None:
        self.app = app
        self.trusted_networks = trusted_networks

    def _client_ip(self, scope: Scope) -> str:
        peer = scope.get("client")
        forwarded = _header(scope, b"x-forwarded-for")
        return client_ip(peer[0] if peer else None, forwarded, self.trusted_networks())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accept_request_id(_header(scope, b"x-request-id"))
        set_request_id(request_id)
        set_user_id(None)
        set_client_ip(self._client_ip(scope))
        set_origin(request_origin(scope.get("scheme", "http"), _header(scope, b"host")))
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        rid_header = (b"x-request-id", request_id.encode())

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [*message.get("headers", []), rid_header]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            log.exception("unhandled_error", error_type=type(exc).__name__)
            if not response_started:
                status = 500
                body = _error_bytes(
                    "internal_error",
                    "Something went wrong on our side. Please try again; if it keeps happening, "
                    f"contact support with request id {request_id}.",
                    {"request_id": request_id},
                )
                await _send_error(send, 500, body, [rid_header])
        finally:
            route = scope.get("route")
            log.info(
                "request",
                method=scope.get("method"),
                route=getattr(route, "path", None) or "unmatched",
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                user_id=current_user_id(),
            )
            structlog.contextvars.clear_contextvars()


class BodySizeLimitMiddleware:
    """Refuses non-upload bodies over the limit with 413; uploads are streamed and capped apart."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> bytes:
        limit_mb = self.max_bytes // (1024 * 1024)
        return _error_bytes(
            "payload_too_large", f"The request body is too large (limit {limit_mb} MB)."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        content_type = (_header(scope, b"content-type") or "").lower()
        if content_type.startswith("multipart/form-data"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _send_error(send, 413, self._too_large(), [])
            return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    raise _BodyTooLarge
            return message

        replaced = False

        async def guarded_send(message: Message) -> None:
            # Frameworks turn a failed body read into their own 400; answer 413 instead.
            nonlocal replaced
            if refused:
                if not replaced:
                    replaced = True
                    await _send_error(send, 413, self._too_large(), [])
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not replaced:
                await _send_error(send, 413, self._too_large(), [])


class _BodyTooLarge(Exception):
    pass


class SecurityHeadersMiddleware:
    """Strict CSP (no inline script or eval) and the standard hardening headers."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", self.CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        if hsts:
            self.headers.append(
                (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in existing]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_wrapper)


class UndeclaredMethodMiddleware:
    """405 with the full `Allow` for a method the API's schema does not declare for a path.

    Starlette alone gets two cases wrong: `GET /api/proposals/preview` (POST only) is routed to
    the sibling `GET /api/proposals/{proposal_id}` and answered 422 about an id, and a path
    served by several routes (GET and DELETE `/api/files/{file_id}`) lists only the first
    route's methods in `Allow`. `declared` maps each schema path (templates included) to its
    methods; it is read on the first request. Preflights are answered by CORS, outside this.
    """

    def __init__(self, app: ASGIApp, *, declared: Callable[[], dict[str, frozenset[str]]]) -> None:
        self.app = app
        self._declared = declared
        self._literal: dict[str, frozenset[str]] | None = None
        # Templates by their first two segments (`/api/conversations`), so a request is matched
        # against its few neighbours, not every template; those with a parameter there in `_any`.
        self._templates: dict[str, list[tuple[re.Pattern[str], frozenset[str]]]] = {}
        self._any: list[tuple[re.Pattern[str], frozenset[str]]] = []

    def _load(self) -> dict[str, frozenset[str]]:
        declared = self._declared()
        for path, methods in declared.items():
            if "{" not in path:
                continue
            pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
            prefix = _prefix(path)
            bucket = self._any if "{" in prefix else self._templates.setdefault(prefix, [])
            bucket.append((pattern, methods))
        return {p: m for p, m in declared.items() if "{" not in p}

    def _methods(self, path: str) -> frozenset[str] | None:
        if self._literal is None:
            self._literal = self._load()
        if path in self._literal:
            return self._literal[path]
        candidates = [*self._templates.get(_prefix(path), ()), *self._any]
        found = [methods for pattern, methods in candidates if pattern.match(path)]
        return frozenset().union(*found) if found else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        methods = self._methods(scope["path"])
        if methods is None or scope["method"] in methods:
            await self.app(scope, receive, send)
            return
        body = _error_bytes("method_not_allowed", "Method not allowed")
        allow = ", ".join(sorted(methods)).encode()
        await _send_error(send, 405, body, [(b"allow", allow)])


def _prefix(path: str) -> str:
    return "/".join(path.split("/", 3)[:3])


_VERBS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH"})


def routed_methods(routes: Iterable[BaseRoute]) -> dict[str, frozenset[str]]:
    """Each path of the API's schema with the HTTP methods it declares, read from the routes the
    schema is made of (those it includes) without generating it: that costs about a second."""
    found: dict[str, set[str]] = {}
    for route in iter_route_contexts(list(routes)):
        if isinstance(route.original_route, APIRoute) and route.include_in_schema:
            found.setdefault(route.path_format or "", set()).update(
                (route.methods or set()) & _VERBS
            )
    return {path: frozenset(methods) for path, methods in found.items()}
