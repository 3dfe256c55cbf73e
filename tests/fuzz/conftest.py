"""The live server for schema-driven fuzzing, signed-in identities per role and seeded records.

The fuzz runs against the real product (`salesbot migrate`, `demo`, `serve` on loopback) with its
demo accounts. Each role signs in once; a few records are created through the API so that path
parameters can name things that exist (a fuzz that only ever sees random ids tests 404s only).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

import httpx
import pytest
import schemathesis

from tests.live_server import live_server

DEMO_PASSWORD = "demo-password"
# The roles the fuzz signs in as (demo accounts; coordinator/finance of Backlite).
ROLES: dict[str, str] = {
    "admin": "admin@demo.salesbot.dev",
    "sales": "sales@demo.salesbot.dev",
    "coordinator": "coordinator.backlite@demo.salesbot.dev",
    "finance": "finance.backlite@demo.salesbot.dev",
    "viewer": "viewer@demo.salesbot.dev",
}
# Generous limits: the fuzz sends thousands of requests from one address and user; rate limits
# have their own tests.
SERVER_ENV = {
    "SALESBOT_RATE_LIMIT_API": "1000000/minute",
    "SALESBOT_RATE_LIMIT_LOGIN": "100000/minute",
    "SALESBOT_RATE_LIMIT_UPLOAD": "100000/minute",
    "SALESBOT_RATE_LIMIT_CHAT": "100000/minute",
    "SALESBOT_RATE_LIMIT_INVITE_ACCEPT": "100000/minute",
    "SALESBOT_ACCESS_TOKEN_MINUTES": "600",
}


# The role each fuzzing identity holds, for the throwaway accounts made like it.
ROLE_GRANTS: dict[str, dict[str, str]] = {
    "admin": {"role": "admin"},
    "sales": {"role": "sales_person"},
    "coordinator": {"role": "coordinator", "company": "backlite"},
    "finance": {"role": "finance", "company": "backlite"},
    "viewer": {"role": "viewer"},
}
FRESH_PASSWORD = "fresh-fuzz-password-0123"


@dataclass(frozen=True)
class Fresh:
    """A just-made account with the role's grants, signed in: its session is the fuzz's to end."""

    headers: dict[str, str]
    refresh_token: str
    password: str


@dataclass
class FuzzWorld:
    base_url: str
    headers: dict[str, dict[str, str]]
    # Path-parameter name → values that exist (per role where records are owned).
    ids: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # The ids of the accounts signed in above: the fuzz must never end, change or erase them.
    identities: frozenset[str] = frozenset()

    def known(self, role: str, name: str) -> list[str]:
        return self.ids.get(role, {}).get(name, []) or self.ids.get("*", {}).get(name, [])

    def fresh(self, role: str) -> Fresh:
        """A new account like `role`'s (invited by the admin, accepted, signed in)."""
        email = f"fresh-{role}-{uuid.uuid4().hex[:12]}@example.com"
        with httpx.Client(base_url=self.base_url, timeout=60) as client:
            invite = client.post(
                "/api/invites",
                json={"email": email, "roles": [ROLE_GRANTS[role]]},
                headers=self.headers["admin"],
            )
            assert invite.status_code == 201, invite.text
            accepted = client.post(
                "/api/invites/accept",
                json={"token": invite.json()["token"], "name": "Fresh", "password": FRESH_PASSWORD},
            )
            assert accepted.status_code in (200, 201), accepted.text
            login = client.post(
                "/api/auth/login", json={"email": email, "password": FRESH_PASSWORD}
            )
            assert login.status_code == 200, login.text
        tokens = login.json()
        return Fresh(
            {"Authorization": f"Bearer {tokens['access_token']}"},
            tokens["refresh_token"],
            FRESH_PASSWORD,
        )


# The fuzz's allowance for one request (schemathesis' default is 10 s). The first request for the
# schema makes the server build it, which on a loaded CI machine took longer than 10 s (seen under
# `stress-ng --cpu 4`); a slow answer is not what the fuzz looks for.
REQUEST_TIMEOUT_S = 60


@cache
def live_schema(base_url: str) -> Any:
    """The running server's OpenAPI schema, loaded once per server."""
    return schemathesis.openapi.from_url(f"{base_url}/openapi.json", timeout=REQUEST_TIMEOUT_S)


def sign_in(base_url: str, email: str) -> dict[str, str]:
    response = httpx.post(
        f"{base_url}/api/auth/login",
        json={"email": email, "password": DEMO_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(out, format="PNG")
    return out.getvalue()


def _csv() -> bytes:
    return b"Client,Nike\nBO Number,FUZZ-1\nLocation,UAE02\nNet Amount,160000\n"


def _ids(items: list[dict[str, object]], key: str = "id") -> list[str]:
    return [str(item[key]) for item in items if item.get(key) is not None]


def _listed(client: httpx.Client, url: str, headers: dict[str, str]) -> list[dict[str, object]]:
    """The records a list endpoint returns (a page's `items` or a plain list)."""
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.text)
    body = response.json()
    items: list[dict[str, object]] = body["items"] if isinstance(body, dict) else body
    return items


def _seed_role(client: httpx.Client, headers: dict[str, str]) -> dict[str, list[str]]:
    """Records the role owns: a conversation, an uploaded file, an API key, notifications."""
    ids: dict[str, list[str]] = {}
    made = client.post("/api/conversations", json={"title": "Fuzz"}, headers=headers)
    if made.status_code == 201:
        ids["conversation_id"] = [made.json()["id"]]
    upload = client.post(
        "/api/files", files={"files": ("fuzz.png", _png(), "image/png")}, headers=headers
    )
    if upload.status_code == 201:
        ids["file_id"] = _ids(upload.json())
    key = client.post(
        "/api/me/api-keys", json={"name": "fuzz", "scopes": ["account:self"]}, headers=headers
    )
    assert key.status_code == 201, key.text  # every role manages its own keys
    ids["key_id"] = [str(key.json()["id"])]
    ids["notification_id"] = _ids(_listed(client, "/api/notifications", headers))
    return ids


def _seed_shared(client: httpx.Client, world: FuzzWorld) -> dict[str, list[str]]:
    """Records everyone may look at, read as the admin after the sales person created some."""
    admin, sales = world.headers["admin"], world.headers["sales"]
    locations = _listed(client, "/api/locations?limit=5", admin)
    keys = [str(loc["key"]) for loc in locations]
    proposal = client.post(
        "/api/proposals",
        json={
            "kind": "separate",
            "client_name": "Fuzz",
            "proposals": [
                {
                    "location": keys[0],
                    "start_date": (date.today() + timedelta(days=30)).isoformat(),
                    "durations": ["2 weeks"],
                    "net_rates": ["100000"],
                }
            ],
        },
        headers=sales,
    )
    upload = client.post(
        "/api/files", files={"files": ("bo.csv", _csv(), "text/csv")}, headers=sales
    )
    if upload.status_code == 201:
        client.post(
            "/api/booking-orders",
            json={"file_id": upload.json()[0]["id"], "company": "backlite", "notes": ""},
            headers=sales,
        )
    invite = client.post(
        "/api/invites",
        json={"email": f"fuzz-{uuid.uuid4().hex[:8]}@example.com", "roles": [{"role": "viewer"}]},
        headers=admin,
    )
    shared: dict[str, list[str]] = {
        "key": keys,
        "code": ["backlite", "viola"],
        "proposal_id": [proposal.json()["id"]] if proposal.status_code == 201 else [],
        "bo_id": _ids(_listed(client, "/api/booking-orders", admin)),
        "photo_id": _ids(_listed(client, "/api/mockups/photos", admin)),
        "mockup_id": _ids(_listed(client, "/api/mockups", admin)),
        "invite_id": [invite.json()["id"]] if invite.status_code == 201 else [],
    }
    # The fuzz must reach past 404s: every kind of shared record has to exist.
    for name in ("key", "proposal_id", "bo_id", "invite_id", "photo_id"):
        assert shared[name], f"seeding made no {name}"
    # Only a user no fuzzing identity depends on may be renamed, deactivated or re-roled.
    users = _listed(client, "/api/users?limit=100", admin)
    signed_in = set(ROLES.values())
    world.identities = frozenset(str(u["id"]) for u in users if u["email"] in signed_in)
    assert len(world.identities) == len(ROLES), "a fuzzing identity is missing from the users"
    shared["user_id"] = [str(u["id"]) for u in users if u["email"] not in signed_in][:2]
    return shared


@pytest.fixture(scope="session")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzWorld]:
    with live_server(tmp_path_factory.mktemp("fuzz"), **SERVER_ENV) as url:
        world = FuzzWorld(url, {role: sign_in(url, email) for role, email in ROLES.items()})
        with httpx.Client(base_url=url, timeout=60) as client:
            for role, headers in world.headers.items():
                world.ids[role] = _seed_role(client, headers)
            world.ids["*"] = _seed_shared(client, world)
        yield world


@pytest.fixture(scope="session")
def fuzz_base_url(fuzz_world: FuzzWorld) -> str:
    return fuzz_world.base_url
