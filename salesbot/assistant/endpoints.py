"""Chat over Server-Sent Events, resuming a run's events, and the costs report."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from salesbot.assistant import usage
from salesbot.assistant.chat import Assistant, StartedRun
from salesbot.assistant.runs import HEARTBEAT, RunEvent, check_event_id
from salesbot.assistant.schemas import ChatRequest, CostLineOut, CostReportOut
from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.kit.db import DbSession
from salesbot.kit.deps import AppRateLimiter, AppSettings
from salesbot.kit.errors import COMMON_RESPONSES
from salesbot.kit.query import QueryDate

router = APIRouter(tags=["assistant"], responses=AUTH_RESPONSES)

Chatter = Annotated[Principal, Depends(require("conversations:create"))]
Reader = Annotated[Principal, Depends(require("conversations:read"))]
CostReader = Annotated[Principal, Depends(require("costs:read"))]


def _json_error(description: str) -> dict[str, Any]:
    # Spelled out: with `model=` FastAPI would document errors as text/event-stream, the
    # route's media type, while they are sent as JSON before any stream opens.
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }


SSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "Server-Sent Events: message_start, delta, tool_started, tool_progress, "
            "tool_result, message_end, error (and heartbeat); every event has an id"
        ),
        "content": {"text/event-stream": {}},
    },
    **{
        code: _json_error(str(spec["description"]))
        for code, spec in {**COMMON_RESPONSES, **AUTH_RESPONSES}.items()
    },
    404: _json_error("Conversation or run not found"),
}


def assistant_of(request: Request) -> Assistant:
    assistant: Assistant = request.app.state.assistant
    return assistant


def _sse(item: RunEvent) -> ServerSentEvent:
    if item.event == HEARTBEAT and not item.id:
        return ServerSentEvent(comment="heartbeat")
    return ServerSentEvent(event=item.event, id=item.id or None, data=item.data)


async def _stream(events: AsyncIterator[RunEvent]) -> AsyncIterator[ServerSentEvent]:
    async for item in events:
        yield _sse(item)


async def start_chat(
    body: ChatRequest,
    request: Request,
    principal: Chatter,
    settings: AppSettings,
    limiter: AppRateLimiter,
) -> StartedRun:
    """Everything that can fail with an HTTP status happens here, before the stream opens."""
    await limiter.check("chat", settings.rate_limit_chat, str(principal.user_id))
    return await assistant_of(request).start(
        principal=principal,
        app=request.app.state,
        conversation_id=body.conversation_id,
        message=body.message,
        file_ids=body.file_ids,
    )


@router.post(
    "/api/chat",
    response_class=EventSourceResponse,
    responses={
        **SSE_RESPONSES,
        409: _json_error("The conversation is still answering"),
    },
)
async def chat(
    request: Request,
    principal: Chatter,
    started: Annotated[StartedRun, Depends(start_chat)],
) -> AsyncIterable[ServerSentEvent]:
    """Send a message; the reply streams back. The run goes on if you disconnect: resume it
    with `GET /api/chat/runs/{run_id}/events` (the run id is in `message_start`)."""
    events = await assistant_of(request).follow(principal, started.run_id, after=None)
    async for item in _stream(events):
        yield item


async def follow_run(
    run_id: str,
    request: Request,
    principal: Reader,
    last_event_id: Annotated[str | None, Header(max_length=64)] = None,
) -> AsyncIterator[RunEvent]:
    after = check_event_id(last_event_id)
    return await assistant_of(request).follow(principal, run_id[:64], after=after)


@router.get(
    "/api/chat/runs/{run_id}/events",
    response_class=EventSourceResponse,
    responses=SSE_RESPONSES,
)
async def run_events(
    events: Annotated[AsyncIterator[RunEvent], Depends(follow_run)],
) -> AsyncIterable[ServerSentEvent]:
    """A run's events after `Last-Event-ID` (all of them without it), then the live ones."""
    async for item in _stream(events):
        yield item


@router.get("/api/costs", response_model=CostReportOut, response_model_by_alias=True)
async def costs(
    settings: AppSettings,
    session: DbSession,
    principal: CostReader,
    from_date: Annotated[QueryDate | None, Query(alias="from")] = None,
    to_date: Annotated[QueryDate | None, Query(alias="to")] = None,
    group_by: Annotated[Literal["day", "user", "model", "call_type"], Query()] = "day",
) -> CostReportOut:
    """Model usage and cost: your own, or everyone's for admins and heads of sales."""
    zone = ZoneInfo(settings.timezone)
    end = to_date or datetime.now(zone).date()
    start = from_date or end - timedelta(days=29)
    report = await usage.report(
        session, principal, start=start, end=end, group_by=group_by, zone=zone
    )

    def line(item: usage.CostLine) -> CostLineOut:
        return CostLineOut(
            key=item.key,
            label=item.label or item.key,
            free=item.free,
            calls=item.calls,
            input_tokens=item.input_tokens,
            cached_tokens=item.cached_tokens,
            output_tokens=item.output_tokens,
            cost=item.cost,
        )

    return CostReportOut(
        from_date=report.start,
        to_date=report.end,
        group_by=report.group_by,
        scope=report.scope,
        items=[line(i) for i in report.lines],
        total=line(report.total),
    )
