"""Refusals in the audit log: every 403 and 429, at most one entry per client, user, route and
kind a minute (so a flood of refusals cannot flood the log)."""

from __future__ import annotations

from fastapi import Request

from salesbot.auth.service import Principal
from salesbot.kit.db import Database
from salesbot.kit.errors import AppError
from salesbot.kit.ratelimit import RateLimiter
from salesbot.kit.request_context import current_client_ip
from salesbot.users import audit

AUDIT_REFUSALS_LIMIT = "1/minute"


async def record_refusal(request: Request, exc: AppError) -> None:
    principal: Principal | None = getattr(request.state, "principal", None)
    login_email: str | None = getattr(request.state, "login_email", None)
    route = request.scope.get("route")
    path = getattr(route, "path", None) or request.url.path[:200]
    who = str(principal.user_id) if principal else (login_email or "-")
    limiter: RateLimiter = request.app.state.ratelimiter
    key = f"{exc.status_code}:{current_client_ip() or '-'}:{who}:{request.method}:{path}"
    if await limiter.spent("audit_refusal", AUDIT_REFUSALS_LIMIT, key) is not None:
        return
    await limiter.count("audit_refusal", AUDIT_REFUSALS_LIMIT, key)
    details: dict[str, object] = {"code": exc.code, "method": request.method, "path": path}
    if login_email and principal is None:
        details["email"] = login_email
    database: Database = request.app.state.db
    async with database.sessions() as session:
        audit.record(
            session,
            principal,
            "rate_limited" if exc.status_code == 429 else "forbidden",
            details=details,
        )
        await session.commit()
