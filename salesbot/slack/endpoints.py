"""Slack's requests (events, interactivity, slash commands) and the web UI's account linking.

`POST /slack/events` is public but signed: only a request with Slack's valid signature, a fresh
timestamp and never seen before is handed to the Bolt app; nothing else is read. The linking
routes are ordinary signed-in routes (`account:self`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Request, Response

from salesbot.auth.deps import AUTH_RESPONSES, caller_ip, require
from salesbot.auth.service import Principal
from salesbot.kit.db import DbSession, utcnow
from salesbot.kit.deps import AppRateLimiter, AppSettings
from salesbot.kit.errors import ErrorBody, NotFound
from salesbot.slack import service
from salesbot.slack.schemas import LinkConfirm, SlackLinkOut, SlackLinks

if TYPE_CHECKING:
    # Bolt (and aiohttp under it) load only when Slack is set up (`app._open_slack`).
    from salesbot.slack.channel import SlackChannel

router = APIRouter(tags=["slack"])
me_router = APIRouter(prefix="/api/me/slack", tags=["slack"], responses=AUTH_RESPONSES)
Self = Annotated[Principal, Depends(require("account:self"))]

OFF = "The Slack app is not set up on this server."
MAX_SLACK_BODY = 1024 * 1024


def _channel(request: Request) -> SlackChannel:
    channel: SlackChannel | None = getattr(request.app.state, "slack", None)
    if channel is None:
        raise NotFound(OFF, code="slack_off")
    return channel


@router.post(
    "/slack/events",
    response_class=Response,
    responses={
        200: {"description": "Slack's request was accepted", "content": {"application/json": {}}},
        401: {"model": ErrorBody, "description": "Not signed by Slack, too old, or a replay"},
        404: {"model": ErrorBody, "description": "The Slack app is not set up"},
        429: {"model": ErrorBody, "description": "Too many requests"},
    },
)
async def slack_events(
    request: Request, settings: AppSettings, limiter: AppRateLimiter
) -> Response:
    """Events API, interactivity and slash commands from Slack (signed by Slack)."""
    channel = _channel(request)
    await limiter.check("slack", settings.rate_limit_slack, caller_ip())
    body = (await request.body())[:MAX_SLACK_BODY]
    await channel.check.check(request.headers, body)
    if request.headers.get("x-slack-retry-num"):
        # Slack retries when it missed our answer; the first delivery is already being handled,
        # and doing it twice would run the assistant (or a transition attempt) twice.
        return Response(status_code=200)
    return await channel.handler.handle(request)


@me_router.get("", response_model=SlackLinks)
async def my_slack_links(session: DbSession, principal: Self) -> SlackLinks:
    """The Slack accounts linked to yours."""
    return SlackLinks(
        items=[_out(link) for link in await service.links(session, principal.user_id)]
    )


@me_router.post(
    "/link",
    response_model=SlackLinkOut,
    responses={422: {"model": ErrorBody, "description": "The link is used or expired"}},
)
async def confirm_slack_link(
    body: LinkConfirm, session: DbSession, principal: Self
) -> SlackLinkOut:
    """Confirm the one-time link the Slack bot sent you: Slack then acts as your account."""
    return _out(await service.confirm_code(session, principal, body.code, now=utcnow()))


@me_router.delete(
    "",
    status_code=204,
    response_class=Response,
    responses={404: {"model": ErrorBody, "description": "Not linked"}},
)
async def unlink_slack(session: DbSession, principal: Self) -> Response:
    """Disconnect your Slack account(s)."""
    await service.unlink(session, principal)
    return Response(status_code=204)


def _out(link: service.LinkedAccount) -> SlackLinkOut:
    return SlackLinkOut(
        team_id=link.team_id,
        slack_user_id=link.slack_user_id,
        method=link.method,
        linked_at=link.linked_at,
    )
