"""Supabase mode: JWKS (RS256/ES256) from a local server, HS256 secret, tampering rejected."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.api.auth.conftest import Seeded, seed_accounts
from tests.conftest import Stack, make_settings

ISSUER = "https://project.supabase.co/auth/v1"
HS_SECRET = "supabase-project-jwt-secret-0123456789abcdef"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


class Jwks:
    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.hits = 0


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, Jwks]]:
    state = Jwks()
    state.keys = [
        {**json.loads(RSAAlgorithm.to_jwk(RSA_KEY.public_key())), "kid": "rsa1", "use": "sig"},
        {**json.loads(ECAlgorithm.to_jwk(EC_KEY.public_key())), "kid": "ec1", "use": "sig"},
    ]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits += 1
            body = json.dumps({"keys": state.keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json", state
    server.shutdown()
    server.server_close()


@pytest.fixture
async def supa_app(
    stack: Stack, tmp_path: Path, jwks_server: tuple[str, Jwks]
) -> AsyncIterator[FastAPI]:
    from salesbot.app import create_app

    settings = make_settings(
        stack,
        tmp_path / "data",
        auth_supabase_jwks_url=jwks_server[0],
        auth_supabase_jwt_secret=HS_SECRET,
        auth_supabase_issuer=ISSUER,
        auth_jwks_min_refetch_s=60,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def supa_client(supa_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=supa_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def supa_seeded(supa_app: FastAPI) -> Seeded:
    return await seed_accounts(supa_app)


def _claims(email: str = "sales@example.com", **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": "5f1c1a52-0000-4000-8000-000000000001",
        "email": email,
        "aud": "authenticated",
        "iss": ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "role": "authenticated",
    }
    claims.update(changes)
    return claims


def _pem(key: Any) -> bytes:
    return key.private_bytes(  # type: ignore[no-any-return]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


async def test_rs256_es256_and_hs256_tokens_map_to_users(
    supa_client: httpx.AsyncClient, supa_seeded: Seeded
) -> None:
    rs = jwt.encode(_claims(), _pem(RSA_KEY), algorithm="RS256", headers={"kid": "rsa1"})
    es = jwt.encode(_claims(), _pem(EC_KEY), algorithm="ES256", headers={"kid": "ec1"})
    hs = jwt.encode(_claims(), HS_SECRET, algorithm="HS256")
    for token in (rs, es, hs):
        response = await _me(supa_client, token)
        assert response.status_code == 200, response.text
        assert response.json()["auth_method"] == "supabase"
        assert response.json()["email"] == "sales@example.com"


async def test_stranger_or_inactive_user_is_403(
    supa_client: httpx.AsyncClient, supa_seeded: Seeded, supa_app: FastAPI
) -> None:
    stranger = jwt.encode(
        _claims("stranger@example.com"), _pem(RSA_KEY), algorithm="RS256", headers={"kid": "rsa1"}
    )
    assert (await _me(supa_client, stranger)).status_code == 403


async def test_bad_supabase_tokens_are_401(
    supa_client: httpx.AsyncClient, supa_seeded: Seeded, jwks_server: tuple[str, Jwks]
) -> None:
    past = int((datetime.now(UTC) - timedelta(hours=1)).timestamp())
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad = {
        "expired": jwt.encode(
            _claims(exp=past), _pem(RSA_KEY), algorithm="RS256", headers={"kid": "rsa1"}
        ),
        "wrong aud": jwt.encode(
            _claims(aud="anon"), _pem(RSA_KEY), algorithm="RS256", headers={"kid": "rsa1"}
        ),
        "wrong iss": jwt.encode(
            _claims(iss="https://evil.example"),
            _pem(RSA_KEY),
            algorithm="RS256",
            headers={"kid": "rsa1"},
        ),
        "no kid": jwt.encode(_claims(), _pem(RSA_KEY), algorithm="RS256"),
        "foreign key, known kid": jwt.encode(
            _claims(), _pem(other), algorithm="RS256", headers={"kid": "rsa1"}
        ),
        "kid of the other algorithm": jwt.encode(
            _claims(), _pem(RSA_KEY), algorithm="RS256", headers={"kid": "ec1"}
        ),
        "alg none": jwt.encode(_claims(), None, algorithm="none"),  # type: ignore[arg-type]
        "wrong hs secret": jwt.encode(_claims(), "x" * 40, algorithm="HS256"),
        "hs signed with the public key": _hs_with_public_key(),
    }
    for name, token in bad.items():
        response = await _me(supa_client, token)
        assert response.status_code == 401, (name, response.text)


async def test_unknown_kid_refetches_once_then_is_rate_limited(
    supa_client: httpx.AsyncClient, supa_seeded: Seeded, jwks_server: tuple[str, Jwks]
) -> None:
    _, state = jwks_server
    good = jwt.encode(_claims(), _pem(RSA_KEY), algorithm="RS256", headers={"kid": "rsa1"})
    assert (await _me(supa_client, good)).status_code == 200
    assert state.hits == 1
    unknown = jwt.encode(_claims(), _pem(RSA_KEY), algorithm="RS256", headers={"kid": "nope"})
    for _ in range(3):
        assert (await _me(supa_client, unknown)).status_code == 401
    assert state.hits == 1  # inside the minimum refetch interval: no hammering the JWKS URL
    assert (await _me(supa_client, good)).status_code == 200


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs_with_public_key() -> str:
    """The classic confusion: HMAC-sign with the RSA public key PEM, claiming HS256."""
    public_pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa1"}).encode())
    payload = _b64(json.dumps(_claims()).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"
