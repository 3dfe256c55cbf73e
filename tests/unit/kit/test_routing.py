"""Routers indexed by path prefix answer as unindexed ones and skip what they cannot serve."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Match

from salesbot.kit.routing import index_by_prefix


def _app(indexed: bool) -> FastAPI:
    items = APIRouter(prefix="/api/items")

    @items.get("")
    def list_items() -> list[str]:
        return ["a"]

    @items.get("/{item_id}")
    def get_item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    others = APIRouter()

    @others.post("/api/others/")
    def make_other() -> dict[str, str]:
        return {"made": "yes"}

    @others.get("/{page:path}")
    def anything(page: str) -> dict[str, str]:
        return {"page": page}

    holder = APIRouter()
    holder.include_router(items)
    holder.include_router(others)
    if indexed:
        index_by_prefix(holder.routes)
    app = FastAPI()
    app.router.routes.extend(holder.routes)
    return app


REQUESTS = [
    ("GET", "/api/items"),
    ("GET", "/api/items/7"),
    ("GET", "/api/items/x"),  # 422 from the item route
    ("DELETE", "/api/items/7"),  # 405: the path matches, the method does not
    ("POST", "/api/others"),  # redirected to the trailing slash
    ("POST", "/api/others/"),
    ("GET", "/somewhere/else"),  # the catch-all route
]


@pytest.mark.parametrize(("method", "path"), REQUESTS)
def test_indexed_routers_answer_as_before(method: str, path: str) -> None:
    answers = []
    for indexed in (False, True):
        with TestClient(_app(indexed)) as client:
            response = client.request(method, path, follow_redirects=False)
        answers.append((response.status_code, response.headers.get("location"), response.text))
    assert answers[0] == answers[1]


def test_a_router_skips_paths_outside_its_prefixes() -> None:
    app = _app(indexed=True)
    items_router = app.router.routes[-2]
    scope = {"type": "http", "method": "GET", "path": "/api/other", "root_path": "", "app": app}
    assert items_router.matches(scope) == (Match.NONE, {})
    scope["path"] = "/api/items/3"
    assert items_router.matches(scope)[0] is Match.FULL


def test_a_router_with_a_catch_all_route_is_asked_for_any_path() -> None:
    app = _app(indexed=True)
    scope = {"type": "http", "method": "GET", "path": "/x/y", "root_path": "", "app": app}
    assert app.router.routes[-1].matches(scope)[0] is Match.FULL
