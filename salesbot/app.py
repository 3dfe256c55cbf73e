"""Application factory: `create_app(settings)` wires infrastructure in the lifespan."""

from __future__ import annotations

from salesbot.kit import heap

# Imported with the collector paused and the result frozen (kit/heap.py: ~a fifth of the import).
with heap.long_lived():
    import asyncio
    import functools
    import uuid
    from collections.abc import AsyncIterator, Callable, MutableMapping
    from contextlib import AbstractAsyncContextManager, asynccontextmanager
    from typing import TYPE_CHECKING, Any

    from fastapi import APIRouter, FastAPI
    from fastapi.middleware.cors import CORSMiddleware
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import configure_mappers
    from starlette.routing import BaseRoute

    from salesbot import __version__
    from salesbot.assistant.chat import Assistant
    from salesbot.assistant.endpoints import router as assistant_router
    from salesbot.auth.admin_endpoints import audit_router, invites_router, users_router
    from salesbot.auth.endpoints import dev_login_router, me_router
    from salesbot.auth.endpoints import router as auth_router
    from salesbot.auth.mfa_endpoints import me_router as mfa_me_router
    from salesbot.auth.mfa_endpoints import policy_router as mfa_policy_router
    from salesbot.auth.mfa_endpoints import router as mfa_router
    from salesbot.auth.refusals import record_refusal
    from salesbot.auth.revocation import SessionRevocations
    from salesbot.auth.supabase import JwksCache, SupabaseVerifier
    from salesbot.auth.tokens import create_access_token
    from salesbot.booking_orders.endpoints import router as booking_orders_router
    from salesbot.commercial.endpoints import router as commercial_router
    from salesbot.conversations import behind, hot
    from salesbot.conversations import repository as conversations_repository
    from salesbot.conversations.endpoints import router as conversations_router
    from salesbot.files.endpoints import router as files_router
    from salesbot.files.service import storage_from_settings
    from salesbot.inventory.endpoints import router as inventory_router
    from salesbot.jobs.runtime import start_jobs
    from salesbot.jobs.scheduler import Scheduler
    from salesbot.kit.client_ip import parse_networks
    from salesbot.kit.db import Database, make_engine, utcnow
    from salesbot.kit.errors import COMMON_RESPONSES, install_error_handlers
    from salesbot.kit.logging import configure_logging, get_logger
    from salesbot.kit.middleware import (
        BodySizeLimitMiddleware,
        RequestContextMiddleware,
        SecurityHeadersMiddleware,
        UndeclaredMethodMiddleware,
        routed_methods,
    )
    from salesbot.kit.ratelimit import RateLimiter
    from salesbot.kit.redis import RedisFacade
    from salesbot.kit.routing import index_by_prefix
    from salesbot.kit.tracing import configure_tracing, instrument_app
    from salesbot.lifecycle.endpoints import erasure_router, holds_router, retention_router
    from salesbot.lifecycle.export_endpoints import router as export_router
    from salesbot.locations.endpoints import router as locations_router
    from salesbot.mockups.endpoints import router as mockups_router
    from salesbot.mockups.slots import composition_slots
    from salesbot.notifications import service as notifications
    from salesbot.notifications.endpoints import router as notifications_router
    from salesbot.ops.endpoints import router as ops_router
    from salesbot.ops.metrics import install_metrics
    from salesbot.ops.schedules import SCHEDULES
    from salesbot.proposals.endpoints import renders_router as proposal_renders_router
    from salesbot.proposals.endpoints import router as proposals_router
    from salesbot.settings import Environment, Settings
    from salesbot.sharing.endpoints import router as sharing_router
    from salesbot.sharing.public import router as client_page_router
    from salesbot.slack.endpoints import me_router as slack_me_router
    from salesbot.slack.endpoints import router as slack_router
    from salesbot.users import repository as users_repository
    from salesbot.web.endpoints import router as web_router
    from salesbot.web.endpoints import static_mounts, templates
    from salesbot.web.home import router as home_router
    from salesbot.web.meta import router as meta_router

if TYPE_CHECKING:
    from salesbot.slack.channel import SlackChannel

log = get_logger(__name__)
_JOB_DRAIN_MS = 10_000  # at shutdown, the in-memory queue's jobs get this long to finish


def _supabase_verifier(settings: Settings) -> SupabaseVerifier | None:
    if not settings.supabase_enabled:
        return None
    secret = settings.auth_supabase_jwt_secret
    jwks_url = settings.auth_supabase_jwks_url
    return SupabaseVerifier(
        audience=settings.auth_supabase_audience,
        issuer=settings.auth_supabase_issuer,
        hs_secret=secret.get_secret_value() if secret else None,
        jwks=JwksCache(jwks_url, min_refetch_s=settings.auth_jwks_min_refetch_s)
        if jwks_url
        else None,
    )


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Infrastructure lives as long as the app: opened at start-up, closed at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        _open_infrastructure(app, settings)
        persister = _start_persister(app, settings)
        if settings.warm_up:
            await _warm_up(app)
        scheduler: Scheduler | None = None
        if settings.runs_scheduler:
            scheduler = Scheduler(settings, app.state.db, SCHEDULES)
            scheduler.start()
        app.state.scheduler = scheduler
        log.info(
            "startup",
            environment=settings.environment.value,
            database=app.state.db.engine.dialect.name,
            redis=app.state.redis.configured,
        )
        slack = _open_slack(app, settings)
        heap.settle()  # or an early request pays the full collection start-up made due
        try:
            yield
        finally:
            if slack is not None:
                notifications.remove_channel(slack)
                await slack.close()
            if scheduler is not None:
                await scheduler.shutdown()
            await app.state.assistant.drain()
            # Without Redis, queued jobs live in this process: run them before it ends.
            await asyncio.to_thread(app.state.jobs.close, _JOB_DRAIN_MS)
            await _stop_persister(app, persister)
            await app.state.redis.close()
            await app.state.db.dispose()

    return lifespan


# Requests through the whole stack before the first real one. FastAPI readies a route on its
# first request (the endpoint's source location for error messages, its dependencies' kinds).
_WARM_PATHS = ("/health", "/login")
# The message page as a signed-in request would reach it, for a user who does not exist: the
# token check, the session check and the caller's lookup run, then 401 (which is not audited).
_WARM_SIGNED_IN = f"/api/conversations/{uuid.UUID(int=0)}/messages?limit=50"


async def _warm_get(app: FastAPI, path: str, token: str | None = None) -> None:
    """One GET through the whole ASGI stack, as the server would pass it (no HTTP client: httpx
    would bring rich and pygments into every server's memory for this)."""
    route, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"warm-up")]
        + ([(b"authorization", f"Bearer {token}".encode())] if token else []),
        "client": ("127.0.0.1", 0),
        "server": ("warm-up", 80),
    }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        return None

    await app(scope, receive, send)


async def _warm_request(app: FastAPI) -> None:
    for path in _WARM_PATHS:
        await _warm_get(app, path)
    await asyncio.to_thread(lambda: None)  # the default executor's first thread


async def _warm_signed_in(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    nobody, _ = create_access_token(
        uuid.UUID(int=0), secret=settings.secret_key.get_secret_value(), now=utcnow(), minutes=1
    )
    await _warm_get(app, _WARM_SIGNED_IN, nobody)


async def _warm_up(app: FastAPI) -> None:
    """Do at start-up what the first request would otherwise pay for: the routes (built on first
    match), the ORM mappers, the page templates, requests through the stack, a first database
    connection, the hottest statements and the sign-in checks. Best effort: a database that is
    not there (or not migrated) yet is the requests' business, not a reason to refuse to start."""
    configure_mappers()
    templates.get_template("app.html")
    # In its own task, so its request context does not stick to the start-up's log lines.
    await asyncio.create_task(_warm_request(app))
    if not await app.state.db.ping():
        return
    nobody = uuid.UUID(int=0)  # statements compiled and prepared once, for nobody
    try:
        async with app.state.db.reads() as session:
            await users_repository.session_revoked_at(session, nobody)
            await users_repository.caller(session, nobody)
            await conversations_repository.conversation_owner(session, nobody)
            await conversations_repository.list_messages(
                session, conversation_id=nobody, before=None, limit=51, owner_id=nobody
            )
    except SQLAlchemyError as exc:
        log.warning("warm_up_incomplete", error_type=type(exc).__name__)
        return
    await asyncio.create_task(_warm_signed_in(app))


def _start_persister(app: FastAPI, settings: Settings) -> asyncio.Task[None] | None:
    """The chat's Redis use (hot pages, write-behind) and, with write-behind, a persister."""
    redis = app.state.redis
    app.state.chat_cache = None
    app.state.persister_task = None
    if redis.configured and (settings.chat_cache or settings.chat_write_behind):
        app.state.chat_cache = hot.HotCache(
            redis,
            ttl_s=settings.chat_cache_ttl_s,
            pages=settings.chat_cache,
            write_behind=settings.chat_write_behind,
        )
        hot.install(app.state.chat_cache)
    if not (settings.chat_write_behind and redis.configured):
        return None
    app.state.persister_stop = asyncio.Event()
    task = asyncio.create_task(
        behind.run_persister(settings, app.state.persister_stop, db=app.state.db),
        name="chat-persister",
    )
    app.state.persister_task = task
    return task


async def _stop_persister(app: FastAPI, task: asyncio.Task[None] | None) -> None:
    hot.uninstall(app.state.chat_cache)
    if task is not None and not task.done():
        app.state.persister_stop.set()
        await task


def _open_infrastructure(app: FastAPI, settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app.state.db = Database(
        make_engine(
            settings.effective_database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout_s,
            echo=settings.db_echo,
            pooler=settings.database_pooler,
        )
    )
    app.state.redis = RedisFacade(
        settings.redis_dsn, retry_interval=settings.redis_retry_interval_s
    )
    app.state.revocations = SessionRevocations(
        app.state.redis,
        cache_s=settings.session_check_cache_s,
        revoked_ttl_s=settings.access_token_minutes * 60 + 60,
    )
    app.state.ratelimiter = RateLimiter(
        settings.redis_dsn, retry_interval=settings.redis_retry_interval_s
    )
    app.state.supabase = _supabase_verifier(settings)
    app.state.storage = storage_from_settings(settings)
    app.state.jobs = start_jobs(settings, in_process_worker=settings.job_in_process_worker)
    app.state.assistant = Assistant(settings, app.state.db, app.state.redis)


def _open_slack(app: FastAPI, settings: Settings) -> SlackChannel | None:
    """The Slack channel, when both its token and signing secret are set (docs/slack.md)."""
    app.state.slack = None
    if not settings.slack_enabled:
        return None
    if not settings.public_url:
        # Its links (one-time links, booking orders) must not depend on a Host header.
        log.error("slack_needs_public_url", setting="SALESBOT_PUBLIC_URL")
        return None
    from salesbot.slack import listeners
    from salesbot.slack.channel import SlackChannel

    channel = SlackChannel(settings, app.state)
    listeners.register(channel)
    notifications.add_channel(channel)
    app.state.slack = channel
    return channel


_ROUTERS = (
    ops_router,
    auth_router,
    mfa_router,
    invites_router,
    me_router,
    mfa_me_router,
    mfa_policy_router,
    users_router,
    audit_router,
    files_router,
    inventory_router,
    locations_router,
    proposals_router,
    proposal_renders_router,
    sharing_router,
    client_page_router,
    commercial_router,
    mockups_router,
    booking_orders_router,
    notifications_router,
    conversations_router,
    assistant_router,
    meta_router,
    home_router,
    erasure_router,
    holds_router,
    export_router,
    retention_router,
    slack_router,
    slack_me_router,
    web_router,
)


@functools.cache
def _shared_routes() -> tuple[BaseRoute, ...]:
    """Every capability's routes, included once per process and shared by the apps it makes.

    FastAPI builds an included route (its dependencies, validators and response fields) when it
    is first matched: about a second for this API. A server makes one app, but the test suite and
    tools make hundreds in one process, and each would rebuild the same routes. Nothing in a route
    belongs to one app (handlers reach the app's state through the request); the one exception,
    `app.dependency_overrides`, is not used by this project and would not apply to these routes.
    """
    holder = APIRouter(responses=COMMON_RESPONSES)
    for router in _ROUTERS:
        holder.include_router(router)
    index_by_prefix(holder.routes)
    return tuple(holder.routes)


def _include_routes(app: FastAPI, settings: Settings) -> None:
    app.router.routes.extend(_shared_routes())
    if settings.dev_login and settings.environment is Environment.development:
        app.include_router(dev_login_router())
    for path, static in static_mounts().items():
        app.mount(path, static)


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # Order matters: the last added runs first (outermost).
    app.add_middleware(UndeclaredMethodMiddleware, declared=lambda: routed_methods(app.routes))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-API-Key",
                "X-CSRF-Token",
                "X-Request-ID",
            ],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_json_body_mb * 1024 * 1024)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.is_production)
    app.add_middleware(
        RequestContextMiddleware, trusted_networks=lambda: app.state.trusted_networks
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.validate_for_startup()
    configure_logging(
        json=settings.json_logs,
        level=settings.log_level,
        internal_urls=[*settings.internal_urls, *(u for u in [settings.redis_dsn] if u)],
    )
    configure_tracing(service_name="salesbot")  # only when OTEL_EXPORTER_OTLP_ENDPOINT is set
    app = FastAPI(
        title="Sales Proposal Bot",
        version=__version__,
        description="Proposals, billboard mockups and booking orders for out-of-home media owners.",
        lifespan=_lifespan(settings),
        docs_url=None,
        redoc_url=None,
        responses=COMMON_RESPONSES,
    )
    app.state.settings = settings
    app.state.mockup_slots = composition_slots(settings.mockup_concurrency)
    app.state.trusted_networks = parse_networks(settings.trusted_proxies)
    install_error_handlers(app, on_refusal=record_refusal)
    _include_routes(app, settings)
    _add_middleware(app, settings)
    instrument_app(app)
    install_metrics(app)
    return app
