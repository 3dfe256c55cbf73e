"""Authenticator secrets are encrypted at rest; existing rows are sealed by the migration."""

from __future__ import annotations

import asyncio
import base64
import importlib
import json
import pkgutil
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Connection

import salesbot
from salesbot.kit import sealing
from salesbot.kit.db import Base, make_engine
from salesbot.migrations.runner import alembic_config, upgrade
from tests.api.auth.conftest import Seeded, seed_accounts
from tests.conftest import Stack, make_settings
from tests.support.auth import bearer, login

KEY = "test-secret-key-that-is-long-enough-0123456789"  # make_settings' key


async def _stored(url: str, user_id: uuid.UUID) -> tuple[str, list[str]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text("SELECT secret, recovery_hashes FROM totp_factors WHERE user_id = :u"),
                    {"u": user_id if url.startswith("postgresql") else user_id.hex},
                )
            ).one()
    finally:
        await engine.dispose()
    hashes = row[1] if isinstance(row[1], list) else json.loads(row[1])
    return str(row[0]), list(hashes)


def _not_in(secret: str, stored: str) -> None:
    assert secret not in stored
    assert secret.lower() not in stored.lower()
    raw = base64.b32decode(secret)
    assert base64.b64encode(raw).decode() not in stored
    assert raw.hex() not in stored.lower()


async def _code_step(client: httpx.AsyncClient, email: str, code: str) -> httpx.Response:
    asked = await login(client, email)
    assert asked.status_code == 401 and asked.json()["error"]["code"] == "mfa_required"
    token = asked.json()["error"]["details"]["mfa_token"]
    return await client.post("/api/auth/mfa", json={"mfa_token": token, "code": code})


async def test_the_stored_secret_is_sealed_and_sign_in_still_works(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    me = bearer(app, seeded.sales.id)
    secret = (await client.post("/api/me/mfa/setup", headers=me)).json()["secret"]
    enabled = await client.post(
        "/api/me/mfa/enable", json={"code": pyotp.TOTP(secret).now()}, headers=me
    )
    codes = enabled.json()["recovery_codes"]
    url = app.state.settings.effective_database_url
    stored, hashes = await _stored(url, seeded.sales.id)
    assert stored.startswith("v1:")
    _not_in(secret, stored)
    # Recovery codes are kept as hashes only.
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    assert all(code not in "".join(hashes) for code in codes)
    signed = await _code_step(
        client, "sales@example.com", pyotp.TOTP(secret).at(int(time.time()) + 30)
    )
    assert signed.status_code == 200, signed.text


def test_a_sealed_value_opens_only_with_its_key_and_row() -> None:
    sealed = sealing.seal("JBSWY3DPEHPK3PXP", secret_key=KEY, purpose="p", bound_to="row-1")
    again = sealing.seal("JBSWY3DPEHPK3PXP", secret_key=KEY, purpose="p", bound_to="row-1")
    assert sealed != again  # a fresh nonce each time
    opened = sealing.unseal(sealed, secret_key=KEY, purpose="p", bound_to="row-1")
    assert opened == "JBSWY3DPEHPK3PXP"
    for key, purpose, row in ((KEY + "x", "p", "row-1"), (KEY, "q", "row-1"), (KEY, "p", "row-2")):
        with pytest.raises(sealing.Unsealable):
            sealing.unseal(sealed, secret_key=key, purpose=purpose, bound_to=row)
    with pytest.raises(sealing.Unsealable):
        sealing.unseal("JBSWY3DPEHPK3PXP", secret_key=KEY, purpose="p", bound_to="row-1")


async def test_the_migration_seals_secrets_stored_in_clear(stack: Stack, tmp_path: Path) -> None:
    """A row from before the migration (the seed in clear) is sealed, and its owner still signs in
    with the authenticator they already had."""
    from salesbot.app import create_app

    settings = make_settings(stack, tmp_path / "m")
    url = settings.effective_database_url
    cfg = alembic_config(url, secret_key=KEY)
    await asyncio.to_thread(command.downgrade, cfg, "0011_h2_mfa_policy")
    try:
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            seeded = await seed_accounts(app)
        secret = pyotp.random_base32()
        engine = make_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO totp_factors (user_id, secret, enabled_at, recovery_hashes,"
                        " created_at) VALUES (:u, :s, :t, '[]', :t)"
                    ),
                    {
                        "u": seeded.sales.id if stack.name == "postgres" else seeded.sales.id.hex,
                        "s": secret,
                        "t": datetime.now(UTC),
                    },
                )
        finally:
            await engine.dispose()
        # Without the key the migration refuses rather than leave a seed in clear.
        with pytest.raises(RuntimeError, match="salesbot migrate"):
            await asyncio.to_thread(upgrade, url)
    finally:
        await asyncio.to_thread(upgrade, url, secret_key=KEY)
    stored, _ = await _stored(url, seeded.sales.id)
    assert stored.startswith("v1:")
    _not_in(secret, stored)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            signed = await _code_step(client, "sales@example.com", pyotp.TOTP(secret).now())
            assert signed.status_code == 200, signed.text


def _mfa_diffs(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [
        d
        for d in compare_metadata(context, Base.metadata)
        if any(t in repr(d) for t in ("mfa_role_policies", "totp_factors"))
    ]


async def test_the_migrated_mfa_tables_match_the_models(stack: Stack) -> None:
    for module in pkgutil.walk_packages(salesbot.__path__, "salesbot."):
        if module.name.endswith(".models"):
            importlib.import_module(module.name)
    engine = make_engine(stack.database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_mfa_diffs) == []
    finally:
        await engine.dispose()
