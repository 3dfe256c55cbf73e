"""The assistant's booking-order tools: thin adapters onto the service (rules live there)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from salesbot.auth.service import Principal
from salesbot.booking_orders import service, workflow
from salesbot.booking_orders.calculations import format_amount
from salesbot.booking_orders.workflow import Action, State
from salesbot.kit.tools import Tool, ToolContext, ToolResult

# Which stages a request without a named booking order looks in, per action.
_OPEN = (State.DRAFT.value, State.COORDINATOR_REVIEW.value, State.HOS_REVIEW.value)
# A booked order can be cancelled too (by finance or an admin: the workflow decides who).
_CANCELLABLE = (*_OPEN, State.BOOKED.value)
_STAGE_WORDS = {
    "draft": "a draft",
    "coordinator_review": "in coordinator review",
    "hos_review": "with the head of sales",
    "approved": "approved",
    "booked": "booked by finance",
    "invoiced": "invoiced",
    "cancelled": "cancelled",
}
_NEXT = {
    "draft": "the sales person submits it",
    "coordinator_review": "a coordinator approves or rejects it",
    "hos_review": "the head of sales approves or rejects it",
    "approved": "finance books it with the client's PO number",
    "booked": "finance marks it invoiced",
}


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParseArgs(_Args):
    file_id: uuid.UUID | None = Field(
        default=None, description="The uploaded booking order; defaults to the attachment"
    )
    company: str | None = Field(default=None, max_length=120, description="Backlite or Viola")
    notes: str = Field(
        default="", max_length=4000, description="The user's message (its values win)"
    )


class EditArgs(_Args):
    booking_order: str | None = Field(
        default=None,
        max_length=100,
        description="BO reference, client BO number or id; empty means the latest one",
    )
    field: str = Field(
        min_length=1,
        max_length=60,
        description="e.g. municipality fee, upload fee, client, net amount, sla, currency",
    )
    value: Annotated[str, Field(max_length=500)] | Decimal | int
    location: str | None = Field(
        default=None, max_length=200, description="For a location's value, e.g. UAE21"
    )


class ActArgs(_Args):
    booking_order: str | None = Field(
        default=None, max_length=100, description="The reference or BO number; ask when unclear"
    )
    reason: str | None = Field(default=None, max_length=2000)
    confirm: bool = Field(
        default=False,
        description="True only after the user was told what this will do and said yes",
    )


class BookArgs(_Args):
    booking_order: str | None = Field(
        default=None, max_length=100, description="The reference or BO number; ask when unclear"
    )
    po_number: str | None = Field(
        default=None, max_length=200, description="The client's PO number, e.g. PO-12345"
    )
    confirm: bool = Field(
        default=False,
        description="True only after the user was told what this will do and said yes",
    )


class InvoiceArgs(_Args):
    booking_order: str | None = Field(
        default=None, max_length=100, description="The reference or BO number; ask when unclear"
    )
    invoice_number: str | None = Field(
        default=None, max_length=200, description="The invoice number, e.g. INV-2026-0042"
    )
    confirm: bool = Field(
        default=False,
        description="True only after the user was told what this will do and said yes",
    )


class LookupArgs(_Args):
    booking_order: str | None = Field(default=None, max_length=100)


class FindArgs(_Args):
    query: str = Field(
        min_length=1, max_length=100, description="A BO reference (BO-2025-0001) or BO number"
    )


def _env(ctx: ToolContext[Principal]) -> service.Env:
    return service.env_for(ctx.app.settings, ctx.app.storage)


def _name(view: service.View) -> str:
    row = view.row
    if row.reference:
        name = row.reference if row.revision == 1 else f"{row.reference} rev {row.revision}"
    else:
        name = f"BO {row.bo_number}" if row.bo_number else "The booking order"
    client = f" for {row.client}" if row.client else ""
    return f"{name}{client} ({view.company.name})"


def describe(view: service.View) -> str:
    """A short status line for chat: stage, totals, warnings, missing data, next step."""
    row = view.row
    parts = [f"{_name(view)} is {_STAGE_WORDS.get(row.state, row.state)}."]
    if view.currency_note:
        parts.insert(0, view.currency_note)
    if view.calc is not None:
        c = view.calc
        parts.append(
            f"Net {format_amount(c.net_pre_vat)} {c.currency}, VAT {format_amount(c.vat)}, "
            f"gross {format_amount(c.gross)}."
        )
    parts += [f"Warning: {w}." for w in view.warnings]
    parts += [f"Problem: {p}." for p in view.problems]
    check = view.totals_check
    if check.differences and not check.pending:
        parts.append(
            f"The document's totals differ from the calculated ones (acknowledged by "
            f"{check.acknowledged_by})."
        )
    elif check.pending:
        parts.append("A coordinator must acknowledge the differing totals before approving.")
    if row.po_number:
        parts.append(f"PO number {row.po_number}.")
    if row.invoice_number:
        parts.append(f"Invoice number {row.invoice_number}.")
    if view.calc is not None and view.calc.missing:
        parts.append("Missing: " + ", ".join(view.calc.missing) + ".")
    if row.state in _NEXT:
        parts.append(f"Next: {_NEXT[row.state]}.")
    if view.allowed:
        parts.append("You can: " + ", ".join(a.value for a in view.allowed) + ".")
    return " ".join(parts)


def _result(view: service.View, summary: str) -> ToolResult:
    out = service.present(view)
    cards = [
        card for card in (out.final_pdf_file, out.excel_file, out.stamped_file) if card is not None
    ]
    return ToolResult(summary=summary, data=out.model_dump(mode="json"), files=cards)


async def _resolve(ctx: ToolContext[Principal], query: str | None, states: tuple[str, ...]) -> Any:
    return await service.resolve(ctx.session, ctx.principal, query, states=states)


async def parse_booking_order(ctx: ToolContext[Principal], args: ParseArgs) -> ToolResult:
    file_id = args.file_id or (ctx.attachment_ids[0] if ctx.attachment_ids else None)
    if file_id is None:
        return ToolResult(
            summary="Please attach the client's booking order (PDF, Excel or CSV) to read.",
            data={"needs": ["file"]},
        )
    await ctx.progress(10, "Reading the booking order")
    view = await service.intake(
        ctx.session,
        _env(ctx),
        ctx.principal,
        file_id=file_id,
        company=args.company,
        notes=args.notes,
    )
    await ctx.progress(100, "Booking order read")
    return _result(view, describe(view) + " Review it, then say 'submit' when it is right.")


async def edit_booking_order(ctx: ToolContext[Principal], args: EditArgs) -> ToolResult:
    row = await _resolve(
        ctx, args.booking_order, (State.DRAFT.value, State.COORDINATOR_REVIEW.value)
    )
    key = " ".join(args.field.lower().split())
    if key == "currency":
        edits = service.Edits(currency=str(args.value).strip())
    elif args.location:
        edits = service.Edits(
            locations=[service.LocationChange(args.location, {args.field: args.value})]
        )
    else:
        edits = service.Edits(fields={args.field: args.value})
    view = await service.edit(ctx.session, _env(ctx), ctx.principal, row.id, edits, version=None)
    return _result(view, "Updated. " + describe(view))


_WILL = {
    Action.SUBMIT: "submit {label} for coordinator review",
    Action.APPROVE: "approve {label}",
    Action.REJECT: "reject {label} and send it back",
    Action.CANCEL: "cancel {label}",
    Action.BOOK: "book {label} with PO number {number}",
    Action.INVOICE: "mark {label} invoiced with invoice number {number}",
}
_NUMBER_ARG = {Action.BOOK: "po_number", Action.INVOICE: "invoice_number"}


def _label(row: Any) -> str:
    return str(row.reference or (f"BO {row.bo_number}" if row.bo_number else "this booking order"))


def _which(action: Action, rows: list[Any]) -> ToolResult:
    """No booking order named, and not exactly one it could be: ask, with a short list."""
    verb = action.value
    if not rows:
        return ToolResult(
            summary=f"You have no booking order you could {verb} now.",
            data={"code": "none", "action": verb},
            is_error=True,
        )
    listed = [f"{_label(r)} ({r.client or 'no client'})" for r in rows[:5]]
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return ToolResult(
        summary=f"Which booking order should I {verb}? " + "; ".join(listed) + more + ".",
        data={"code": "which", "action": verb, "candidates": [_label(r) for r in rows[:5]]},
        is_error=True,
    )


def _confirm(
    tool: str, row: Any, action: Action, args: ActArgs | BookArgs | InvoiceArgs
) -> ToolResult:
    """An irreversible step is described first; it runs once the user says yes."""
    gross = f", gross {format_amount(row.gross)} {row.currency}" if row.gross is not None else ""
    reason = getattr(args, "reason", None)
    why = f' (reason: "{reason.strip()}")' if reason else ""
    number = getattr(args, _NUMBER_ARG.get(action, ""), None)
    what = _WILL[action].format(label=_label(row), number=number)
    ref = row.reference or row.bo_number or str(row.id)
    again: dict[str, Any] = {"booking_order": ref, "confirm": True}
    if action in _NUMBER_ARG:
        again[_NUMBER_ARG[action]] = number
    else:
        again["reason"] = reason
    return ToolResult(
        summary=f"This will {what} — {row.client or 'no client'}{gross}{why}. "
        "Say yes to go ahead, or no to leave it as it is.",
        data={"code": "confirm", "tool": tool, "args": again},
        is_error=True,
    )


async def _target(
    ctx: ToolContext[Principal],
    args: ActArgs | BookArgs | InvoiceArgs,
    action: Action,
    states: tuple[str, ...],
) -> Any:
    """The booking order named, or the only one the caller could act on; else a question."""
    if args.booking_order and args.booking_order.strip():
        return await _resolve(ctx, args.booking_order, states)
    scan = states if action in _NUMBER_ARG else _CANCELLABLE if action is Action.CANCEL else _OPEN
    rows, _ = await service.actionable(ctx.session, ctx.principal, [action], stages=scan)
    return rows[0] if len(rows) == 1 else _which(action, rows)


async def _act(
    ctx: ToolContext[Principal], args: ActArgs, action: Action, states: tuple[str, ...]
) -> ToolResult:
    row = await _target(ctx, args, action, states)
    if isinstance(row, ToolResult):
        return row
    # Who may take the step is the workflow's rule, as for the API: refuse before asking.
    await service.check_may(ctx.session, _env(ctx), ctx.principal, row.id, action)
    if action in (Action.REJECT, Action.CANCEL) and not (args.reason or "").strip():
        verb = "rejecting" if action is Action.REJECT else "cancelling"
        label = row.reference or (f"BO {row.bo_number}" if row.bo_number else "this booking order")
        return ToolResult(
            summary=f"Why are you {verb} {label}? Tell me the reason and I'll record it.",
            data={"needs": ["reason"], "booking_order_id": str(row.id), "action": action.value},
        )
    if not args.confirm:
        return _confirm(f"{action.value}_booking_order", row, action, args)
    view = await service.act(
        ctx.session, _env(ctx), ctx.principal, row.id, action, reason=args.reason
    )
    done = {
        Action.SUBMIT: "Submitted for coordinator review.",
        Action.APPROVE: "Approved.",
        Action.REJECT: "Rejected and sent back.",
        Action.CANCEL: "Cancelled.",
    }[action]
    return _result(view, f"{done} {describe(view)}")


async def submit_booking_order(ctx: ToolContext[Principal], args: ActArgs) -> ToolResult:
    return await _act(ctx, args, Action.SUBMIT, (State.DRAFT.value,))


def _review_states(ctx: ToolContext[Principal]) -> tuple[str, ...]:
    """The stages this user reviews: coordinators and heads of sales act at different ones."""
    states = []
    if ctx.principal.companies_for("coordinator"):
        states.append(State.COORDINATOR_REVIEW.value)
    if ctx.principal.companies_for("hos"):
        states.append(State.HOS_REVIEW.value)
    return tuple(states) or (State.COORDINATOR_REVIEW.value, State.HOS_REVIEW.value)


async def approve_booking_order(ctx: ToolContext[Principal], args: ActArgs) -> ToolResult:
    return await _act(ctx, args, Action.APPROVE, _review_states(ctx))


async def reject_booking_order(ctx: ToolContext[Principal], args: ActArgs) -> ToolResult:
    return await _act(ctx, args, Action.REJECT, _review_states(ctx))


async def cancel_booking_order(ctx: ToolContext[Principal], args: ActArgs) -> ToolResult:
    return await _act(ctx, args, Action.CANCEL, _CANCELLABLE)


async def _finance(
    ctx: ToolContext[Principal], args: BookArgs | InvoiceArgs, action: Action, state: State
) -> ToolResult:
    """Finance's steps: the number is checked before anything is asked or done."""
    row = await _target(ctx, args, action, (state.value,))
    if isinstance(row, ToolResult):
        return row
    field = _NUMBER_ARG[action]
    try:
        number = workflow.finance_number(action, getattr(args, field))
    except workflow.NumberInvalid as exc:
        return ToolResult(
            summary=str(exc),
            data={"needs": [field], "booking_order_id": str(row.id), "action": action.value},
            is_error=exc.code == "invalid_number",
        )
    args = args.model_copy(update={field: number})
    if not args.confirm:
        return _confirm(f"{action.value}_booking_order", row, action, args)
    view = await service.act(ctx.session, _env(ctx), ctx.principal, row.id, action, number=number)
    done = (
        f"Booked with PO number {number}."
        if action is Action.BOOK
        else f"Marked invoiced with invoice number {number}."
    )
    return _result(view, f"{done} {describe(view)}")


async def book_booking_order(ctx: ToolContext[Principal], args: BookArgs) -> ToolResult:
    return await _finance(ctx, args, Action.BOOK, State.APPROVED)


async def invoice_booking_order(ctx: ToolContext[Principal], args: InvoiceArgs) -> ToolResult:
    return await _finance(ctx, args, Action.INVOICE, State.BOOKED)


async def booking_order_status(ctx: ToolContext[Principal], args: LookupArgs) -> ToolResult:
    states = tuple(workflow.STATE_NAMES)
    row = await _resolve(ctx, args.booking_order, states)
    view = await service.get_view(ctx.session, _env(ctx), ctx.principal, row.id)
    return _result(view, describe(view))


async def find_booking_order(ctx: ToolContext[Principal], args: FindArgs) -> ToolResult:
    rows = await service.find(ctx.session, ctx.principal, args.query)
    if not rows:
        shown = " ".join(args.query.split())[:40]
        return ToolResult(summary=f"No booking order you can see matches '{shown}'.")
    views = [await service.get_view(ctx.session, _env(ctx), ctx.principal, r.id) for r in rows]
    if len(views) == 1:
        return _result(views[0], describe(views[0]))
    lines = [describe(v) for v in views]
    return ToolResult(
        summary=f"{len(views)} booking orders match: " + " | ".join(lines),
        data={"items": [service.present(v).model_dump(mode="json") for v in views]},
    )


TOOLS: list[Tool[Any]] = [
    Tool(
        name="parse_booking_order",
        description="Read an uploaded booking order into a draft (values in the message win).",
        permission="booking_orders:create",
        args=ParseArgs,
        handler=parse_booking_order,
    ),
    Tool(
        name="edit_booking_order",
        description=(
            "Change one value of a booking order and recalculate, e.g. 'change municipality fee "
            "to 8000', 'update UAE21 net amount to 150000', 'change client to Nike UAE'."
        ),
        permission="booking_orders:create",
        args=EditArgs,
        handler=edit_booking_order,
    ),
    Tool(
        name="submit_booking_order",
        description="Submit a draft booking order for coordinator review.",
        permission="booking_orders:create",
        args=ActArgs,
        handler=submit_booking_order,
    ),
    Tool(
        name="approve_booking_order",
        description="Approve a booking order (coordinator review, then head of sales).",
        permission="booking_orders:edit",
        args=ActArgs,
        handler=approve_booking_order,
    ),
    Tool(
        name="reject_booking_order",
        description="Reject a booking order back one step; a reason is required (ask for it).",
        permission="booking_orders:edit",
        args=ActArgs,
        handler=reject_booking_order,
    ),
    Tool(
        name="cancel_booking_order",
        description=(
            "Cancel a booking order before approval (its owner, coordinators, heads of sales) "
            "or a booked one (finance, admins); a reason is required. Call with confirm=false "
            "first; only after the user says yes call again with confirm=true."
        ),
        # As the API's cancel route: whoever can see it asks; the workflow decides who may.
        permission="booking_orders:read",
        args=ActArgs,
        handler=cancel_booking_order,
    ),
    Tool(
        name="book_booking_order",
        description=(
            "Finance: book an approved booking order with the client's PO number, e.g. 'mark "
            "BO-2026-0001 as booked with PO 12345'. Call with confirm=false first; only after "
            "the user says yes call again with confirm=true."
        ),
        permission="booking_orders:finance",
        args=BookArgs,
        handler=book_booking_order,
    ),
    Tool(
        name="invoice_booking_order",
        description=(
            "Finance: mark a booked booking order invoiced with the invoice number, e.g. 'mark "
            "it invoiced, invoice INV-2026-0042'. Call with confirm=false first; only after "
            "the user says yes call again with confirm=true."
        ),
        permission="booking_orders:finance",
        args=InvoiceArgs,
        handler=invoice_booking_order,
    ),
    Tool(
        name="booking_order_status",
        description="Where a booking order stands: stage, totals, warnings, who acts next.",
        permission="booking_orders:read",
        args=LookupArgs,
        handler=booking_order_status,
    ),
    Tool(
        name="find_booking_order",
        description="Find booking orders by internal reference (BO-2025-0001) or BO number.",
        permission="booking_orders:read",
        args=FindArgs,
        handler=find_booking_order,
    ),
]
