"""The client's page (no account): `/p/{token}` and its page images, download, PIN form,
beacon and decisions. Every route is rate-limited per client IP, sends no-store and
no-referrer headers, and shows nothing of the proposal unless the link is active."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from salesbot.kit.db import DbSession
from salesbot.kit.deps import AppClock, AppRateLimiter, AppSettings, AppStorage
from salesbot.kit.errors import AppError, Forbidden, NotFound
from salesbot.kit.request_context import current_client_ip
from salesbot.kit.storage import content_disposition
from salesbot.settings import Settings
from salesbot.sharing import client, flows, page
from salesbot.sharing.client import PIN_COOKIE, Opened
from salesbot.sharing.schemas import AcceptIn, BeaconIn, DecisionOut, DeclineIn
from salesbot.users.credentials import hash_secret


def _private(response: Response) -> None:
    response.headers.update(PRIVATE_HEADERS)


router = APIRouter(include_in_schema=False, dependencies=[Depends(_private)])
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
Token = Annotated[str, Path(min_length=1, max_length=client.MAX_TOKEN)]


def _ip() -> str:
    return current_client_ip() or "unknown"


async def _limit(limiter: AppRateLimiter, name: str, limit: str, token: str = "") -> None:
    key = f"{_ip()}:{hash_secret(token)[:16]}" if token else _ip()
    await limiter.check(name, limit, key)


async def _open(
    request: Request, session: DbSession, token: str, settings: Settings, now_: AppClock
) -> Opened:
    """An active link whose PIN (if any) this browser entered; else the error to show."""
    opened = await client.open_token(session, token, settings=settings, now=now_())
    client.require_active(opened)
    if not client.pin_passed(settings, opened.link, request.cookies.get(PIN_COOKIE)):
        raise Forbidden("Enter the PIN to open this proposal.", code="pin_required")
    return opened


@router.get("/p/{token}", response_class=HTMLResponse)
async def client_page(
    request: Request,
    token: Token,
    session: DbSession,
    settings: AppSettings,
    storage: AppStorage,
    limiter: AppRateLimiter,
    clock: AppClock,
) -> Response:
    try:
        await _limit(limiter, "share_page", settings.rate_limit_share_page)
        opened = await client.open_token(session, token, settings=settings, now=clock())
        if opened.state != "active":
            return page.unavailable(request, client.GONE_MESSAGES[opened.state], 410)
        if not client.pin_passed(settings, opened.link, request.cookies.get(PIN_COOKIE)):
            return page.pin_form(request, token, None)
        pdf = await client.pdf_bytes(session, storage, opened.pdf_file_id)
        count = await client.PAGE_CACHE.count(pdf)
        return page.proposal_page(request, token, opened, count, settings)
    except AppError as exc:
        return page.unavailable(request, exc.message, exc.status_code)


@router.post("/p/{token}/pin", response_class=HTMLResponse)
async def enter_pin(
    request: Request,
    token: Token,
    pin: Annotated[str, Form(max_length=20)],
    session: DbSession,
    settings: AppSettings,
    limiter: AppRateLimiter,
    clock: AppClock,
) -> Response:
    try:
        await _limit(limiter, "share_pin", settings.rate_limit_share_pin, token)
        opened = await client.open_token(session, token, settings=settings, now=clock())
        client.require_active(opened)
    except AppError as exc:
        return page.unavailable(request, exc.message, exc.status_code)
    if opened.link.pin_hash is None or await client.check_pin(session, opened, pin):
        response = RedirectResponse(f"/p/{token}", status_code=303, headers=PRIVATE_HEADERS)
        response.set_cookie(
            PIN_COOKIE,
            client.pin_proof(settings, opened.link),
            max_age=int((opened.link.expires_at - clock()).total_seconds()),
            path=f"/p/{token}",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https"
            or (settings.public_url or "").startswith("https://"),
        )
        return response
    left = settings.share_pin_attempts - opened.link.pin_failures - 1
    if left <= 0:
        return page.unavailable(request, client.GONE_MESSAGES["locked"], 410)
    return page.pin_form(request, token, f"That PIN is not right. {left} tries left.")


@router.get("/p/{token}/pages/{number}")
async def page_image(
    request: Request,
    token: Token,
    number: Annotated[int, Path(ge=1, le=500)],
    session: DbSession,
    settings: AppSettings,
    storage: AppStorage,
    limiter: AppRateLimiter,
    clock: AppClock,
) -> Response:
    await _limit(limiter, "share_page", settings.rate_limit_share_page)
    opened = await _open(request, session, token, settings, clock)
    pdf = await client.pdf_bytes(session, storage, opened.pdf_file_id)
    if number > await client.PAGE_CACHE.count(pdf):
        raise NotFound("No such page.")
    data = await client.PAGE_CACHE.image(pdf, number)
    headers = {**PRIVATE_HEADERS, "Cache-Control": "private, max-age=300"}
    return Response(content=data, media_type="image/jpeg", headers=headers)


@router.get("/p/{token}/download")
async def download(
    request: Request,
    token: Token,
    session: DbSession,
    settings: AppSettings,
    storage: AppStorage,
    limiter: AppRateLimiter,
    clock: AppClock,
    copy: Annotated[str | None, Query(pattern="^accepted$")] = None,
) -> Response:
    """The proposal's PDF, or with `copy=accepted` the copy carrying the acceptance page."""
    await _limit(limiter, "share_page", settings.rate_limit_share_page)
    opened = await _open(request, session, token, settings, clock)
    file_id = opened.pdf_file_id
    if copy is not None:
        file_id = opened.decision.accepted_file_id if opened.decision else None
        if file_id is None:
            raise NotFound("There is no accepted copy of this proposal.")
    data = await client.pdf_bytes(session, storage, file_id)
    name = f"{opened.proposal.client_name}_Proposal{'_Accepted' if copy else ''}.pdf"
    headers = {**PRIVATE_HEADERS, "Content-Disposition": content_disposition(name)}
    return Response(content=data, media_type="application/pdf", headers=headers)


@router.post("/p/{token}/events", status_code=204)
async def beacon(
    request: Request,
    token: Token,
    body: BeaconIn,
    session: DbSession,
    settings: AppSettings,
    storage: AppStorage,
    limiter: AppRateLimiter,
    clock: AppClock,
) -> Response:
    """The page's beacon: an opening, and seconds on screen per page since the last one."""
    await _limit(limiter, "share_events", settings.rate_limit_share_events)
    opened = await _open(request, session, token, settings, clock)
    pdf = await client.pdf_bytes(session, storage, opened.pdf_file_id)
    first = await client.record_beacon(
        session,
        opened,
        body,
        settings=settings,
        page_total=await client.PAGE_CACHE.count(pdf),
        now=clock(),
        ip=current_client_ip(),
        user_agent=request.headers.get("user-agent"),
    )
    if first:
        await flows.first_opened(session, opened, settings=settings)
    return Response(status_code=204, headers=PRIVATE_HEADERS)


@router.post("/p/{token}/accept", status_code=201, response_model=DecisionOut)
async def accept(
    request: Request,
    token: Token,
    body: AcceptIn,
    session: DbSession,
    settings: AppSettings,
    storage: AppStorage,
    limiter: AppRateLimiter,
    clock: AppClock,
) -> DecisionOut:
    await _limit(limiter, "share_decide", settings.rate_limit_share_decide)
    opened = await _open(request, session, token, settings, clock)
    decision = await flows.accept(
        session,
        storage,
        opened,
        body,
        settings=settings,
        now=clock(),
        ip=current_client_ip(),
        user_agent=request.headers.get("user-agent"),
    )
    copy = f"/p/{token}/download?copy=accepted" if decision.accepted_file_id else None
    return DecisionOut(decision="accepted", decided_at=decision.decided_at, download_url=copy)


@router.post("/p/{token}/decline", status_code=201, response_model=DecisionOut)
async def decline(
    request: Request,
    token: Token,
    body: DeclineIn,
    session: DbSession,
    settings: AppSettings,
    limiter: AppRateLimiter,
    clock: AppClock,
) -> DecisionOut:
    await _limit(limiter, "share_decide", settings.rate_limit_share_decide)
    opened = await _open(request, session, token, settings, clock)
    decision = await flows.decline(
        session,
        opened,
        body,
        settings=settings,
        now=clock(),
        ip=current_client_ip(),
        user_agent=request.headers.get("user-agent"),
    )
    return DecisionOut(decision="declined", decided_at=decision.decided_at)
