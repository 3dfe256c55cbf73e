"""Health endpoints: a bare liveness answer and a readiness probe without internals."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

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
