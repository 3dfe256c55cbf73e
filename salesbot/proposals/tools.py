"""Assistant tools for proposals: separate proposals, a combined package, and history.

Argument shapes are the offline grammar's: amounts as text ("1500000"), dates ISO.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from salesbot.auth.service import Principal
from salesbot.kit.parse import read_duration
from salesbot.kit.tools import Tool, ToolContext, ToolResult
from salesbot.proposals import checks, flows, holding, revising, revisions, service
from salesbot.proposals.schemas import Amount, CombinedArgs, ProposalOut, SeparateArgs

_CONFIRMED = "True only after the user, told that a start date has already passed, chose to keep it"


class SeparateToolArgs(SeparateArgs):
    past_start_confirmed: bool = Field(default=False, description=_CONFIRMED)


class CombinedToolArgs(CombinedArgs):
    past_start_confirmed: bool = Field(default=False, description=_CONFIRMED)


class HistoryArgs(BaseModel):
    client: str | None = Field(default=None, max_length=120, description="Part of the name")
    location: str | None = Field(default=None, max_length=200, description="Key, name or alias")
    date_from: date | None = Field(default=None, description="Made on or after (ISO date)")
    date_to: date | None = Field(default=None, description="Made on or before (ISO date)")
    limit: int = Field(default=10, ge=1, le=50)


class PriceArgs(BaseModel):
    location: str = Field(min_length=1, max_length=200, description="Key, name or alias")


def span_text(duration: str, start: date) -> str:
    """A duration with the dates it means when its length in days is not plain from the words:
    "1 Month (31 days, to 31 Jan 2027)"; "2 Weeks" stays as it is."""
    read = read_duration(duration)
    if read is None or read.unit not in ("month", "year"):
        return duration
    end = read.end_date(start)
    days = (end - start).days + 1
    return f"{duration} ({days} days, to {checks.day_text(end)})"


def describe(out: ProposalOut) -> str:
    """What was produced, with every option's total, for the chat reply."""
    lines = [f"Proposal for {out.client_name} ({out.currency}):"]
    if out.package is not None:
        names = ", ".join(
            f"{loc.display_name} from {checks.day_text(loc.start_date)}" for loc in out.locations
        )
        lines.append(
            f"- Combined package ({names}): net {out.package.net_rate.text}, "
            f"VAT {out.package.vat.text}, total {out.package.total.text}"
        )
    else:
        for loc in out.locations:
            options = "; ".join(
                f"{span_text(o.duration, loc.start_date)} {o.total.text}" for o in loc.options
            )
            start = checks.day_text(loc.start_date)
            lines.append(f"- {loc.display_name}, from {start}: {options}")
    if out.currency_note:
        lines.append(out.currency_note)
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
        proposal = await flows.produce(
            ctx.session,
            ctx.principal,
            request,
            settings=ctx.app.settings,
            progress=ctx.progress,
            conversation_id=ctx.conversation_id,
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


_NAME = Field(min_length=1, max_length=200)


class ReviseArgs(BaseModel):
    """Only the fields the user changed; everything else stays as the latest version has it."""

    client_name: str | None = Field(default=None, min_length=1, max_length=120)
    currency: str | None = Field(default=None, max_length=10, description="Display currency")
    payment_terms: str | None = Field(default=None, max_length=300)
    start_date: str | None = Field(default=None, max_length=40, description="New start (ISO)")
    durations: list[str] = Field(default_factory=list, max_length=8, description='["4 weeks"]')
    net_rates: list[Amount] = Field(
        default_factory=list, max_length=8, description="One per duration, as typed"
    )
    production_fee: Amount | None = None
    combined_net_rate: Amount | None = Field(default=None, description="The package's rate")
    kind: Literal["combined", "separate"] | None = Field(
        default=None, description="Only to turn separate proposals into a package or back"
    )
    location: str | None = Field(
        default=None, max_length=200, description="The one location a rate/duration/date is for"
    )
    add_locations: list[Annotated[str, _NAME]] = Field(default_factory=list, max_length=10)
    remove_locations: list[Annotated[str, _NAME]] = Field(default_factory=list, max_length=10)
    past_start_confirmed: bool = Field(default=False, description=_CONFIRMED)

    def requested(self) -> revisions.Requested:
        def text(value: str | int | None) -> str | None:
            return None if value is None else str(value)

        return revisions.Requested(
            client_name=self.client_name,
            currency=self.currency,
            payment_terms=self.payment_terms,
            start_date=self.start_date,
            durations=self.durations,
            net_rates=[str(r) for r in self.net_rates],
            production_fee=text(self.production_fee),
            combined_net_rate=text(self.combined_net_rate),
            kind=self.kind,
            location=self.location,
            add=self.add_locations,
            remove=self.remove_locations,
        )


NO_PROPOSAL = (
    "There is no proposal in this conversation to change yet. Shall I make one? Tell me the "
    "location, start date, duration, net rate and client — for example: landmark proposal, "
    "2 weeks, 1.5M, client Nike, start on the 1st of next month."
)


def _asking(args: ReviseArgs, need: str, question: str, **extra: Any) -> ToolResult:
    """A question the edit needs answered; the arguments so far let the next call carry on."""
    kept = args.model_dump(mode="json", exclude_defaults=True, exclude={"past_start_confirmed"})
    data = {"code": "ask", "tool": "revise_proposal", "args": kept, "missing": need, **extra}
    return ToolResult(summary=question, data=data, is_error=True)


async def revise_proposal(ctx: ToolContext[Principal], args: ReviseArgs) -> ToolResult:
    if ctx.conversation_id is None:
        return ToolResult(summary=NO_PROPOSAL, data={"code": "no_proposal"}, is_error=True)
    try:
        plan = await revisions.plan(
            ctx.session, ctx.principal, ctx.conversation_id, args.requested()
        )
    except revisions.NoProposal:
        return ToolResult(summary=NO_PROPOSAL, data={"code": "no_proposal"}, is_error=True)
    except revising.NeedsMore as exc:
        return _asking(args, exc.need, str(exc))
    except service.ProposalRejected as exc:
        return _rejected(exc)
    previous = plan.previous
    if not plan.changed:
        return ToolResult(
            summary=f"Version {previous.version} already has that; nothing changed.",
            data={"code": "unchanged", "id": str(previous.id)},
        )
    if not args.past_start_confirmed:
        asked = await _ask_about_past_starts(ctx, plan.request)
        if asked is not None:
            dates = asked.data.get("dates") or [{}]
            return _asking(args, "past_start", asked.summary, suggestion=dates[0].get("suggestion"))
    try:
        proposal = await flows.produce(
            ctx.session,
            ctx.principal,
            plan.request,
            settings=ctx.app.settings,
            progress=ctx.progress,
            previous=previous,
            conversation_id=ctx.conversation_id,
        )
    except service.ProposalRejected as exc:
        return _rejected(exc)
    out = await holding.with_inventory(ctx.session, ctx.app.settings, service.to_out(proposal))
    said = "; ".join(plan.changed)
    head = f"Version {out.version} made (version {previous.version} is kept). Changed: {said}."
    return ToolResult(
        summary=head + "\n" + describe(out),
        data={**out.model_dump(mode="json", exclude={"input"}), "changed": plan.changed},
        files=out.files,
    )


async def proposal_history(ctx: ToolContext[Principal], args: HistoryArgs) -> ToolResult:
    items, _ = await service.list_proposals(
        ctx.session,
        ctx.principal,
        client=args.client,
        location=args.location,
        date_from=args.date_from,
        date_to=args.date_to,
        limit=args.limit,
    )
    if not items:
        who = f" for '{args.client}'" if args.client else ""
        when = ""
        if args.date_from and args.date_to:
            when = f" between {checks.day_text(args.date_from)} and {checks.day_text(args.date_to)}"
        return ToolResult(summary=f"No proposals found{who}{when}.")
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


async def location_prices(ctx: ToolContext[Principal], args: PriceArgs) -> ToolResult:
    """What a location costs: the catalogue keeps no list price, so the rates it was last
    quoted at (in proposals the user may see) answer, or it says there are none."""
    key = await service.location_key(ctx.session, args.location) or args.location
    items, _ = await service.list_proposals(ctx.session, ctx.principal, location=key, limit=3)
    quotes: list[str] = []
    name = key
    for item in items:
        out = service.to_out(await service.get_proposal(ctx.session, ctx.principal, item.id))
        for loc in out.locations:
            if loc.key != key:
                continue
            name = loc.display_name
            rates = "; ".join(f"{o.duration} net {o.net_rate.text}" for o in loc.options)
            if not rates and out.package is not None:
                rates = f"in a package at net {out.package.net_rate.text}"
            quotes.append(f"- {item.proposal_date:%d/%m/%Y} for {item.client_name}: {rates}")
    if not quotes:
        return ToolResult(
            summary=f"The catalogue keeps no list price for {name}, and no proposal you can "
            "see has quoted it yet. Tell me the rate and I'll make a proposal.",
            data={"location": key, "quotes": []},
        )
    return ToolResult(
        summary=f"The catalogue keeps no list price; {name} was last quoted:\n" + "\n".join(quotes),
        data={"location": key, "quotes": [str(i.id) for i in items]},
    )


TOOLS: list[Tool[Any]] = [
    Tool(
        name="create_separate_proposals",
        description="Make one proposal per location (PPTX each, one PDF). Each entry: "
        "location, start_date, end_date?, durations[], net_rates[] (one per duration), spots?, "
        "production_fee? (static locations). Top level: client_name, payment_terms?, "
        "currency? (display). Write amounts as the user typed them, with any currency marker "
        '("$400k", "EUR 300k"); unmarked amounts are AED. A start date that has passed is put '
        "to the user first; set past_start_confirmed only once they chose to keep it.",
        permission="proposals:create",
        args=SeparateToolArgs,
        handler=create_separate_proposals,
    ),
    Tool(
        name="create_combined_proposal",
        description="Make one combined package over two or more locations: each location with "
        "start_date, duration, production_fee? (static); one combined_net_rate; client_name, "
        "payment_terms?, currency? (display). Amounts as typed, with any currency marker; "
        "unmarked amounts are AED. A start date that has passed is put to the user "
        "first; set past_start_confirmed only once they chose to keep it.",
        permission="proposals:create",
        args=CombinedToolArgs,
        handler=create_combined_proposal,
    ),
    Tool(
        name="revise_proposal",
        description="Change the latest proposal of this conversation (a new version; the old "
        "one is kept). Send only what the user changed: client_name, currency (display), "
        "payment_terms, start_date, durations (with net_rates when their count changes), "
        "net_rates, production_fee, combined_net_rate, kind (combined/separate), "
        "add_locations, remove_locations, and location when a change is for one location "
        "only. Amounts as typed, with any currency marker; unmarked amounts are AED. If it "
        "asks a question, call it again with the same arguments plus the answer.",
        permission="proposals:create",
        args=ReviseArgs,
        handler=revise_proposal,
    ),
    Tool(
        name="location_prices",
        description="What a location costs: the rates it was last quoted at (the catalogue "
        "keeps no list price).",
        permission="proposals:read",
        args=PriceArgs,
        handler=location_prices,
    ),
    Tool(
        name="proposal_history",
        description="List recent proposals the user may see, optionally for one client.",
        permission="proposals:read",
        args=HistoryArgs,
        handler=proposal_history,
    ),
]
