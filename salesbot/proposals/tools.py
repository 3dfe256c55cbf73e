"""Assistant tools for proposals: separate proposals, a combined package, and history.

Argument shapes are the offline grammar's: amounts as text ("1500000"), dates ISO.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from salesbot.auth.service import Principal
from salesbot.kit.tools import Tool, ToolContext, ToolResult
from salesbot.proposals import checks, holding, service
from salesbot.proposals.schemas import CombinedArgs, ProposalOut, SeparateArgs

_CONFIRMED = "True only after the user, told that a start date has already passed, chose to keep it"


class SeparateToolArgs(SeparateArgs):
    past_start_confirmed: bool = Field(default=False, description=_CONFIRMED)


class CombinedToolArgs(CombinedArgs):
    past_start_confirmed: bool = Field(default=False, description=_CONFIRMED)


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
    # Other clients' holds and bookings on these dates ("UAE21 is held for Pepsi until ...").
    lines += [f"Note: {w.message}" for w in out.warnings if w.code == holding.INVENTORY_CONFLICT]
    return "\n".join(lines)


def _rejected(exc: service.ProposalRejected) -> ToolResult:
    # The details (missing fields, suggestions) let the assistant ask the right question.
    return ToolResult(
        summary=exc.message, data={"code": exc.code, "details": exc.details}, is_error=True
    )


async def _ask_about_past_starts(
    ctx: ToolContext[Principal], request: SeparateArgs | CombinedArgs
) -> ToolResult | None:
    """Before producing, a start date that has passed is put to the user (re-issuing an old
    proposal is legitimate, so they may keep it) — once the rest of the request is valid."""
    today = ctx.today or service.local_now(ctx.app.settings).date()
    items = request.locations if isinstance(request, CombinedArgs) else request.proposals
    starts = checks.past_starts(checks.starts_of(items), today)
    if not starts:
        return None
    try:  # what else is wrong comes first: one question at a time, the blocking ones first
        await service.preview_proposal(ctx.session, request, settings=ctx.app.settings)
    except service.ProposalRejected as exc:
        return _rejected(exc)
    return ToolResult(
        summary=checks.question(starts),
        data={
            "code": checks.PAST_START,
            "dates": [
                {"location": s.location, "start": str(s.start), "suggestion": str(s.suggestion)}
                for s in starts
            ],
        },
        is_error=True,
    )


async def _produce(
    ctx: ToolContext[Principal], args: SeparateToolArgs | CombinedToolArgs
) -> ToolResult:
    plain = CombinedArgs if isinstance(args, CombinedArgs) else SeparateArgs
    # The confirmation is the conversation's, not part of the proposal's recorded input.
    request = plain.model_validate(
        args.model_dump(exclude_unset=True, exclude={"past_start_confirmed"})
    )
    if not args.past_start_confirmed:
        asked = await _ask_about_past_starts(ctx, request)
        if asked is not None:
            return asked
    try:
        proposal = await service.create_proposal(
            ctx.session,
            ctx.app.storage,
            ctx.principal,
            request,
            settings=ctx.app.settings,
            progress=ctx.progress,
        )
    except service.ProposalRejected as exc:
        return _rejected(exc)
    out = await holding.with_inventory(ctx.session, ctx.app.settings, service.to_out(proposal))
    return ToolResult(
        summary=describe(out),
        data=out.model_dump(mode="json", exclude={"input"}),
        files=out.files,
    )


async def create_separate_proposals(
    ctx: ToolContext[Principal], args: SeparateToolArgs
) -> ToolResult:
    return await _produce(ctx, args)


async def create_combined_proposal(
    ctx: ToolContext[Principal], args: CombinedToolArgs
) -> ToolResult:
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
        "currency?. A start date that has passed is put to the user first; set "
        "past_start_confirmed only once they chose to keep it.",
        permission="proposals:create",
        args=SeparateToolArgs,
        handler=create_separate_proposals,
    ),
    Tool(
        name="create_combined_proposal",
        description="Make one combined package over two or more locations: each location with "
        "start_date, duration, production_fee? (static); one combined_net_rate; client_name, "
        "payment_terms?, currency?. A start date that has passed is put to the user "
        "first; set past_start_confirmed only once they chose to keep it.",
        permission="proposals:create",
        args=CombinedToolArgs,
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
