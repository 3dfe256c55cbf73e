"""All configuration: one pydantic-settings class read from SALESBOT_* variables and `.env`."""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from salesbot.hosting import CGROUP_MEMORY_LIMITS as CGROUP_MEMORY_LIMITS
from salesbot.hosting import DEV_SECRET_KEY as DEV_SECRET_KEY
from salesbot.hosting import MEMINFO as MEMINFO
from salesbot.hosting import SECRET_KEY_FILE as SECRET_KEY_FILE
from salesbot.hosting import ConfigError as ConfigError
from salesbot.hosting import bound_host as bound_host
from salesbot.hosting import crontab_trigger as crontab_trigger
from salesbot.hosting import default_mockup_concurrency as default_mockup_concurrency
from salesbot.hosting import install_secret_key as install_secret_key
from salesbot.hosting import is_loopback as is_loopback
from salesbot.hosting import memory_limit as memory_limit
from salesbot.hosting import mockup_concurrency_for as mockup_concurrency_for

if TYPE_CHECKING:
    pass


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class LlmPrice(BaseModel):
    """US dollars per million tokens; cached input defaults to the input price."""

    input: Decimal = Field(ge=0)
    cached_input: Decimal | None = Field(default=None, ge=0)
    output: Decimal = Field(ge=0)


# Published list prices (USD per 1M tokens); override with SALESBOT_LLM_PRICES (JSON).
DEFAULT_LLM_PRICES: dict[str, LlmPrice] = {
    name: LlmPrice(input=Decimal(i), cached_input=Decimal(c), output=Decimal(o))
    for name, (i, c, o) in {
        "gpt-4.1": ("2.00", "0.50", "8.00"),
        "gpt-4.1-mini": ("0.40", "0.10", "1.60"),
        "gpt-4.1-nano": ("0.10", "0.025", "0.40"),
        "gpt-4o": ("2.50", "1.25", "10.00"),
        "gpt-4o-mini": ("0.15", "0.075", "0.60"),
        "claude-sonnet-4-0": ("3.00", "0.30", "15.00"),
        "claude-3-5-haiku-latest": ("0.80", "0.08", "4.00"),
        "gemini-2.5-pro": ("1.25", "0.31", "10.00"),
        "gemini-2.5-flash": ("0.30", "0.075", "2.50"),
    }.items()
}


def mask_url(url: str) -> str:
    """Hide the password (and user) of a URL: `postgresql://u:p@h/db` → `postgresql://***@h/db`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "[redacted]"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


def _url_origin(url: str) -> str:
    """`https://hooks.example.com/services/T/B/secret` → `https://hooks.example.com/***`."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "********"
    return f"{parts.scheme}://{host}{port}/***"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SALESBOT_", env_file=".env", extra="ignore", validate_default=True
    )

    environment: Environment = Environment.development
    # Unset outside production: a random key made once per install (see install_secret_key).
    secret_key: SecretStr = SecretStr("")
    data_dir: Path = Path("./var")
    # Base of links in e-mails, Slack posts and invitations; unset: the request's own origin.
    public_url: str | None = None
    timezone: str = "Asia/Dubai"

    # Database: SQLite under data_dir unless a URL is given (production requires a URL).
    database_url: SecretStr | None = None
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=5, ge=0, le=200)
    db_pool_timeout_s: float = Field(default=10.0, gt=0, le=120)
    db_echo: bool = False
    # A connection pooler between the app and PostgreSQL (docs/deploy-render-supabase.md):
    # "transaction" (PgBouncer transaction mode, Supabase's pooler on port 6543) turns prepared
    # statement caching off; "session" and "none" need nothing special.
    database_pooler: Literal["none", "session", "transaction"] = "none"

    # Redis (optional): rate limits, cache, streams, locks, job queue.
    redis_url: SecretStr | None = None
    redis_retry_interval_s: float = Field(default=5.0, gt=0)

    # Jobs
    job_max_retries: int = Field(default=3, ge=0, le=20)
    job_min_backoff_ms: int = Field(default=1_000, ge=1)
    job_max_backoff_ms: int = Field(default=300_000, ge=1)
    job_time_limit_ms: int = Field(default=600_000, ge=1_000)
    job_in_process_threads: int = Field(default=2, ge=1, le=32)
    # How long an idle worker waits for a job before it looks again (and how long a stopping
    # worker can take to notice, per stage): short is a faster stop, long fewer idle polls.
    job_poll_ms: int = Field(default=100, ge=5, le=5_000)
    # Redis broker: a worker silent this long is dead and its unacknowledged jobs go back to
    # their queue at the next maintenance (every interval per queue, not Dramatiq's 0.1% lottery).
    job_heartbeat_timeout_ms: int = Field(default=10_000, ge=1_000)
    job_maintenance_interval_ms: int = Field(default=1_000, ge=100, le=60_000)
    job_dead_message_ttl_ms: int = Field(default=7 * 86_400_000, ge=60_000)
    # None = run a worker inside the web process only when there is no Redis broker.
    job_in_process_worker: bool | None = None

    # Scheduled jobs (salesbot/ops/schedules.py). None = on, except under tests.
    scheduler_enabled: bool | None = None
    # Backups: `salesbot backup` writes to backup_dir (default data_dir/backups); a crontab line
    # (UTC) in backup_schedule makes the scheduler take one, keeping the newest backup_keep.
    backup_dir: Path | None = None
    backup_schedule: str | None = None
    backup_keep: int = Field(default=7, ge=1, le=1000)
    # Off-site copy: each archive is also uploaded to this S3-compatible bucket (under the
    # prefix), keeping the newest backup_s3_keep there. Endpoint and credentials default to
    # the file storage's; the bucket must not be the file storage's own.
    backup_s3_bucket: str | None = None
    backup_s3_prefix: str = Field(default="salesbot-backups/", pattern=r"^([A-Za-z0-9_.-]+/)*$")
    backup_s3_keep: int = Field(default=30, ge=1, le=10_000)
    backup_s3_endpoint: str | None = None
    backup_s3_region: str | None = None
    backup_s3_access_key: str | None = None
    backup_s3_secret_key: SecretStr | None = None
    # Metrics: GET /metrics needs this bearer token; unset = loopback only (never public).
    metrics_token: SecretStr | None = None
    metrics_cache_s: float = Field(default=60.0, ge=0, le=3600)  # DAU/MAU recomputed this often

    # HTTP edge
    max_json_body_mb: int = Field(default=10, ge=1, le=100)
    max_upload_mb: int = Field(default=200, ge=1, le=10_000)
    max_image_pixels: int = Field(default=50_000_000, ge=1_000_000)  # decompression-bomb cap
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Idle keep-alive connections are kept this long; longer than a load balancer's idle timeout
    # (often 60 s), so the balancer, not the app, closes them and never sends on a closed one.
    http_keep_alive_s: int = Field(default=75, ge=1, le=3600)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # At start-up, pass a few requests and the hottest queries through the stack so the first
    # real request is not the slow one. Off only where start-up speed matters more (tests).
    warm_up: bool = True

    # Files: uploads are spooled to data_dir/tmp, stored under data_dir/files or in S3.
    storage_backend: Literal["local", "s3"] = "local"
    storage_local_root: Path | None = None  # default: data_dir/files
    storage_s3_endpoint: str | None = None  # unset = AWS S3; set for MinIO, Supabase...
    storage_s3_bucket: str | None = None
    storage_s3_region: str = "us-east-1"
    storage_s3_access_key: str | None = None
    storage_s3_secret_key: SecretStr | None = None
    storage_s3_presign_seconds: int = Field(default=300, ge=1, le=3600)
    rate_limit_upload: str = "30/minute"
    # Optional antivirus: every upload is streamed to clamd (tcp://host:3310) before it is stored.
    clamd_url: str | None = None
    clamd_timeout_s: float = Field(default=60.0, gt=0, le=600)

    # Logging: JSON lines in production, console elsewhere unless forced.
    log_level: str = "INFO"
    log_json: bool | None = None
    internal_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Identity: built-in tokens, optional Supabase JWTs, rate limits.
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=365)
    auth_supabase_jwt_secret: SecretStr | None = None
    auth_supabase_jwks_url: str | None = None
    auth_supabase_audience: str = "authenticated"
    auth_supabase_issuer: str | None = None
    auth_jwks_min_refetch_s: float = Field(default=30.0, ge=0)
    # Seconds a process trusts its last "this session is not revoked" answer (see operations).
    session_check_cache_s: float = Field(default=2.0, ge=0, le=60)
    # Sign-in throttling counts FAILED attempts only (docs/operations.md, "Sign-in throttling").
    rate_limit_login: str = "5/minute"  # failures per (IP, e-mail)
    rate_limit_login_email: str = "5/minute"  # failures per e-mail, any IP (known devices pass)
    rate_limit_login_ip: str = "50/minute"  # failures per IP, any e-mail (an office's ceiling)
    login_device_days: int = Field(default=180, ge=1, le=730)
    mfa_remember_days: int = Field(default=30, ge=0, le=90)  # 0: always ask for the code
    # Roles that must use two-step sign-in; unset: admin and finance in production, none in
    # development and test (the demo logins and the test suites sign in with passwords only).
    mfa_required_roles: Annotated[list[str] | None, NoDecode] = None
    rate_limit_mfa: str = "5/minute"  # wrong second-factor codes per account
    rate_limit_invite_accept: str = "10/minute"
    rate_limit_api: str = "300/minute"

    # Development-only conveniences (refused in production).
    dev_login: bool = False
    # Development settings serve on loopback only; this lets `salesbot serve` bind elsewhere.
    allow_insecure_bind: bool = False
    demo_password: SecretStr = SecretStr("demo-password")

    # Assistant
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(default=60.0, gt=0, le=600)
    llm_max_retries: int = Field(default=1, ge=0, le=10)
    llm_context_tokens: int = Field(default=16_000, ge=500, le=2_000_000)
    llm_cache_ttl_s: int = Field(default=600, ge=0, le=3600)  # 0 turns the response cache off
    llm_prices: dict[str, LlmPrice] = Field(default_factory=lambda: dict(DEFAULT_LLM_PRICES))
    chat_max_steps: int = Field(default=8, ge=1, le=50)  # model calls per chat message
    chat_heartbeat_s: float = Field(default=15.0, gt=0, le=60)
    chat_run_retention_s: int = Field(default=3600, ge=60, le=86_400)
    chat_run_timeout_s: int = Field(default=600, ge=10, le=3600)
    # Hot conversation cache (ADR-002; needs Redis): recent pages of active conversations.
    chat_cache: bool = True
    chat_cache_ttl_s: int = Field(default=3600, ge=60, le=86_400)
    # Write-behind (docs/operations.md): messages acknowledged once on a Redis Stream.
    chat_write_behind: bool = False
    chat_persist_claim_idle_s: float = Field(default=30.0, gt=0, le=3600)
    rate_limit_chat: str = "30/minute"

    # Proposals (domain.md §2): DM fee per image/message, validity, digital upload fee default.
    dm_fee: Decimal = Field(default=Decimal(520), ge=0, le=1_000_000)
    proposal_validity_days: int = Field(default=30, ge=1, le=365)
    # Rendering runs as a job; a request (or chat tool) waits this long for it, then answers 503
    # (the job still finishes and the proposal appears in the history).
    proposal_render_timeout_s: float = Field(default=120.0, gt=0, le=3600)
    default_upload_fee: Decimal = Field(default=Decimal(3000), ge=0, le=1_000_000_000)
    # Client links (docs/proposals.md): default lifetime, wrong PINs before a link locks, and
    # per-IP limits on the public page, its beacon, PIN attempts and decisions.
    share_link_days: int = Field(default=14, ge=1, le=180)
    share_pin_attempts: int = Field(default=5, ge=1, le=20)
    rate_limit_share_page: str = "120/minute"
    rate_limit_share_events: str = "240/minute"
    rate_limit_share_pin: str = "10/minute"
    rate_limit_share_decide: str = "10/minute"

    # Booking orders and notifications (e-mail when smtp_host is set, Slack when a webhook is).
    vat_pct: Decimal = Field(default=Decimal(5), ge=0, le=100)
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Sales Proposal Bot <salesbot@localhost>"
    smtp_starttls: bool = True
    smtp_timeout_s: float = Field(default=10.0, gt=0, le=120)
    slack_webhook_url: SecretStr | None = None
    # The Slack channel (docs/slack.md): on only when both the bot token and the signing
    # secret are set. The Web API base URL is a setting so tests point the SDK at a local fake.
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_base_url: str = "https://slack.com/api/"
    slack_command: str = "/proposal"
    # Seconds a signed request stays acceptable (Slack's own guidance is five minutes).
    slack_request_max_age_s: int = Field(default=300, ge=30, le=300)
    rate_limit_slack: str = "600/minute"  # requests to /slack/events per client IP
    slack_link_minutes: int = Field(default=15, ge=1, le=1440)  # one-time link validity

    # Mockups: compositions at once per process (more wait as jobs; by default from the memory
    # and CPUs available); the image model for AI creatives, e.g. "openai:gpt-image-1" or
    # "google:imagen-4.0-generate-001" (unset = offline typographic posters).
    mockup_concurrency: int = Field(default_factory=default_mockup_concurrency, ge=1, le=16)
    image_model: str | None = None
    image_base_url: str | None = None
    image_api_key: SecretStr | None = None
    image_timeout_s: float = Field(default=120.0, gt=0, le=600)

    # Data lifecycle: the global retention defaults (an admin may set others per company; 0
    # turns a rule off) and how long a personal-data export can be downloaded.
    retention_archive_idle_days: int = Field(default=90, ge=0, le=36_500)
    retention_purge_deleted_days: int = Field(default=30, ge=0, le=36_500)
    retention_orphan_upload_days: int = Field(default=7, ge=0, le=36_500)
    retention_business_record_years: int = Field(default=10, ge=1, le=100)
    # Stored objects no row names (a failed delete, a crash mid-upload) go after this (0: never).
    retention_orphan_object_hours: int = Field(default=24, ge=0, le=876_000)
    # People are told this many days before a deleted conversation of theirs is purged.
    retention_notice_days: int = Field(default=7, ge=0, le=365)
    export_link_days: int = Field(default=7, ge=1, le=90)
    rate_limit_data_export: str = "10/hour"  # personal-data exports started per person asking

    # Inventory: a proposal's hold on its dates lasts this many days (renewable once).
    hold_days: int = Field(default=7, ge=1, le=90)

    _split = field_validator(
        "trusted_proxies", "cors_origins", "internal_urls", "mfa_required_roles", mode="before"
    )(_split_csv)

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as exc:
                raise ValueError(f"SALESBOT_TRUSTED_PROXIES: not a CIDR: {cidr[:60]}") from exc
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard_origin(cls, value: list[str]) -> list[str]:
        # Credentials are allowed cross-origin, so a wildcard would hand sessions to any site.
        if "*" in value:
            raise ValueError("SALESBOT_CORS_ORIGINS must list origins; '*' is never allowed")
        return value

    @field_validator("backup_schedule")
    @classmethod
    def _valid_crontab(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        try:
            crontab_trigger(value.strip())
        except ValueError as exc:
            raise ValueError(
                "SALESBOT_BACKUP_SCHEDULE must be a crontab line, e.g. '0 2 * * *'"
            ) from exc
        return value.strip()

    @field_validator("slack_api_base_url")
    @classmethod
    def _http_slack_url(cls, value: str) -> str:
        if urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("SALESBOT_SLACK_API_BASE_URL must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_command")
    @classmethod
    def _slash_command(cls, value: str) -> str:
        if not re.fullmatch(r"/[a-z0-9_-]{1,31}", value):
            raise ValueError("SALESBOT_SLACK_COMMAND must look like /proposal")
        return value

    @field_validator("public_url")
    @classmethod
    def _http_public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError("SALESBOT_PUBLIC_URL must look like https://sales.example.com")
        return value.rstrip("/")

    @field_validator("clamd_url")
    @classmethod
    def _tcp_clamd_url(cls, value: str | None) -> str | None:
        parts = urlsplit(value or "")
        if value and (parts.scheme != "tcp" or not parts.hostname or not parts.port):
            raise ValueError("SALESBOT_CLAMD_URL must look like tcp://host:3310")
        return value or None

    @field_validator("auth_supabase_jwks_url")
    @classmethod
    def _http_jwks_url(cls, value: str | None) -> str | None:
        # The keys are fetched with urllib, which would also open file:// and other schemes.
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("SALESBOT_AUTH_SUPABASE_JWKS_URL must be an http(s) URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _valid_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("SALESBOT_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @model_validator(mode="after")
    def _backups_elsewhere(self) -> Settings:
        # Archives in the files' own bucket would be copied into the next backup, and be
        # stored objects no row knows (which the retention sweep removes).
        same_endpoint = (self.backup_s3_endpoint or self.storage_s3_endpoint) == (
            self.storage_s3_endpoint
        )
        if (
            self.backup_s3_bucket
            and self.storage_backend == "s3"
            and self.backup_s3_bucket == self.storage_s3_bucket
            and same_endpoint
        ):
            raise ValueError(
                "SALESBOT_BACKUP_S3_BUCKET must be another bucket than SALESBOT_STORAGE_S3_BUCKET"
            )
        return self

    @model_validator(mode="after")
    def _install_secret(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if not self.is_production and (not secret or secret == DEV_SECRET_KEY):
            self.secret_key = SecretStr(install_secret_key(self.data_dir))
        return self

    @property
    def supabase_enabled(self) -> bool:
        secret = self.auth_supabase_jwt_secret
        return bool(self.auth_supabase_jwks_url or (secret and secret.get_secret_value()))

    @property
    def slack_enabled(self) -> bool:
        token, secret = self.slack_bot_token, self.slack_signing_secret
        return bool(token and token.get_secret_value() and secret and secret.get_secret_value())

    @property
    def mfa_roles(self) -> frozenset[str]:
        if self.mfa_required_roles is not None:
            return frozenset(self.mfa_required_roles)
        return frozenset({"admin", "finance"}) if self.is_production else frozenset()

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.production

    @property
    def json_logs(self) -> bool:
        return self.is_production if self.log_json is None else self.log_json

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url is not None and self.database_url.get_secret_value():
            return self.database_url.get_secret_value()
        return f"sqlite+aiosqlite:///{(self.data_dir / 'salesbot.db').resolve()}"

    @property
    def files_dir(self) -> Path:
        return self.storage_local_root or self.data_dir / "files"

    @property
    def runs_scheduler(self) -> bool:
        if self.scheduler_enabled is None:
            return self.environment is not Environment.test
        return self.scheduler_enabled

    @property
    def backups_dir(self) -> Path:
        return self.backup_dir or self.data_dir / "backups"

    @property
    def tmp_dir(self) -> Path:
        """Where uploads are spooled while they are checked (same disk as the data)."""
        return self.data_dir / "tmp"

    @property
    def redis_dsn(self) -> str | None:
        if self.redis_url is None or not self.redis_url.get_secret_value():
            return None
        return self.redis_url.get_secret_value()

    def startup_problems(self) -> list[str]:
        """Everything that must be fixed before this configuration may serve traffic."""
        problems: list[str] = []
        if not self.is_production:
            return problems
        secret = self.secret_key.get_secret_value()
        if not secret or secret == DEV_SECRET_KEY:
            problems.append("SALESBOT_SECRET_KEY is empty or the old public development default")
        elif len(secret) < 32:
            problems.append("SALESBOT_SECRET_KEY must be at least 32 characters")
        if self.database_url is None or not self.database_url.get_secret_value():
            problems.append(
                "SALESBOT_DATABASE_URL is not set (production never falls back to SQLite)"
            )
        if self.dev_login:
            problems.append("SALESBOT_DEV_LOGIN is a development-only option")
        if not self.public_url and (self.smtp_host or self.slack_webhook_url or self.slack_enabled):
            problems.append(
                "SALESBOT_PUBLIC_URL must be set when e-mail or Slack notifications are on "
                "(links in them must not depend on a request's Host header)"
            )
        if self.chat_write_behind and not self.redis_dsn:
            problems.append(
                "SALESBOT_CHAT_WRITE_BEHIND needs SALESBOT_REDIS_URL (its messages live in a "
                "Redis Stream until they are stored)"
            )
        metrics_token = self.metrics_token.get_secret_value() if self.metrics_token else ""
        if metrics_token and len(metrics_token) < 24:
            problems.append("SALESBOT_METRICS_TOKEN must be at least 24 characters")
        return problems

    def validate_for_startup(self) -> None:
        problems = self.startup_problems()
        if problems:
            raise ConfigError(problems)

    def masked(self) -> dict[str, str]:
        """The effective configuration with secrets masked, for `salesbot config check`."""

        shown: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                raw = value.get_secret_value()
                if "://" in raw:
                    # Webhook-style URLs carry their secret in the path; only connection URLs
                    # (database, Redis) keep theirs, which names a database, not a secret.
                    keep_path = name in ("database_url", "redis_url")
                    shown[name] = mask_url(raw) if keep_path else _url_origin(raw)
                else:
                    shown[name] = "********" if raw else "(empty)"
            elif value is None:
                shown[name] = "(not set)"
            elif isinstance(value, list):
                shown[name] = ",".join(str(v) for v in value) or "(none)"
            else:
                shown[name] = str(value)
        shown["effective_database_url"] = mask_url(self.effective_database_url)
        return shown


def refuse_insecure_bind(settings: Settings, host: str, *, allowed: bool = False) -> None:
    """ConfigError when development settings would serve beyond this machine.

    Development and test settings sign in demo accounts with a published password and may
    enable the passwordless dev login: reachable from a café's Wi-Fi, that is an open door.
    `--allow-insecure-bind` or SALESBOT_ALLOW_INSECURE_BIND=true is the explicit way through.
    """
    if settings.is_production or allowed or settings.allow_insecure_bind or is_loopback(host):
        return
    raise ConfigError(
        [
            f"refusing to serve on {host[:60]} with {settings.environment.value} settings: "
            "only loopback (127.0.0.1, ::1, localhost) is allowed. Set "
            "SALESBOT_ENVIRONMENT=production (with its secret key and database), or pass "
            "--allow-insecure-bind (SALESBOT_ALLOW_INSECURE_BIND=true) if you mean it"
        ]
    )
