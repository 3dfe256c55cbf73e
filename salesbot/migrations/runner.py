"""Run Alembic programmatically (no alembic.ini needed): `upgrade heads` on the configured DB."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from salesbot.kit.db import Pooler

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(
    database_url: str, pooler: Pooler = "none", secret_key: str | None = None
) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["pooler"] = pooler
    # Migrations that seal stored secrets (0012_h2_totp_sealed) need the app's secret key.
    cfg.attributes["secret_key"] = secret_key
    return cfg


def upgrade(
    database_url: str,
    revision: str = "heads",
    *,
    pooler: Pooler = "none",
    secret_key: str | None = None,
) -> None:
    """Blocking: apply every migration (call from sync code or a worker thread)."""
    command.upgrade(alembic_config(database_url, pooler, secret_key), revision)
