"""Health endpoints: a bare liveness answer and a readiness probe without internals."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from salesbot import __version__
from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.ops import service

router = APIRouter(tags=["health"])


class HealthStatus(BaseModel):
    status: Literal["ok", "unavailable"]


@router.get("/health", response_model=HealthStatus)
async def health() -> HealthStatus:
    """Liveness: the process answers."""
    return HealthStatus(status="ok")


@router.get(
    "/health/ready",
    response_model=HealthStatus,
    responses={503: {"model": HealthStatus, "description": "A dependency is down"}},
)
async def ready(request: Request) -> JSONResponse:
    """Readiness: the database (and Redis when configured) answer."""
    report = await service.check_components(request.app.state.db, request.app.state.redis)
    ok = all(report.values())
    body = HealthStatus(status="ok" if ok else "unavailable").model_dump()
    return JSONResponse(body, status_code=200 if ok else 503)


class HealthDetails(BaseModel):
    status: Literal["ok", "unavailable"]
    version: str
    environment: str
    components: dict[str, Literal["ok", "unavailable", "not configured"]]
    rate_limit_storage: Literal["redis", "memory"]


@router.get("/health/details", response_model=HealthDetails, responses=AUTH_RESPONSES)
async def details(
    request: Request, principal: Annotated[Principal, Depends(require("health:details"))]
) -> HealthDetails:
    """Admin only: each component's status."""
    report = await service.check_components(request.app.state.db, request.app.state.redis)
    components: dict[str, Literal["ok", "unavailable", "not configured"]] = {
        name: "ok" if ok else "unavailable" for name, ok in report.items()
    }
    components.setdefault("redis", "not configured")
    return HealthDetails(
        status="ok" if all(report.values()) else "unavailable",
        version=__version__,
        environment=request.app.state.settings.environment.value,
        components=components,
        rate_limit_storage="redis" if request.app.state.ratelimiter.using_redis else "memory",
    )
