"""What the fuzz found: undeclared methods answer 405 with the full `Allow`, and query
parameters accept only what the schema declares (no `?date_to=0` read as 1970-01-01)."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from fastapi import FastAPI

from salesbot.kit.middleware import routed_methods
from tests.api.auth.conftest import seed_accounts
from tests.support.auth import bearer

VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _declared(app: FastAPI) -> dict[str, set[str]]:
    return {
        path: {m.upper() for m in ops if m.upper() in VERBS}
        for path, ops in app.openapi()["paths"].items()
    }


async def test_every_undeclared_method_gets_405_with_the_declared_allow(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = bearer(app, (await seed_accounts(app)).admin.id)
    wrong: list[str] = []
    checked = 0
    for path, methods in _declared(app).items():
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        for method in [*(set(VERBS) - methods), "OPTIONS"]:
            response = await client.request(method, url, headers=admin)
            allow = {m.strip() for m in response.headers.get("allow", "").split(",") if m.strip()}
            if response.status_code != 405 or allow - {"HEAD"} != methods:
                wrong.append(f"{method} {path}: {response.status_code} Allow={sorted(allow)}")
            elif response.json()["error"]["code"] != "method_not_allowed":
                wrong.append(f"{method} {path}: body {response.text[:80]}")
            checked += 1
    assert checked > 200
    assert not wrong, "\n".join(wrong)


def test_the_method_check_reads_exactly_the_paths_and_methods_the_schema_declares(
    app: FastAPI,
) -> None:
    routed = {path: set(methods) for path, methods in routed_methods(app.routes).items()}
    assert routed == _declared(app)


async def test_a_literal_path_is_never_routed_to_its_parameter_sibling(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = bearer(app, (await seed_accounts(app)).admin.id)
    for method, path, allow in (
        ("GET", "/api/proposals/preview", "POST"),
        ("PATCH", "/api/booking-orders/export", "GET"),
        ("PATCH", "/api/conversations/search", "GET"),
    ):
        response = await client.request(method, path, headers=admin)
        assert response.status_code == 405, (path, response.text)
        assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    "url",
    [
        "/api/proposals?date_to=0",
        "/api/proposals?date_from=20260101",
        "/api/proposals/export?date_to=0",
        "/api/costs?to=0",
        "/api/costs?from=1700000000",
        "/api/audit?until=0.5",
        "/api/audit?since=1700000000",
    ],
)
async def test_dates_in_the_query_must_be_written_as_dates(
    app: FastAPI, client: httpx.AsyncClient, url: str
) -> None:
    admin = bearer(app, (await seed_accounts(app)).admin.id)
    response = await client.get(url, headers=admin)
    assert response.status_code == 422, response.text
    assert "YYYY-MM-DD" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/proposals?date_from=2026-01-01&date_to=2026-12-31",
        "/api/costs?from=2026-01-01&to=2026-01-31",
        "/api/audit?since=2026-01-01T00:00:00Z&until=2026-12-31T23:59:59%2B04:00",
        "/api/audit?since=2026-01-01",
    ],
)
async def test_iso_dates_in_the_query_are_accepted(
    app: FastAPI, client: httpx.AsyncClient, url: str
) -> None:
    admin = bearer(app, (await seed_accounts(app)).admin.id)
    response = await client.get(url, headers=admin)
    assert response.status_code == 200, response.text


async def test_a_refused_api_key_scope_names_the_allowed_values(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    items = app.openapi()["components"]["schemas"]["ApiKeyCreate"]["properties"]["scopes"]
    assert "users:manage" in items["items"]["enum"]  # the fixed set is documented
    sales = bearer(app, (await seed_accounts(app)).sales.id)
    response = await client.post(
        "/api/me/api-keys",
        json={"name": "sneaky", "scopes": ["users:manage", "proposals:read"]},
        headers=sales,
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["message"].endswith("permissions you hold yourself; not: users:manage")
    assert error["details"]["refused"] == ["users:manage"]
    assert "proposals:read" in error["details"]["allowed"]
    assert "users:manage" not in error["details"]["allowed"]
