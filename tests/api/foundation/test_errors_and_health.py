"""The HTTP edge: health, the standard error body, request ids, body limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel


class Echo(BaseModel):
    text: str


def _add_probe_routes(app: FastAPI) -> None:
    @app.post("/_probe/echo")
    async def echo(body: Echo) -> Echo:
        return body

    @app.get("/_probe/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail postgresql://user:pw@db-internal:5432/x")


def _assert_error_body(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]  # type: ignore[no-any-return]


async def test_health_says_only_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_checks_components_without_internals(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def _ready_with(
    app: FastAPI, client: httpx.AsyncClient, component: str, stand_in: Any
) -> httpx.Response:
    """/health/ready with one component of the app replaced for the call."""
    healthy = getattr(app.state, component)
    setattr(app.state, component, stand_in)
    try:
        return await client.get("/health/ready")
    finally:
        setattr(app.state, component, healthy)


async def test_ready_is_503_when_database_is_gone(app: FastAPI, client: httpx.AsyncClient) -> None:
    from salesbot.kit.db import Database, make_engine

    gone = Database(make_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    response = await _ready_with(app, client, "db", gone)
    await gone.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "127.0.0.1" not in response.text


async def test_ready_is_503_when_configured_redis_is_gone(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from salesbot.kit.redis import RedisFacade

    # Nothing listens on port 1: a configured Redis that does not answer.
    gone = RedisFacade("redis://127.0.0.1:1/0", retry_interval=60)
    response = await _ready_with(app, client, "redis", gone)
    await gone.close()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "127.0.0.1" not in response.text


async def test_ready_ignores_redis_when_none_is_configured(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from salesbot.kit.redis import RedisFacade

    response = await _ready_with(app, client, "redis", RedisFacade(None))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_unknown_route_is_standard_404(client: httpx.AsyncClient) -> None:
    error = _assert_error_body(await client.get("/api/nothing-here"), 404, "not_found")
    assert error["message"] == "Not found"


async def test_malformed_json_is_400(app: FastAPI, client: httpx.AsyncClient) -> None:
    _add_probe_routes(app)
    response = await client.post(
        "/_probe/echo", content=b'{"text": ', headers={"Content-Type": "application/json"}
    )
    error = _assert_error_body(response, 400, "malformed_json")
    assert "JSON" in str(error["message"])


async def test_wrong_content_type_is_422_without_echo(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    _add_probe_routes(app)
    response = await client.post(
        "/_probe/echo", content=b"text=<script>", headers={"Content-Type": "text/plain"}
    )
    _assert_error_body(response, 422, "validation_failed")
    assert "<script>" not in response.text


async def test_validation_error_names_field_not_input(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    _add_probe_routes(app)
    response = await client.post("/_probe/echo", json={"text": {"nested": "HOSTILE-VALUE"}})
    error = _assert_error_body(response, 422, "validation_failed")
    assert "HOSTILE-VALUE" not in response.text
    assert error["details"][0]["field"] == "text"  # type: ignore[index]


async def test_oversize_json_body_is_413(app: FastAPI, client: httpx.AsyncClient) -> None:
    _add_probe_routes(app)
    big = b'{"text": "' + b"x" * (10 * 1024 * 1024 + 10) + b'"}'
    response = await client.post(
        "/_probe/echo", content=big, headers={"Content-Type": "application/json"}
    )
    error = _assert_error_body(response, 413, "payload_too_large")
    assert "10 MB" in str(error["message"])


async def test_oversize_chunked_body_is_413(app: FastAPI, client: httpx.AsyncClient) -> None:
    _add_probe_routes(app)

    async def chunks() -> AsyncIterator[
        bytes
    ]:  # no Content-Length: the running count must catch it
        yield b'{"text": "'
        for _ in range(11):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    response = await client.post(
        "/_probe/echo", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _assert_error_body(response, 413, "payload_too_large")


async def test_crash_is_500_with_request_id_and_no_internals(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    _add_probe_routes(app)
    response = await client.get("/_probe/boom", headers={"X-Request-ID": "trace-123"})
    error = _assert_error_body(response, 500, "internal_error")
    assert error["details"] == {"request_id": "trace-123"}
    assert "trace-123" in str(error["message"])
    assert "db-internal" not in response.text
    assert "RuntimeError" not in response.text
    assert response.headers["x-request-id"] == "trace-123"


async def test_well_formed_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc-123.def"})
    assert response.headers["x-request-id"] == "abc-123.def"


async def test_generated_request_id_when_absent(client: httpx.AsyncClient) -> None:
    first = (await client.get("/health")).headers["x-request-id"]
    second = (await client.get("/health")).headers["x-request-id"]
    assert len(first) == 32 and first != second


async def test_hostile_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    for hostile in ["a" * 10_000, "evil\tinjected", "<script>x</script>", "../../etc"]:
        response = await client.get("/health", headers={"X-Request-ID": hostile})
        echoed = response.headers["x-request-id"]
        assert echoed != hostile
        assert len(echoed) == 32


async def test_security_headers_present(client: httpx.AsyncClient) -> None:
    headers = (await client.get("/")).headers
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in headers  # HSTS only in production


async def test_openapi_documents_error_shapes(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    ready = schema["paths"]["/health/ready"]["get"]["responses"]
    for status in ("400", "422", "500"):
        ref = ready[status]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorBody")


async def test_docs_are_self_hosted(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert (await client.get("/static/swagger/swagger-ui-bundle.js")).status_code == 200
