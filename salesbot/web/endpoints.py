"""Page routes: the web UI shell and the self-hosted OpenAPI UI (no CDN, no inline script)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from swagger_ui_bundle import swagger_ui_path

WEB_DIR = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=WEB_DIR / "templates")
router = APIRouter(include_in_schema=False)


def static_mounts() -> dict[str, StaticFiles]:
    return {
        # The more specific mount first: Starlette matches mounts in order.
        "/static/swagger": StaticFiles(directory=swagger_ui_path),
        "/static": StaticFiles(directory=WEB_DIR / "static"),
    }


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {"title": "Sales Proposal Bot"})


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "docs.html", {"title": "API reference"})
