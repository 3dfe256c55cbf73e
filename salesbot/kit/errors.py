"""Application errors and the handlers that render every error as the standard body."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import asyncpg.exceptions
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from salesbot.kit.db import DB_POOL_TIMEOUTS
from salesbot.kit.logging import get_logger
from salesbot.kit.request_context import current_request_id

log = get_logger(__name__)


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["Conversation not found"])
    details: Any = None


class ErrorBody(BaseModel):
    """Every error the API returns has this shape."""

    error: ErrorDetail


class AppError(Exception):
    """An error written for the user; subclasses set their HTTP status and stable code.

    `class NotFound(AppError, status=404, code="not_found")` declares one in a line.
    """

    status_code = 400
    code = "bad_request"

    def __init_subclass__(
        cls, *, status: int | None = None, code: str | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status_code = status
        if code is not None:
            cls.code = code

    def __init__(
        self,
        message: str,
        *,
        details: Any = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers or {}
        if code is not None:
            self.code = code


class ValidationFailed(AppError, status=422, code="validation_failed"):
    """The input breaks a rule."""


class Unauthorized(AppError, status=401, code="unauthorized"):
    """Not signed in, or the credentials are not valid."""


class Forbidden(AppError, status=403, code="forbidden"):
    """Signed in, but not allowed."""


class NotFound(AppError, status=404, code="not_found"):
    """No such thing, or not visible to the caller."""


class Conflict(AppError, status=409, code="conflict"):
    """The request clashes with the current state."""


class PayloadTooLarge(AppError, status=413, code="payload_too_large"):
    """The body or a file is over its limit."""


class RateLimited(AppError, status=429, code="rate_limited"):
    """Too many requests; Retry-After says when to come back."""


class ServiceUnavailable(AppError, status=503, code="service_unavailable"):
    """A dependency is down or the service is busy."""


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


# Documented on every operation so clients (and schemathesis) know the error shape.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed request (e.g. invalid JSON)"},
    413: {"model": ErrorBody, "description": "Request body too large"},
    422: {"model": ErrorBody, "description": "Validation failed"},
    429: {"model": ErrorBody, "description": "Too many requests"},
    500: {"model": ErrorBody, "description": "Unexpected error (with a request id)"},
    503: {"model": ErrorBody, "description": "Temporarily unavailable"},
}

# The 404 answer of a route that looks something up by id.
NOT_FOUND_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Not found"}
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
_HTTP_MESSAGES = {
    404: "Not found",
    405: "Method not allowed",
    415: "Unsupported media type",
}


# What a lost or refused database connection looks like, at the socket or from the server
# (class 08 "connection exception", the server starting up or shutting down, too many clients).
_CONNECTION_FAILURES: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted
    TimeoutError,  # connect timeout
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
)
DB_RETRY_AFTER_S = "5"


def dependency_unreachable(exc: BaseException) -> bool:
    """The database (or another service) could not be reached or dropped the connection.

    A bad query, a constraint violation or a missing file is not this: those stay 500s.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, _CONNECTION_FAILURES):
            return True
        if isinstance(current, DBAPIError):
            if current.connection_invalidated:
                return True
            orig = current.orig
            pending.append(orig if isinstance(orig, BaseException) else None)
        pending += [current.__cause__, current.__context__]
    return False


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "request"


def _allowed(err: Mapping[str, Any]) -> list[str] | None:
    """The accepted values of a fixed set (an enum or literal field), from pydantic's context."""
    if err.get("type") not in ("enum", "literal_error"):
        return None
    expected = str((err.get("ctx") or {}).get("expected", ""))
    values = re.findall(r"'((?:[^'\\]|\\.)*)'", expected)
    return values or None


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Pydantic's errors carry the offending input; we never echo it back.
    details: list[dict[str, Any]] = []
    for err in exc.errors()[:50]:
        entry: dict[str, Any] = {
            "field": _field_name(tuple(err.get("loc", ()))),
            "message": str(err.get("msg", "invalid")),
        }
        if (allowed := _allowed(err)) is not None:
            entry["allowed"] = allowed
        details.append(entry)
    return details


RefusalHook = Callable[[Request, AppError], Awaitable[None]]


def install_error_handlers(app: FastAPI, on_refusal: RefusalHook | None = None) -> None:
    """`on_refusal` sees every 403 and 429 (e.g. to audit them); its own errors are logged."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        if on_refusal is not None and exc.status_code in (403, 429):
            try:
                await on_refusal(request, exc)
            except Exception as hook_error:  # the refusal stands even if recording it fails
                log.warning("refusal_hook_failed", error_type=type(hook_error).__name__)
        return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(err.get("type") == "json_invalid" for err in errors):
            return error_response(400, "malformed_json", "The request body is not valid JSON.")
        details = _validation_details(exc)
        first = details[0] if details else {"field": "request", "message": "invalid"}
        message = f"Please check {first['field']}: {first['message']}"
        return error_response(422, "validation_failed", message, details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = _HTTP_MESSAGES.get(exc.status_code) or (
            exc.detail if isinstance(exc.detail, str) else "Request failed"
        )
        return error_response(exc.status_code, code, message, None, dict(exc.headers or {}))

    _install_outage_handlers(app)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = current_request_id()
        log.exception("unhandled_error", error_type=type(exc).__name__)
        return error_response(
            500,
            "internal_error",
            "Something went wrong on our side. Please try again; if it keeps happening, "
            f"contact support with request id {request_id}.",
            {"request_id": request_id},
        )


def _install_outage_handlers(app: FastAPI) -> None:
    """A full pool or an unreachable database answers 503 with Retry-After, never 500."""

    @app.exception_handler(PoolTimeout)
    async def _pool(request: Request, exc: PoolTimeout) -> JSONResponse:
        DB_POOL_TIMEOUTS.inc()
        log.warning("db_pool_exhausted")
        return error_response(
            503,
            "service_unavailable",
            "The service is busy right now. Please try again in a moment.",
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(DBAPIError)
    @app.exception_handler(OSError)
    @app.exception_handler(asyncpg.exceptions.PostgresError)
    @app.exception_handler(asyncpg.exceptions.InterfaceError)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        if not dependency_unreachable(exc):
            raise exc  # a real bug: the 500 path
        log.warning("dependency_unreachable", error_type=type(exc).__name__)
        return error_response(
            503,
            "service_unavailable",
            "The service is temporarily unavailable. Please try again in a moment.",
            headers={"Retry-After": DB_RETRY_AFTER_S},
        )
