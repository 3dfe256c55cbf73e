"""`GET /api/home`: the start page in one request — what the caller was doing and what waits for
them: recent proposals, booking orders they can act on now, recent conversations, and which
entries (new proposal, ask the assistant) they may use.

It lives beside the UI, like `meta`, because it reads several capabilities through their services;
each part appears only when the caller's permissions include it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.booking_orders import presenters as bo_presenters
from salesbot.booking_orders import service as booking_orders
from salesbot.booking_orders.schemas import BookingOrderSummary
from salesbot.conversations import service as conversations
from salesbot.kit.db import DbSession
from salesbot.proposals import service as proposals
from salesbot.proposals.schemas import ProposalSummary

router = APIRouter(prefix="/api", tags=["meta"], responses=AUTH_RESPONSES)
SignedIn = Annotated[Principal, Depends(require("account:self"))]
SHOWN = 5


class ConversationBrief(BaseModel):
    id: uuid.UUID
    title: str
    updated_at: datetime


class HomeOut(BaseModel):
    """Each list is absent (null) when the caller may not see that kind of record."""

    can_propose: bool = Field(description="May make proposals (the 'new proposal' entry)")
    can_chat: bool = Field(description="May use the assistant (the 'ask the assistant' entry)")
    recent_proposals: list[ProposalSummary] | None = None
    waiting_booking_orders: list[BookingOrderSummary] | None = Field(
        default=None, description="Booking orders the caller can act on now, newest first"
    )
    waiting_count: int = Field(default=0, description="How many wait, beyond those listed too")
    recent_conversations: list[ConversationBrief] | None = None


@router.get("/home", response_model=HomeOut)
async def get_home(session: DbSession, principal: SignedIn) -> HomeOut:
    """The start page: recent work and what waits for you, in one request."""
    home = HomeOut(
        can_propose=principal.has("proposals:create"),
        can_chat=principal.has("conversations:create"),
    )
    if principal.has("proposals:read"):
        home.recent_proposals, _ = await proposals.list_proposals(session, principal, limit=SHOWN)
    if principal.has("booking_orders:read"):
        rows, companies, count = await booking_orders.waiting_for(session, principal, limit=SHOWN)
        home.waiting_booking_orders = [
            bo_presenters.summary(r, companies[r.company_id]) for r in rows
        ]
        home.waiting_count = count
    if principal.has("conversations:read"):
        page = await conversations.list_page(
            session, principal, archived=False, pinned=None, cursor=None, limit=SHOWN
        )
        home.recent_conversations = [
            ConversationBrief(id=c.id, title=c.title, updated_at=c.updated_at) for c in page.items
        ]
    return home
