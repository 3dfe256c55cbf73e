"""Client-link rules for the salesperson: create (one live link per recipient), list with
analytics, revoke, and the proposal's timeline. The client's side is in `client`, the steps
with side effects (e-mail, notifications, stamping, booking orders) in `flows`."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.kit.errors import Conflict, NotFound, ValidationFailed
from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import counter
from salesbot.kit.request_context import public_base
from salesbot.proposals import records
from salesbot.proposals import service as proposals
from salesbot.settings import Settings
from salesbot.sharing import repository
from salesbot.sharing.models import ShareDecision, ShareLink, ShareView
from salesbot.sharing.schemas import LinkState, PageTime, ShareCreate, ShareOut
from salesbot.users import audit
from salesbot.users.credentials import hash_password, hash_secret, new_secret

log = get_logger(__name__)
SHARES_CREATED = counter("salesbot_share_links_created_total", "Client links created")
LINK_NOT_FOUND = "Link not found."
CLIENT_PATH = "/p/"


def link_url(settings: Settings, token: str) -> str:
    """The client's address: under SALESBOT_PUBLIC_URL, else the request's own origin."""
    return (public_base(settings.public_url) or "") + CLIENT_PATH + token


def state_of(link: ShareLink, now: datetime, *, superseded: bool, pin_attempts: int) -> LinkState:
    """Where a link stands; only `active` links show the proposal."""
    if link.revoked_at is not None:
        return "replaced" if link.revoked_reason == "replaced" else "revoked"
    if link.pin_hash is not None and link.pin_failures >= pin_attempts:
        return "locked"
    if now >= link.expires_at:
        return "expired"
    if superseded:
        return "superseded"
    return "active"


@dataclass(frozen=True)
class Made:
    link: ShareLink
    token: str
    replaced: bool


async def _shareable(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID
) -> uuid.UUID:
    """The proposal's id when the caller may share it: visible, newest version, with a PDF."""
    proposal = await proposals.get_proposal(session, principal, proposal_id)
    if await records.is_superseded(session, proposal):
        raise Conflict(
            "A newer version of this proposal exists; share that one instead.",
            code="proposal_superseded",
        )
    if records.pdf_file_id(proposal) is None:
        raise ValidationFailed(
            "This proposal has no PDF to show the client.", code="proposal_without_pdf"
        )
    return proposal.id


async def create_link(
    session: AsyncSession,
    principal: Principal,
    proposal_id: uuid.UUID,
    body: ShareCreate,
    *,
    settings: Settings,
    now: datetime,
) -> Made:
    """A new link for the recipient; an earlier live link to them is revoked as replaced."""
    shared_id = await _shareable(session, principal, proposal_id)
    email = str(body.recipient_email).strip().lower()
    earlier = await repository.live_for_recipient(session, shared_id, email)
    if earlier is not None:
        earlier.revoked_at = now
        earlier.revoked_reason = "replaced"
        await session.flush()
    token = new_secret()
    days = body.expires_in_days or settings.share_link_days
    link = ShareLink(
        proposal_id=shared_id,
        created_by_id=principal.user_id,
        recipient_email=email,
        recipient_name=body.recipient_name.strip(),
        token_hash=hash_secret(token),
        pin_hash=await hash_password(body.pin) if body.pin else None,
        pin_failures=0,
        expires_at=now + timedelta(days=days),
        created_at=now,
    )
    session.add(link)
    audit.record(
        session,
        principal,
        "proposal_shared",
        audit.Target("proposal", shared_id),
        {"link": str(link.id), "days": days, "pin": link.pin_hash is not None},
    )
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            "Another link to this recipient was made at the same moment; please try again.",
            code="share_conflict",
        ) from None
    SHARES_CREATED.inc()
    log.info("share_link_created", share_id=str(link.id), proposal_id=str(shared_id))
    return Made(link, token, earlier is not None)


async def revoke_link(
    session: AsyncSession, principal: Principal, share_id: uuid.UUID, *, now: datetime
) -> ShareLink:
    link = await visible_link(session, principal, share_id)
    if link.revoked_at is None:
        link.revoked_at = now
        link.revoked_reason = "revoked"
        audit.record(session, principal, "share_revoked", audit.Target("share_link", link.id), None)
        await session.commit()
    return link


async def visible_link(
    session: AsyncSession, principal: Principal, share_id: uuid.UUID
) -> ShareLink:
    """The link if the caller may see its proposal; NotFound otherwise (no existence leak)."""
    link = await repository.get(session, share_id)
    if link is None:
        raise NotFound(LINK_NOT_FOUND)
    try:
        await proposals.get_proposal(session, principal, link.proposal_id)
    except NotFound:
        raise NotFound(LINK_NOT_FOUND) from None
    return link


# --- analytics -----------------------------------------------------------------------------


@dataclass
class Activity:
    """Everything the clients did through a proposal's links."""

    links: list[ShareLink]
    views: dict[uuid.UUID, list[ShareView]]
    seconds: dict[uuid.UUID, list[PageTime]]
    decisions: dict[uuid.UUID, ShareDecision]
    superseded: bool


async def activity(session: AsyncSession, principal: Principal, proposal_id: uuid.UUID) -> Activity:
    proposal = await proposals.get_proposal(session, principal, proposal_id)
    links = await repository.for_proposal(session, proposal.id)
    ids = [link.id for link in links]
    views: dict[uuid.UUID, list[ShareView]] = defaultdict(list)
    for row in await repository.views_of(session, ids):
        views[row.share_id].append(row)
    seconds: dict[uuid.UUID, list[PageTime]] = defaultdict(list)
    for total in await repository.page_totals(session, ids):
        seconds[total.share_id].append(PageTime(page=total.page, seconds=total.milliseconds / 1000))
    return Activity(
        links=links,
        views=views,
        seconds=seconds,
        decisions=await repository.decisions_of(session, ids),
        superseded=await records.is_superseded(session, proposal),
    )


def link_out(found: Activity, link: ShareLink, now: datetime, settings: Settings) -> ShareOut:
    views = found.views.get(link.id, [])
    decision = found.decisions.get(link.id)
    return ShareOut(
        id=link.id,
        proposal_id=link.proposal_id,
        recipient_email=link.recipient_email,
        recipient_name=link.recipient_name,
        has_pin=link.pin_hash is not None,
        state=state_of(
            link, now, superseded=found.superseded, pin_attempts=settings.share_pin_attempts
        ),
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
        emailed_at=link.emailed_at,
        opens=len(views),
        first_opened_at=views[0].opened_at if views else None,
        last_opened_at=views[-1].opened_at if views else None,
        page_seconds=found.seconds.get(link.id, []),
        decision=_decision_name(decision),
        decided_at=decision.decided_at if decision else None,
    )


def _decision_name(decision: ShareDecision | None) -> Literal["accepted", "declined"] | None:
    if decision is None:
        return None
    return "accepted" if decision.decision == "accepted" else "declined"


async def list_links(
    session: AsyncSession,
    principal: Principal,
    proposal_id: uuid.UUID,
    *,
    settings: Settings,
    now: datetime,
) -> list[ShareOut]:
    found = await activity(session, principal, proposal_id)
    return [link_out(found, link, now, settings) for link in found.links]
