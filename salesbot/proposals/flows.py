"""Producing a proposal through the job queue, its progress passed on to whoever waits.

The request (form or chat tool) queues `proposals.render` with a tracking key and follows the
job's progress record (`jobs.progress`) until the proposal is recorded, then reads it back. The
rules' refusals come back as the same 422 (or 409) the in-line service raises. The form may name
the render (`render_id`) and poll `GET /api/proposal-renders/{render_id}` meanwhile.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.jobs import current_runtime, enqueue
from salesbot.jobs.progress import JobFailed, Progress, Snapshot
from salesbot.kit.errors import AppError, Conflict, NotFound, ServiceUnavailable
from salesbot.kit.ids import new_id
from salesbot.proposals import service
from salesbot.proposals.models import Proposal
from salesbot.proposals.schemas import DuplicateRequest
from salesbot.settings import Settings

RENDER_NOT_FOUND = "No such proposal render."


async def _quiet(percent: int, message: str) -> None:
    return None


def tracking_key(user_id: uuid.UUID, render_id: uuid.UUID) -> str:
    """Per person, so one person's render id never reads another's progress."""
    return f"proposal-render:{user_id}:{render_id}"


async def render_progress(principal: Principal, render_id: uuid.UUID) -> Snapshot:
    """How far the caller's render `render_id` is; NotFound when unknown (or expired)."""
    snapshot = await current_runtime().board.aread(tracking_key(principal.user_id, render_id))
    if snapshot is None:
        raise NotFound(RENDER_NOT_FOUND)
    return snapshot


def _error(error: dict[str, Any]) -> AppError:
    """The job's refusal as the in-line service raises it (the tools catch ProposalRejected)."""
    message = str(error.get("message") or "")
    if error.get("status") == service.ProposalRejected.status_code:
        return service.ProposalRejected(
            message, code=str(error.get("code")), details=error.get("details")
        )
    if error.get("status") == Conflict.status_code:
        return Conflict(message, code=str(error.get("code")), details=error.get("details"))
    return JobFailed(error)


async def produce(
    session: AsyncSession,
    principal: Principal,
    data: service.ProposalInput,
    *,
    settings: Settings,
    progress: Progress = _quiet,
    previous: Proposal | None = None,
    render_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
) -> Proposal:
    """Queue the proposal's rendering, pass its progress on, and return it once recorded
    (as made in `conversation_id`, when a chat asked for it)."""
    board = current_runtime().board
    key = tracking_key(principal.user_id, render_id or new_id())
    await session.commit()  # hold no pooled connection while a worker renders
    await board.apublish(key, Snapshot("queued", 0, "Waiting for a worker"))
    previous_id = str(previous.id) if previous is not None else None
    request = service.input_of(data)
    conversation = str(conversation_id) if conversation_id is not None else None
    await enqueue(
        "proposals.render",
        str(principal.user_id),
        request,
        previous_id,
        tracking=key,
        conversation_id=conversation,
    )
    snapshot = await board.follow(key, progress, timeout_s=settings.proposal_render_timeout_s)
    if snapshot is None or not snapshot.finished:
        raise ServiceUnavailable(
            "The proposal is taking longer than usual; it will appear in your history when "
            "it is ready.",
            code="render_pending",
        )
    if snapshot.status == "failed" or snapshot.result is None:
        raise _error(snapshot.error or {})
    proposal_id = uuid.UUID(str(snapshot.result["proposal_id"]))
    return await service.get_proposal(session, principal, proposal_id)


async def duplicate(
    session: AsyncSession,
    principal: Principal,
    proposal_id: uuid.UUID,
    changes: DuplicateRequest | None = None,
    *,
    settings: Settings,
    progress: Progress = _quiet,
    render_id: uuid.UUID | None = None,
) -> Proposal:
    """Produce it again (today's date and rates) as its next version, with optional changes."""
    source = await service.get_proposal(session, principal, proposal_id)
    raw = dict(source.input)
    if changes is not None:
        raw.update(changes.model_dump(exclude_unset=True, exclude_none=True))
    data = service.parse_input(raw)
    return await produce(
        session,
        principal,
        data,
        settings=settings,
        progress=progress,
        previous=source,
        render_id=render_id,
    )
