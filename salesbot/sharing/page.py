"""The client page's HTML: the proposal, the PIN form, and the page for a link that is gone."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from salesbot.proposals import service as proposals
from salesbot.settings import Settings
from salesbot.sharing import client
from salesbot.sharing.client import Opened
from salesbot.sharing.privacy import PRIVACY_NOTE
from salesbot.web.endpoints import static_url

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
templates.env.globals["static_url"] = static_url
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def _render(request: Request, name: str, context: dict[str, Any], status: int) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, name, {"privacy": PRIVACY_NOTE, **context}, status_code=status
    )
    response.headers.update(HEADERS)
    return response


def unavailable(request: Request, message: str, status: int) -> HTMLResponse:
    """A clear page for a link that shows nothing (unknown, expired, revoked, ...)."""
    if status == 404:
        message = "This link is not valid. Check that you copied the whole address."
    return _render(request, "client_unavailable.html", {"message": message}, status)


def pin_form(request: Request, token: str, error: str | None) -> HTMLResponse:
    return _render(request, "client_pin.html", {"token": token, "error": error}, 200)


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def proposal_page(
    request: Request, token: str, opened: Opened, page_count: int, settings: Settings
) -> HTMLResponse:
    proposal = opened.proposal
    decision = opened.decision
    context = {
        "token": token,
        "base": f"/p/{token}",
        "proposal": proposal,
        "valid_until": _long_date(proposal.valid_until),
        "proposal_date": _long_date(proposal.proposal_date),
        "expires": _long_date(proposals.local_now(settings, opened.link.expires_at).date()),
        "pages": list(range(1, page_count + 1)),
        "view": client.new_view_token(settings, opened.link),
        "decision": decision,
        "decided_on": (
            _long_date(proposals.local_now(settings, decision.decided_at).date())
            if decision
            else None
        ),
        "choosing": [loc for loc in proposal.locations if len(loc.options) > 1]
        if proposal.package is None
        else [],
    }
    return _render(request, "client_proposal.html", context, 200)
