"""Client-link steps with side effects: e-mailing a new link, telling the salesperson about a
first opening, and the client's decision (stamped copy, record, notification)."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.files import service as files
from salesbot.kit.errors import Conflict, NotFound
from salesbot.kit.logging import get_logger
from salesbot.kit.metrics import counter
from salesbot.kit.storage import Storage
from salesbot.notifications import service as notifications
from salesbot.notifications.delivery import Outgoing, send_emails
from salesbot.notifications.service import Batch, Recipient
from salesbot.proposals import service as proposals
from salesbot.settings import Settings
from salesbot.sharing import choices as choosing
from salesbot.sharing import service
from salesbot.sharing.acceptance import Certificate, stamp_acceptance
from salesbot.sharing.client import Opened, require_active
from salesbot.sharing.models import ShareDecision
from salesbot.sharing.privacy import device_of, truncate_ip
from salesbot.sharing.schemas import AcceptIn, DeclineIn, ShareCreate
from salesbot.users import service as users

log = get_logger(__name__)
DECISIONS = counter("salesbot_share_decisions_total", "Client decisions on links", ["decision"])


def history_link(proposal_id: uuid.UUID) -> str:
    return f"/proposals/history?proposal={proposal_id}"


async def share(
    session: AsyncSession,
    principal: Principal,
    proposal_id: uuid.UUID,
    body: ShareCreate,
    *,
    settings: Settings,
    now: datetime,
) -> service.Made:
    """Make the link and e-mail it to the recipient when e-mail is set up and asked for."""
    made = await service.create_link(
        session, principal, proposal_id, body, settings=settings, now=now
    )
    if not (body.send_email and settings.smtp_host):
        return made
    proposal = await proposals.get_proposal(session, principal, proposal_id)
    pin_note = " You will need the PIN your contact gives you." if body.pin else ""
    message = Outgoing(
        email=made.link.recipient_email,
        name=made.link.recipient_name or made.link.recipient_email,
        title=f"Proposal for {proposal.client_name}",
        body=(
            f"{principal.name} sent you a proposal for {proposal.client_name}. The link works "
            f"until {made.link.expires_at:%d %b %Y}.{pin_note}"
        ),
        url=service.link_url(settings, made.token),
    )
    # Handed to the e-mail job, which retries while the SMTP server refuses it.
    if await send_emails(settings, [message]):
        made.link.emailed_at = now
        await session.commit()
    return made


async def _owner(session: AsyncSession, opened: Opened) -> list[Recipient]:
    """Who hears about the client's activity: the proposal's owner, else the link's maker."""
    for user_id in (opened.owner_id, opened.link.created_by_id):
        user = await users.find_user(session, user_id) if user_id else None
        if user is not None and user.is_active:
            return [Recipient(user_id=user.id, email=user.email, name=user.name)]
    return []


def _who(opened: Opened) -> str:
    return opened.link.recipient_name or opened.link.recipient_email


async def first_opened(session: AsyncSession, opened: Opened, *, settings: Settings) -> None:
    """The in-app notification (and e-mail, when set up) for a link's first opening."""
    client = opened.proposal.client_name
    batch = notifications.notify(
        session,
        await _owner(session, opened),
        kind="proposal_opened",
        title=f"{_who(opened)} opened the {client} proposal",
        body=f"The link you sent to {opened.link.recipient_email} was opened for the first time.",
        link=history_link(opened.proposal.id),
    )
    await session.commit()
    await notifications.deliver(settings, [batch])


def _refuse_second_decision(opened: Opened) -> None:
    decided = opened.decision
    if decided is not None:
        raise Conflict(
            f"You already {decided.decision} this proposal on {decided.decided_at:%d %b %Y}.",
            code="already_decided",
        )


async def _store_decision(session: AsyncSession, decision: ShareDecision, batch: Batch) -> None:
    session.add(decision)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(
            "This proposal has already been accepted or answered through this link.",
            code="already_decided",
        ) from None
    DECISIONS.labels(decision.decision).inc()


async def _stamped_copy(
    session: AsyncSession,
    storage: Storage,
    opened: Opened,
    cert: Certificate,
    original: bytes,
) -> uuid.UUID | None:
    """Store the copy with the acceptance page; owned like the proposal's own PDF."""
    record = await files.find_live(session, opened.pdf_file_id)
    owner = opened.owner_id or opened.link.created_by_id
    if record is None or owner is None:
        return None
    stamped = await asyncio.to_thread(stamp_acceptance, original, cert)
    name = f"{opened.proposal.client_name}_Proposal_Accepted.pdf"
    copy = await files.store_generated(
        session,
        storage,
        owner_id=owner,
        name=name,
        data=stamped,
        content_type="application/pdf",
        company_id=record.company_id,
    )
    return copy.id


async def accept(
    session: AsyncSession,
    storage: Storage,
    opened: Opened,
    body: AcceptIn,
    *,
    settings: Settings,
    now: datetime,
    ip: str | None,
    user_agent: str | None,
) -> ShareDecision:
    """Record the acceptance of the exact PDF shown, stamp a copy, tell the salesperson."""
    require_active(opened)
    _refuse_second_decision(opened)
    chosen = choosing.chosen_options(opened.proposal, body.choices)
    record = await files.find_live(session, opened.pdf_file_id)
    if record is None:
        raise NotFound("This proposal's document is no longer available.")
    original = await files.read_bytes(storage, record)
    decision = ShareDecision(
        share_id=opened.link.id,
        proposal_id=opened.proposal.id,
        decision="accepted",
        choices=[c.as_dict() for c in chosen],
        signer_name=body.name.strip(),
        signer_title=body.title.strip(),
        signature=body.signature.strip(),
        ip_prefix=truncate_ip(ip),
        device=device_of(user_agent),
        pdf_sha256=hashlib.sha256(original).hexdigest(),
        decided_at=now,
    )
    cert = Certificate(
        client_name=opened.proposal.client_name,
        signer_name=decision.signer_name,
        signer_title=decision.signer_title,
        signature=decision.signature,
        accepted_at=f"{proposals.local_now(settings, now):%d %b %Y %H:%M %Z}",
        ip_prefix=decision.ip_prefix,
        pdf_sha256=decision.pdf_sha256,
        choices=[c.line for c in chosen],
        reference=str(opened.link.id),
    )
    decision.accepted_file_id = await _stamped_copy(session, storage, opened, cert, original)
    totals = "; ".join(c.line for c in chosen)
    await _record_decision(
        session,
        settings,
        opened,
        decision,
        title=f"{decision.signer_name} accepted the {opened.proposal.client_name} proposal",
        body=f"{decision.signer_name} ({decision.signer_title}) accepted: {totals}.",
    )
    return decision


async def decline(
    session: AsyncSession,
    opened: Opened,
    body: DeclineIn,
    *,
    settings: Settings,
    now: datetime,
    ip: str | None,
    user_agent: str | None,
) -> ShareDecision:
    require_active(opened)
    _refuse_second_decision(opened)
    decision = ShareDecision(
        share_id=opened.link.id,
        proposal_id=opened.proposal.id,
        decision="declined",
        choices=[],
        signer_name=body.name.strip(),
        reason=body.reason.strip(),
        ip_prefix=truncate_ip(ip),
        device=device_of(user_agent),
        decided_at=now,
    )
    who = decision.signer_name or _who(opened)
    await _record_decision(
        session,
        settings,
        opened,
        decision,
        title=f"{who} declined the {opened.proposal.client_name} proposal",
        body=f"Reason: {decision.reason}",
    )
    return decision


async def _record_decision(
    session: AsyncSession,
    settings: Settings,
    opened: Opened,
    decision: ShareDecision,
    *,
    title: str,
    body: str,
) -> None:
    """Store an acceptance or decline with its notice to the salesperson, then deliver it."""
    batch = notifications.notify(
        session,
        await _owner(session, opened),
        kind=f"proposal_{decision.decision}",
        title=title,
        body=body,
        link=history_link(opened.proposal.id),
    )
    await _store_decision(session, decision, batch)
    log.info(f"share_{decision.decision}", share_id=str(opened.link.id))
    await notifications.deliver(settings, [batch])
