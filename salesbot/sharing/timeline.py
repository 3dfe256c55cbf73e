"""A proposal's client activity as a timeline, newest last (for the proposal page)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.settings import Settings
from salesbot.sharing import service
from salesbot.sharing.models import ShareDecision, ShareLink, ShareView
from salesbot.sharing.schemas import Timeline, TimelineEvent


def _who(link: ShareLink) -> str:
    return link.recipient_name or link.recipient_email


def _link_events(link: ShareLink, now: datetime) -> list[TimelineEvent]:
    def event(at: datetime, kind: str, text: str, **details: object) -> TimelineEvent:
        return TimelineEvent.model_validate(
            {
                "at": at,
                "kind": kind,
                "share_id": link.id,
                "recipient_email": link.recipient_email,
                "text": text,
                "details": details,
            }
        )

    found = [
        event(
            link.created_at,
            "link_created",
            f"Link made for {_who(link)}",
            pin=link.pin_hash is not None,
            expires_at=link.expires_at.isoformat(),
        )
    ]
    if link.emailed_at is not None:
        found.append(event(link.emailed_at, "link_emailed", f"Link e-mailed to {_who(link)}"))
    if link.revoked_at is not None:
        kind = "link_replaced" if link.revoked_reason == "replaced" else "link_revoked"
        text = "replaced by a newer link" if kind == "link_replaced" else "revoked"
        found.append(event(link.revoked_at, kind, f"Link for {_who(link)} {text}"))
    elif link.expires_at <= now:
        found.append(event(link.expires_at, "link_expired", f"Link for {_who(link)} expired"))
    return found


def _view_events(link: ShareLink, views: list[ShareView]) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            at=view.opened_at,
            kind="opened",
            share_id=link.id,
            recipient_email=link.recipient_email,
            text=f"Opened by {_who(link)} ({'first time' if n == 1 else f'{n} times'})",
            details={"count": n, "device": view.device, "network": view.ip_prefix},
        )
        for n, view in enumerate(views, start=1)
    ]


def _decision_events(link: ShareLink, decision: ShareDecision) -> list[TimelineEvent]:
    if decision.decision == "declined":
        text = f"Declined by {decision.signer_name or _who(link)}: {decision.reason}"
        details: dict[str, object] = {"reason": decision.reason}
    else:
        text = f"Accepted by {decision.signer_name}, {decision.signer_title}"
        details = {
            "choices": decision.choices,
            "pdf_sha256": decision.pdf_sha256,
            "booking_order_id": str(decision.booking_order_id or "") or None,
        }
    found = [
        TimelineEvent.model_validate(
            {
                "at": decision.decided_at,
                "kind": decision.decision,
                "share_id": link.id,
                "recipient_email": link.recipient_email,
                "text": text,
                "details": {**details, "network": decision.ip_prefix},
            }
        )
    ]
    return found


async def proposal_timeline(
    session: AsyncSession,
    principal: Principal,
    proposal_id: uuid.UUID,
    *,
    settings: Settings,
    now: datetime,
) -> Timeline:
    found = await service.activity(session, principal, proposal_id)
    events: list[TimelineEvent] = []
    for link in found.links:
        events += _link_events(link, now)
        events += _view_events(link, found.views.get(link.id, []))
        decision = found.decisions.get(link.id)
        if decision is not None:
            events += _decision_events(link, decision)
    events.sort(key=lambda e: e.at)
    return Timeline(
        proposal_id=proposal_id,
        events=events,
        links=[service.link_out(found, link, now, settings) for link in found.links],
    )
