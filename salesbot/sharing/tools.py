"""The assistant's tool for client links: "send it to nike@example.com"."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, EmailStr, Field

from salesbot.auth.service import Principal
from salesbot.kit.db import utcnow
from salesbot.kit.errors import NotFound
from salesbot.kit.tools import Tool, ToolContext, ToolResult
from salesbot.proposals import service as proposals
from salesbot.sharing import flows, service
from salesbot.sharing.schemas import ShareCreate


class ShareArgs(BaseModel):
    recipient_email: EmailStr
    recipient_name: str = Field(default="", max_length=120)
    proposal_id: uuid.UUID | None = Field(
        default=None, description="Default: the user's latest proposal (for `client` if given)"
    )
    client: str | None = Field(default=None, max_length=120, description="Part of the name")
    expires_in_days: int | None = Field(default=None, ge=1, le=180)
    pin: str | None = Field(default=None, pattern=r"^\d{4,10}$")


async def _which(ctx: ToolContext[Principal], args: ShareArgs) -> uuid.UUID:
    if args.proposal_id is not None:
        return args.proposal_id
    latest, _ = await proposals.list_proposals(
        ctx.session, ctx.principal, client=args.client, limit=1
    )
    if not latest:
        who = f" for '{args.client}'" if args.client else ""
        raise NotFound(f"You have no proposal{who} to send yet; make one first.")
    return latest[0].id


async def share_proposal(ctx: ToolContext[Principal], args: ShareArgs) -> ToolResult:
    proposal_id = await _which(ctx, args)
    clock = getattr(ctx.app, "clock", None) or utcnow
    now = clock()
    body = ShareCreate(
        recipient_email=args.recipient_email,
        recipient_name=args.recipient_name,
        expires_in_days=args.expires_in_days,
        pin=args.pin,
    )
    settings = ctx.app.settings
    made = await flows.share(
        ctx.session, ctx.principal, proposal_id, body, settings=settings, now=now
    )
    url = service.link_url(settings, made.token)
    proposal = await proposals.get_proposal(ctx.session, ctx.principal, proposal_id)
    local = proposals.local_now(settings, made.link.expires_at)
    sent = "E-mailed it to them. " if made.link.emailed_at else "Send them this link: "
    lines = [
        f"Link to the {proposal.client_name} proposal for {made.link.recipient_email}, "
        f"valid until {local:%d %b %Y}.",
        f"{sent}{url}",
    ]
    if made.replaced:
        lines.append("Their earlier link no longer works.")
    if args.pin:
        lines.append("Tell them the PIN separately (it is not in the e-mail).")
    lines.append("You'll be notified when they open, accept or decline it.")
    return ToolResult(
        summary="\n".join(lines),
        data={
            "share_id": str(made.link.id),
            "proposal_id": str(proposal_id),
            "url": url,
            "recipient_email": made.link.recipient_email,
            "expires_at": made.link.expires_at.isoformat(),
            "emailed": made.link.emailed_at is not None,
        },
    )


TOOLS: list[Tool[Any]] = [
    Tool(
        name="share_proposal",
        description="Send a proposal to a client as a link (one per recipient; expires; "
        "optional PIN). Without proposal_id it is the user's latest proposal (for `client` "
        "if given). E-mailed when e-mail is set up; the link is in the answer either way.",
        permission="proposals:create",
        args=ShareArgs,
        handler=share_proposal,
    )
]
