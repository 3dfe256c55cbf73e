"""Assistant tools for proposals: separate proposals, a combined package, and history.

Argument shapes are the offline grammar's: amounts as text ("1500000"), dates ISO.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from salesbot.auth.service import Principal
from salesbot.kit.tools import Tool, ToolContext, ToolResult
from salesbot.proposals import service
from salesbot.proposals.schemas import CombinedArgs, ProposalOut, SeparateArgs


class HistoryArgs(BaseModel):
    client: str | None = Field(default=None, max_length=120, description="Part of the name")
    limit: int = Field(default=10, ge=1, le=50)


def describe(out: ProposalOut) -> str:
    """What was produced, with every option's total, for the chat reply."""
    lines = [f"Proposal for {out.client_name} ({out.currency}):"]
    if out.package is not None:
        names = ", ".join(loc.display_name for loc in out.locations)
        lines.append(
            f"- Combined package ({names}): net {out.package.net_rate.text}, "
            f"VAT {out.package.vat.text}, total {out.package.total.text}"
        )
    else:
        for loc in out.locations:
            options = "; ".join(f"{o.duration} {o.total.text}" for o in loc.options)
            lines.append(f"- {loc.display_name}: {options}")
    lines.append("Files: " + ", ".join(card.name for card in out.files))
    return "\n".join(lines)


async def _produce(ctx: ToolContext[Principal], args: SeparateArgs | CombinedArgs) -> ToolResult:
    try:
        proposal = await service.create_proposal(
            ctx.session,
            ctx.app.storage,
            ctx.principal,
            args,
            settings=ctx.app.settings,
            progress=ctx.progress,
        )
    except service.ProposalRejected as exc:
        # The details (missing fields, suggestions) let the assistant ask the right question.
        return ToolResult(
            summary=exc.message, data={"code": exc.code, "details": exc.details}, is_error=True
        )
    out = service.to_out(proposal)
    return ToolResult(
        summary=describe(out),
        data=out.model_dump(mode="json", exclude={"input"}),
        files=out.files,
    )


async def create_separate_proposals(ctx: ToolContext[Principal], args: SeparateArgs) -> ToolResult:
    return await _produce(ctx, args)


async def create_combined_proposal(ctx: ToolContext[Principal], args: CombinedArgs) -> ToolResult:
    return await _produce(ctx, args)


async def proposal_history(ctx: ToolContext[Principal], args: HistoryArgs) -> ToolResult:
    items, _ = await service.list_proposals(
        ctx.session, ctx.principal, client=args.client, limit=args.limit
    )
    if not items:
        who = f" for '{args.client}'" if args.client else ""
        return ToolResult(summary=f"No proposals found{who}.")
    lines = []
    for item in items:
        names = ", ".join(loc.display_name for loc in item.locations)
        version = f" (version {item.version})" if item.version > 1 else ""
        lines.append(
            f"- {item.proposal_date:%d/%m/%Y} {item.client_name}: {item.kind}, {names} — "
            f"{' / '.join(item.totals)}{version}"
        )
    return ToolResult(
        summary=f"{len(items)} proposal{'s' if len(items) != 1 else ''}:\n" + "\n".join(lines),
        data={"proposals": [item.model_dump(mode="json") for item in items]},
    )


TOOLS: list[Tool[Any]] = [
    Tool(
        name="create_separate_proposals",
        description="Make one proposal per location (PPTX each, one PDF). Each entry: "
        "location, start_date, end_date?, durations[], net_rates[] (one per duration), spots?, "
        "production_fee? (static locations). Top level: client_name, payment_terms?, "
        "currency?.",
        permission="proposals:create",
        args=SeparateArgs,
        handler=create_separate_proposals,
    ),
    Tool(
        name="create_combined_proposal",
        description="Make one combined package over two or more locations: each location with "
        "start_date, duration, production_fee? (static); one combined_net_rate; client_name, "
        "payment_terms?, currency?.",
        permission="proposals:create",
        args=CombinedArgs,
        handler=create_combined_proposal,
    ),
    Tool(
        name="proposal_history",
        description="List recent proposals the user may see, optionally for one client.",
        permission="proposals:read",
        args=HistoryArgs,
        handler=proposal_history,
    ),
]
