"""`GET /metrics` for Prometheus, and the gauges computed at scrape time.

The endpoint speaks the Prometheus text format, not JSON, so it stays out of the OpenAPI
document. Access: `Authorization: Bearer $SALESBOT_METRICS_TOKEN`, or, with no token set, only
direct loopback requests (`kit.metrics.metrics_refusal`).

Computed per scrape: whether the database and Redis answer (`salesbot_component_up`, for the
"unreachable" alerts), and, from the database on a short cache, daily and monthly active users.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import anyio
from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from salesbot.kit.db import Database, utcnow
from salesbot.kit.errors import error_response
from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import (
    CONTENT_TYPE,
    HttpMetricsMiddleware,
    exposition,
    is_forwarded,
    metrics_refusal,
)
from salesbot.ops import service
from salesbot.users import service as users

log = get_logger(__name__)
router = APIRouter(tags=["health"])

# A component that does not answer within this long counts as down (a scrape times out at 10 s).
COMPONENT_TIMEOUT_S = 3.0


class _Fixed(Collector):
    """Already-computed metric families, exposed once."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


class ActiveUsers:
    """DAU and MAU from the database, recomputed at most every `ttl_s` seconds."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self.value: tuple[int, int] | None = None
        self._at = 0.0
        self._lock = anyio.Lock()

    async def get(self, db: Database) -> tuple[int, int] | None:
        async with self._lock:
            if self.value is None or self.clock() - self._at >= self.ttl_s:
                try:
                    with anyio.fail_after(COMPONENT_TIMEOUT_S):
                        async with db.sessions() as session:
                            self.value = await users.active_users(session, utcnow())
                    self._at = self.clock()
                except Exception as exc:  # the scrape still answers; the gauge goes stale
                    log.warning("active_users_unavailable", error_type=type(exc).__name__)
            return self.value

    def family(self, value: tuple[int, int]) -> Metric:
        family = GaugeMetricFamily(
            "salesbot_active_users", "Distinct users seen in the window", labels=["window"]
        )
        family.add_metric(["1d"], value[0])
        family.add_metric(["30d"], value[1])
        return family


async def _components(request: Request) -> Metric:
    family = GaugeMetricFamily(
        "salesbot_component_up", "Whether a dependency answers (1) or not (0)", labels=["component"]
    )
    try:
        with anyio.fail_after(COMPONENT_TIMEOUT_S):
            report = await service.check_components(request.app.state.db, request.app.state.redis)
    except TimeoutError:
        report = {"database": False}
        if request.app.state.redis.configured:
            report["redis"] = False
    for name, ok in sorted(report.items()):
        family.add_metric([name], 1.0 if ok else 0.0)
    return family


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text format: this process, or every process sharing the multiprocess dir."""
    settings = request.app.state.settings
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    refusal = metrics_refusal(
        token,
        request.headers.get("authorization"),
        request.client.host if request.client else None,
        is_forwarded(request.headers.keys()),
    )
    if refusal is not None:
        status, code, message = refusal
        challenge = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return error_response(status, code, message, headers=challenge)
    families = [await _components(request)]
    active = await request.app.state.active_users.get(request.app.state.db)
    if active is not None:
        families.append(request.app.state.active_users.family(active))
    body = await anyio.to_thread.run_sync(exposition, [_Fixed(families)])
    return Response(body, media_type=CONTENT_TYPE)


def install_metrics(app: FastAPI) -> None:
    """The request metrics (outermost middleware) and `GET /metrics`."""
    app.state.active_users = ActiveUsers(app.state.settings.metrics_cache_s)
    app.include_router(router)
    app.add_middleware(HttpMetricsMiddleware)
