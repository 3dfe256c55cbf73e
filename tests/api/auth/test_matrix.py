"""Authorisation matrix over every route in the router table (new routes are covered too)."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, _iter_included_route_candidates
from openpyxl import load_workbook
from pydantic import BaseModel, SecretStr, TypeAdapter, ValidationError

from salesbot.auth.deps import require
from salesbot.auth.tokens import ACCESS_AUDIENCE, ACCESS_ISSUER
from salesbot.users.models import RoleAssignment, User
from salesbot.users.permissions import ROLE_PERMISSIONS
from salesbot.users.roles import Role
from salesbot.web.endpoints import PAGES
from tests.api.auth.admin_calls import EXPECTED, Ctx, Expect, seed
from tests.api.auth.conftest import Seeded
from tests.api.locations.support import Person, make_team, seed_catalogue
from tests.support.auth import bearer

# Routes anyone may call; everything else must authenticate and check a permission.
PUBLIC = {
    ("GET", "/"),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
    ("GET", "/health"),
    ("GET", "/health/ready"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/mfa"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/dev-login"),
    ("POST", "/api/invites/accept"),
}
# Web pages all serve the same data-free shell; every byte of data comes from the API.
PUBLIC |= {("GET", path) for path in PAGES}
# A client's proposal link: the token in the path (and the PIN, when set) is the credential;
# each route is rate-limited per IP (tests/api/sharing cover what they refuse).
CLIENT_LINK = {
    ("GET", "/p/{token}"),
    ("POST", "/p/{token}/pin"),
    ("GET", "/p/{token}/pages/{number}"),
    ("GET", "/p/{token}/download"),
    ("POST", "/p/{token}/events"),
    ("POST", "/p/{token}/accept"),
    ("POST", "/p/{token}/decline"),
}
PUBLIC |= CLIENT_LINK
# Routes a machine calls with its own credential, never a user's: the metrics token, or a
# direct loopback request when none is set (tests/api/ops/test_metrics.py covers the rule).
OWN_CREDENTIAL = {("GET", "/metrics")}
# Public but signed: Slack's requests carry Slack's signature, never a user's credential
# (tests/api/slack/test_requests.py covers signature, freshness and replays).
SLACK_SIGNED = {("POST", "/slack/events")}


def _permission(route: APIRoute) -> str | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, require):
            return dep.call.permission
        stack.extend(dep.dependencies)
    return None


def _protected_routes(app: FastAPI) -> list[tuple[str, APIRoute, str]]:
    """(method, route, permission) for every route that is not public."""
    found = []
    # FastAPI keeps included routers lazily; this yields the effective routes with full paths.
    for route in _iter_included_route_candidates(app.routes):
        if not isinstance(route, APIRoute):
            continue
        for method in sorted((route.methods or set()) - {"HEAD", "OPTIONS"}):
            if (method, route.path) in PUBLIC | OWN_CREDENTIAL | SLACK_SIGNED:
                continue
            permission = _permission(route)
            assert permission, f"{method} {route.path} is neither public nor uses require()"
            found.append((method, route, permission))
    return found


def _protected(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path with random ids, permission) for every route that is not public."""
    return [
        (method, re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path), permission)
        for method, route, permission in _protected_routes(app)
    ]


def _token(secret: str, sub: uuid.UUID, **changes: object) -> dict[str, str]:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": str(sub),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "aud": ACCESS_AUDIENCE,
        "iss": ACCESS_ISSUER,
        "typ": "access",
    }
    claims.update(changes)
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"}


async def _call(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]):
    kwargs: dict[str, object] = {"headers": headers}
    if method in {"POST", "PUT", "PATCH"}:
        kwargs["json"] = {}
    return await client.request(method, path, **kwargs)  # type: ignore[arg-type]


async def test_every_protected_route_rejects_bad_credentials(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    secret = app.state.settings.secret_key.get_secret_value()
    past = datetime.now(UTC) - timedelta(hours=1)
    cases = {
        "none": {},
        "expired": _token(
            secret, seeded.admin.id, exp=int(past.timestamp()), iat=int(past.timestamp())
        ),
        "bad signature": _token("another-secret-key-of-sufficient-length!!", seeded.admin.id),
        "wrong audience": _token(secret, seeded.admin.id, aud="someone-else"),
        "wrong issuer": _token(secret, seeded.admin.id, iss="someone-else"),
        "garbage": {"Authorization": "Bearer not.a.jwt"},
        "unknown api key": {"X-API-Key": "sbk_00000000_nope"},
    }
    routes = _protected(app)
    assert len(routes) >= 10
    for method, path, _ in routes:
        for name, headers in cases.items():
            response = await _call(client, method, path, headers)
            assert response.status_code == 401, (method, path, name, response.text)
            assert response.json()["error"]["code"] in {"unauthorized", "invalid_token"}


@pytest.mark.jobs
async def test_viewer_gets_403_where_the_role_lacks_the_permission(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    viewer = bearer(app, seeded.viewer.id)
    checked = 0
    for method, path, permission in _protected(app):
        response = await _call(client, method, path, viewer)
        if permission in ROLE_PERMISSIONS[Role.viewer]:
            assert response.status_code not in {401, 403}, (method, path, response.text)
        else:
            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["error"]["code"] == "forbidden"
            checked += 1
    assert checked >= 5


@pytest.mark.jobs
async def test_admin_passes_every_permission_check(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    admin = bearer(app, seeded.admin.id)
    for method, path, _ in _protected(app):
        response = await _call(client, method, path, admin)
        assert response.status_code not in {401, 403, 500}, (method, path, response.text)


@pytest.mark.jobs
async def test_admin_gets_each_routes_documented_answer(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """A real request per protected route: the documented 2xx and a body of the declared shape."""
    ctx = await seed(app, client)
    routes = _protected_routes(app)
    missing = [f"{m} {r.path}" for m, r, _ in routes if (m, r.path) not in EXPECTED]
    assert not missing, f"add an expectation to tests/api/auth/admin_calls.py for: {missing}"
    stale = set(EXPECTED) - {(m, r.path) for m, r, _ in routes}
    assert not stale, f"expectations for routes that no longer exist: {stale}"
    problems = [
        problem
        for method, route, _ in routes
        if (problem := await _admin_problem(ctx, method, route, EXPECTED[(method, route.path)]))
    ]
    assert not problems, "\n".join(problems)


def _by_name(route: APIRoute, body: object) -> object:
    """The body with a model's serialisation aliases (`from` for `from_date`) back as names."""
    model = route.response_model
    if not (isinstance(model, type) and issubclass(model, BaseModel) and isinstance(body, dict)):
        return body
    names = {
        f.serialization_alias: n for n, f in model.model_fields.items() if f.serialization_alias
    }
    return {names.get(key, key): value for key, value in body.items()}


def _undocumented_content_type(
    app: FastAPI, method: str, path: str, response: httpx.Response
) -> str | None:
    """Whether the answer's media type is one the schema documents for its status."""
    if not response.content:
        return None
    documented = app.openapi()["paths"][path][method.lower()]["responses"]
    answer = documented.get(str(response.status_code)) or documented.get("default") or {}
    media = response.headers.get("content-type", "").split(";")[0].strip()
    listed = set(answer.get("content", {}))
    # A file download documents `*/*`: the file's own type, whatever it is.
    if listed & {media, f"{media.split('/')[0]}/*", "*/*"}:
        return None
    return f"answers {media!r}, the schema documents {sorted(listed)} for this status"


async def _admin_problem(ctx: Ctx, method: str, route: APIRoute, expect: Expect) -> str | None:
    """What is wrong with the admin's answer from one route, or None."""
    response = await expect.call(ctx)
    where = f"{method} {route.path} answered {response.status_code}: {response.text[:300]}"
    if response.status_code != expect.status:
        return f"{where} (expected {expect.status})"
    if expect.error_code is not None:
        code = response.json()["error"]["code"]
        return None if code == expect.error_code else f"{where} (expected {expect.error_code})"
    if route.status_code is not None and response.status_code != route.status_code:
        return f"{where} (the route documents {route.status_code})"
    if problem := _undocumented_content_type(ctx.app, method, route.path, response):
        return f"{where} ({problem})"
    if expect.status == 204:
        return None if response.content == b"" else f"{where} (204 with a body)"
    if expect.content_type is not None:
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith(expect.content_type) or not response.content:
            return f"{where} ({content_type!r}, expected a non-empty {expect.content_type})"
        return None
    if route.response_model is None:
        return f"{method} {route.path}: no response model; give the expectation a content type"
    try:
        TypeAdapter(route.response_model).validate_python(_by_name(route, response.json()))
    except ValidationError as error:
        return f"{where} (not a {route.response_model}: {error})"
    return None


def _signed_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in _iter_included_route_candidates(app.routes)
        if isinstance(route, APIRoute) and route.path.startswith("/slack/")
        for method in (route.methods or set()) - {"HEAD", "OPTIONS"}
    }


async def test_slack_routes_accept_only_slacks_signature(app: FastAPI) -> None:
    """Every /slack/ route is listed as signed, and a user's credential does not replace it."""
    from salesbot.app import create_app

    assert _signed_routes(app) == SLACK_SIGNED
    settings = app.state.settings.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-x"),
            "slack_signing_secret": SecretStr("s" * 32),
            "public_url": "http://salesbot.test",
        }
    )
    slack_app = create_app(settings)
    async with slack_app.router.lifespan_context(slack_app):
        admin = bearer(slack_app, uuid.uuid4())
        transport = httpx.ASGITransport(app=slack_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            for method, path in sorted(SLACK_SIGNED):
                for headers in ({}, admin, {"X-API-Key": "sbk_00000000_nope"}):
                    response = await client.request(method, path, content=b"{}", headers=headers)
                    assert response.status_code == 401, (method, path, response.text)
                    assert response.json()["error"]["code"] == "slack_signature"


async def test_alg_none_is_rejected(app: FastAPI, client: httpx.AsyncClient, seeded: Seeded):
    now = datetime.now(UTC)
    claims = {
        "sub": str(seeded.admin.id),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "aud": ACCESS_AUDIENCE,
        "iss": ACCESS_ISSUER,
        "typ": "access",
    }
    token = jwt.encode(claims, None, algorithm="none")  # type: ignore[arg-type]
    response = await client.get("/api/users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_deactivated_user_token_stops_working(
    app: FastAPI, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    admin = bearer(app, seeded.admin.id)
    sales = bearer(app, seeded.sales.id)
    assert (await client.get("/api/auth/me", headers=sales)).status_code == 200
    response = await client.patch(
        f"/api/users/{seeded.sales.id}", json={"is_active": False}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert (await client.get("/api/auth/me", headers=sales)).status_code == 403


async def test_routes_with_their_own_credential_refuse_users_and_strangers(
    app: FastAPI, seeded: Seeded
) -> None:
    """No user token opens them, and without their credential only this machine may call."""
    routes = {
        (method, route.path)
        for route in _iter_included_route_candidates(app.routes)
        if isinstance(route, APIRoute)
        for method in (route.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes >= OWN_CREDENTIAL
    admin = bearer(app, seeded.admin.id)
    remote = httpx.ASGITransport(app=app, client=("203.0.113.7", 5000))
    async with httpx.AsyncClient(transport=remote, base_url="http://testserver") as stranger:
        for method, path in sorted(OWN_CREDENTIAL):
            for headers in ({}, admin):
                response = await stranger.request(method, path, headers=headers)
                assert response.status_code == 403, (method, path, headers)
                assert response.json()["error"]["code"] == "forbidden"


# --- company scoping of `proposals:read_all` -------------------------------------------------

# Every route that reads proposal history; a new one must join the matrix below.
PROPOSAL_READS = {
    ("GET", "/api/proposals"),
    ("GET", "/api/proposals/{proposal_id}"),
    ("GET", "/api/proposals/export"),
    ("GET", "/api/proposals/{proposal_id}/shares"),
    ("GET", "/api/proposals/{proposal_id}/timeline"),
}


def _proposal(location: str, client_name: str) -> dict[str, object]:
    start = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    entry = {"location": location, "start_date": start, "durations": ["2 weeks"]}
    if location == "uae21":  # static: needs a production fee
        entry["production_fee"] = "5000"
    return {
        "kind": "separate",
        "client_name": client_name,
        "proposals": [{**entry, "net_rates": ["100000"]}],
    }


async def _person(app: FastAPI, email: str, role: str, company: uuid.UUID | None) -> Person:
    async with app.state.db.sessions() as session:
        user = User(email=email, name=email.split("@")[0], password_hash=None)
        user.roles = [RoleAssignment(role=role, company_id=company)]
        session.add(user)
        await session.commit()
        return Person(user.id, bearer(app, user.id))


async def _key(client: httpx.AsyncClient, owner: Person, *scopes: str) -> Person:
    made = await client.post(
        "/api/me/api-keys", json={"name": "scoped", "scopes": list(scopes)}, headers=owner.headers
    )
    assert made.status_code == 201, made.text
    return Person(owner.id, {"X-API-Key": made.json()["key"]})


async def _seen(client: httpx.AsyncClient, who: Person, ids: dict[str, str]) -> dict[str, set[str]]:
    """The client names each proposal-reading route shows `who` (None when refused)."""
    listed = await client.get("/api/proposals?limit=100", headers=who.headers)
    assert listed.status_code == 200, listed.text
    one_by_one: dict[str, set[str]] = {"get": set(), "shares": set(), "timeline": set()}
    for name, proposal_id in ids.items():
        for route, suffix in (("get", ""), ("shares", "/shares"), ("timeline", "/timeline")):
            got = await client.get(f"/api/proposals/{proposal_id}{suffix}", headers=who.headers)
            assert got.status_code in {200, 404}, got.text
            if got.status_code == 200:
                one_by_one[route].add(name)
    seen = {"list": {item["client_name"] for item in listed.json()["items"]}, **one_by_one}
    exported = await client.get("/api/proposals/export", headers=who.headers)
    if exported.status_code != 403:  # roles without proposals:export are refused outright
        assert exported.status_code == 200, exported.text
        rows = load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows(min_row=2)
        seen["export"] = {str(row[6].value) for row in rows}
    return seen


@pytest.mark.jobs
async def test_reading_all_proposals_is_limited_to_the_readers_companies(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """`proposals:read_all` reaches the reader's companies only; every company's needs admin."""
    reads = {
        (m, r.path)
        for m, r, _ in _protected_routes(app)
        if m == "GET" and r.path.startswith("/api/proposals")
    }
    assert reads == PROPOSAL_READS, "cover the new proposal-reading route in this test"

    team = await make_team(app)
    await seed_catalogue(client, team.admin)
    ids: dict[str, str] = {}
    for person, location, name in (
        (team.sales, "gateway", "Nike"),  # Backlite
        (team.sales, "uae21", "Adidas"),  # Viola
        (team.other, "jawhara", "Puma"),  # Backlite
    ):
        made = await client.post(
            "/api/proposals", json=_proposal(location, name), headers=person.headers
        )
        assert made.status_code == 201, made.text
        ids[name] = made.json()["id"]

    finance_viola = await _person(app, "finance.viola@example.com", "finance", team.viola_id)
    hos_nowhere = await _person(app, "hos.nowhere@example.com", "hos", None)
    everything = {"Nike", "Adidas", "Puma"}
    expected: dict[str, tuple[Person, set[str]]] = {
        "admin": (team.admin, everything),
        # An admin's key without proposals:read_all reads like anyone's: its owner's own only.
        "admin key without read_all": (
            await _key(client, team.admin, "proposals:read", "proposals:export"),
            set(),
        ),
        "hos of Backlite": (team.hos_backlite, {"Nike", "Puma"}),
        "hos of Backlite, key with read_all": (
            await _key(
                client,
                team.hos_backlite,
                "proposals:read",
                "proposals:read_all",
                "proposals:export",
            ),
            {"Nike", "Puma"},
        ),
        "hos of Viola": (team.hos_viola, {"Adidas"}),
        "finance of Viola": (finance_viola, {"Adidas"}),
        "hos of no company": (hos_nowhere, set()),
        "sales": (team.sales, {"Nike", "Adidas"}),
        "other sales": (team.other, {"Puma"}),
        "viewer": (team.viewer, set()),
    }
    wrong = {}
    for label, (who, visible) in expected.items():
        seen = await _seen(client, who, ids)
        if any(names != visible for names in seen.values()):
            wrong[label] = seen
    assert not wrong, wrong
