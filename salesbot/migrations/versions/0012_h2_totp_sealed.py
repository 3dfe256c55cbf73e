"""Authenticator secrets encrypted at rest (AES-GCM, key derived from the secret key).

Existing rows are sealed here, so `salesbot migrate` needs the app's secret key (the CLI
passes it). Downgrading opens them again.

Revision ID: 0012_h2_totp_sealed
Revises: 0011_h2_mfa_policy
Create Date: 2026-12-06 22:45:00.000000
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from salesbot.kit import sealing

revision: str = "0012_h2_totp_sealed"
down_revision: str | Sequence[str] | None = "0011_h2_mfa_policy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PURPOSE = "totp-secret"  # salesbot.auth.mfa.SEAL_PURPOSE (a migration keeps its own copy)
_factors = sa.table("totp_factors", sa.column("user_id", sa.Uuid()), sa.column("secret", sa.String))


def _rows_and_key() -> tuple[list[tuple[Any, str]], str]:
    """Stored factors and the key; refused (before any change) when there are rows but no key."""
    found = op.get_bind().execute(sa.select(_factors.c.user_id, _factors.c.secret)).all()
    rows = [(user_id, str(secret)) for user_id, secret in found]
    key = str(context.config.attributes.get("secret_key") or "")
    if rows and not key:
        raise RuntimeError(
            "Authenticator secrets are stored: run this migration with `salesbot migrate`, "
            "which supplies the secret key they are encrypted with."
        )
    return rows, key


def _rewrite(change: Callable[[str, str, str], str | None]) -> None:
    bind = op.get_bind()
    rows, key = _rows_and_key()
    for user_id, secret in rows:
        new = change(secret, key, str(user_id))
        if new is not None:
            bind.execute(_factors.update().where(_factors.c.user_id == user_id).values(secret=new))


def _seal(secret: str, key: str, bound_to: str) -> str | None:
    if sealing.is_sealed(secret):
        return None
    return sealing.seal(secret, secret_key=key, purpose=PURPOSE, bound_to=bound_to)


def _open(secret: str, key: str, bound_to: str) -> str | None:
    if not sealing.is_sealed(secret):
        return None
    return sealing.unseal(secret, secret_key=key, purpose=PURPOSE, bound_to=bound_to)


def upgrade() -> None:
    _rows_and_key()
    with op.batch_alter_table("totp_factors") as batch:
        batch.alter_column(
            "secret", existing_type=sa.String(length=64), type_=sa.String(length=200)
        )
    _rewrite(_seal)


def downgrade() -> None:
    _rewrite(_open)
    with op.batch_alter_table("totp_factors") as batch:
        batch.alter_column(
            "secret", existing_type=sa.String(length=200), type_=sa.String(length=64)
        )
