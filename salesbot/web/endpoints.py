"""Page routes: the web UI shell and the self-hosted OpenAPI UI (no CDN, no inline script).

Every page of the web UI is the same HTML shell; the client-side router (static/js/router.js)
renders the page for the path. The server lists the paths so unknown ones still answer 404.
"""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp
from swagger_ui_bundle import swagger_ui_path

from salesbot.kit.static import FingerprintedStaticFiles
from salesbot.users.credentials import MIN_PASSWORD_LENGTH

WEB_DIR = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=WEB_DIR / "templates")
router = APIRouter(include_in_schema=False)
STATIC = "/static"
# The HTML shell is tiny and the data comes from the API; revalidated on every visit so a
# deploy's new asset fingerprints are picked up at once.
HTML_CACHE = "no-cache"


@functools.cache
def assets() -> FingerprintedStaticFiles:
    """The UI's static files; their fingerprint is taken once, on first use (start-up)."""
    return FingerprintedStaticFiles(WEB_DIR / "static")


def static_url(path: str) -> str:
    """The fingerprinted URL of a file under static/, for templates."""
    return assets().url(STATIC, path)


templates.env.globals["static_url"] = static_url

# Path → page title; the router in static/js/router.js knows the same paths.
PAGES: dict[str, str] = {
    "/": "Home",
    "/login": "Sign in",
    "/invite": "Accept invitation",
    "/settings": "Settings",
    "/chat": "Chat",
    "/chat/{conversation_id}": "Chat",
    "/admin/users": "Users",
    "/admin/invites": "Invitations",
    "/admin/audit": "Audit log",
    "/proposals": "New proposal",
    "/proposals/history": "Proposal history",
    "/mockups": "Mockups",
    "/mockups/setup": "Mockup setup",
    "/costs": "Costs",
    "/admin/locations": "Locations",
    "/admin/rates": "Currency rates",
    "/admin/companies": "Companies",
    "/admin/lifecycle": "Data lifecycle",
    "/booking-orders": "Booking orders",
    "/booking-orders/{booking_order_id}": "Booking order",
    "/notifications": "Notifications",
    "/inventory": "Availability",
    "/locations/{key}/availability": "Availability",
}


def static_mounts() -> dict[str, ASGIApp]:
    # Text assets are compressed (the swagger bundle shrinks from 1.4 MB to ~0.4 MB); images
    # and fonts are left alone by the middleware.
    return {
        # The more specific mount first: Starlette matches mounts in order.
        f"{STATIC}/swagger": GZipMiddleware(StaticFiles(directory=swagger_ui_path)),
        STATIC: GZipMiddleware(assets()),
    }


def _page_route(path: str, title: str) -> None:
    async def page(request: Request) -> HTMLResponse:
        # The one rule a signed-out page (the invitation) shows; /api/meta needs a session.
        context = {"title": title, "min_password_length": MIN_PASSWORD_LENGTH}
        response = templates.TemplateResponse(request, "app.html", context)
        response.headers["Cache-Control"] = HTML_CACHE
        return response

    page.__name__ = "page_" + (path.strip("/").replace("/", "_").replace("{", "").replace("}", ""))
    router.add_api_route(path, page, methods=["GET"], response_class=HTMLResponse)


for _path, _title in PAGES.items():
    _page_route(_path, _title)


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> HTMLResponse:
    response = templates.TemplateResponse(request, "docs.html", {"title": "API reference"})
    response.headers["Cache-Control"] = HTML_CACHE
    return response
