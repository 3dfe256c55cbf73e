"""Booking orders over HTTP: intake, list, read, edit, workflow actions, events, previews,
exports, and the companies' templates and stamps."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.booking_orders import (
    acknowledgements,
    company_documents,
    export,
    flows,
    presenters,
    rendering,
    service,
)
from salesbot.booking_orders.calculations import Location
from salesbot.booking_orders.schemas import (
    AcknowledgeRequest,
    ActionRequest,
    BookingOrderOut,
    BookingOrderPage,
    BookRequest,
    CompanyDocumentsOut,
    DocumentUpdate,
    EditRequest,
    EventOut,
    IntakeRequest,
    InvoiceRequest,
    Stage,
)
from salesbot.booking_orders.workflow import Action
from salesbot.kit.db import DbSession
from salesbot.kit.deps import AppSettings, AppStorage
from salesbot.kit.errors import ErrorBody
from salesbot.kit.storage import content_disposition

router = APIRouter(prefix="/api/booking-orders", tags=["booking orders"], responses=AUTH_RESPONSES)

Creator = Annotated[Principal, Depends(require("booking_orders:create"))]
Reader = Annotated[Principal, Depends(require("booking_orders:read"))]
Reviewer = Annotated[Principal, Depends(require("booking_orders:edit"))]
Finance = Annotated[Principal, Depends(require("booking_orders:finance"))]
Admin = Annotated[Principal, Depends(require("settings:manage"))]

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such booking order (or not yours to see)"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorBody,
        "description": "Someone acted first, or the stage does not allow this (e.g. revise "
        "an approved booking order instead of editing it)",
    }
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BINARY: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "The document",
    }
}


async def _env(settings: AppSettings, storage: AppStorage) -> service.Env:
    return service.env_for(settings, storage)


ServiceEnv = Annotated[service.Env, Depends(_env)]


# ---------------------------------------------------------------- collection


@router.post(
    "",
    response_model=BookingOrderOut,
    status_code=201,
    responses={404: {"model": ErrorBody, "description": "No such file (or not yours)"}},
)
async def create_booking_order(
    body: IntakeRequest, session: DbSession, env: ServiceEnv, principal: Creator
) -> BookingOrderOut:
    """Read an uploaded booking order (PDF, Excel, CSV, or a photo with an AI provider) into a
    draft. Values stated in `notes` override the document; a document that is not a booking
    order is refused with its classification."""
    view = await service.intake(
        session,
        env,
        principal,
        file_id=body.file_id,
        company=body.company,
        notes=body.notes,
    )
    return presenters.present(view)


@router.get("", response_model=BookingOrderPage)
async def list_booking_orders(
    session: DbSession,
    principal: Reader,
    stage: Annotated[list[Stage] | None, Query()] = None,
    company: Annotated[str | None, Query(max_length=120)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> BookingOrderPage:
    """The booking orders you may see, newest first; filter by stage and company."""
    rows, companies, next_cursor = await service.list_page(
        session, principal, stages=stage or [], company=company, cursor=cursor, limit=limit
    )
    return BookingOrderPage(
        items=[presenters.summary(r, companies[r.company_id]) for r in rows],
        next_cursor=next_cursor,
        has_more=next_cursor is not None,
    )


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            "description": "Every booking order you may see, as an Excel workbook",
        }
    },
)
async def export_booking_orders(
    session: DbSession,
    env: ServiceEnv,
    principal: Finance,
    stage: Annotated[list[Stage] | None, Query()] = None,
    company: Annotated[str | None, Query(max_length=120)] = None,
) -> Response:
    """All booking orders as Excel (admins and finance)."""
    data = await export.export_xlsx(session, env, principal, stages=stage or [], company=company)
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition("booking-orders.xlsx")},
    )


# ---------------------------------------------------------------- company documents


@router.get(
    "/companies/{code}/documents",
    response_model=CompanyDocumentsOut,
    responses={422: {"model": ErrorBody, "description": "Unknown company"}},
)
async def get_company_documents(
    code: Annotated[str, Path(max_length=120)], session: DbSession, principal: Reader
) -> CompanyDocumentsOut:
    """The company's own BO template and stamp (null: the product's defaults are used)."""
    found = await company_documents.company_documents(session, principal, code)
    return presenters.company_documents_out(*found)


def _company_document_endpoint(
    which: company_documents.Which,
) -> Callable[..., Awaitable[CompanyDocumentsOut]]:
    """One handler for the template and the stamp."""

    async def endpoint(
        code: Annotated[str, Path(max_length=120)],
        body: DocumentUpdate,
        session: DbSession,
        env: ServiceEnv,
        principal: Admin,
    ) -> CompanyDocumentsOut:
        found = await company_documents.set_company_document(
            session, env, principal, code, which, body.file_id
        )
        return presenters.company_documents_out(*found)

    return endpoint


# (which, route name, description)
_COMPANY_DOCUMENTS: tuple[tuple[company_documents.Which, str, str], ...] = (
    (
        "template",
        "set_company_template",
        "Use an uploaded XLSX (with a 'BO Form' sheet) as the company's template (admins).",
    ),
    ("stamp", "set_company_stamp", "Use an uploaded PNG or JPEG as the company's stamp (admins)."),
)
for _which, _name, _doc in _COMPANY_DOCUMENTS:
    router.add_api_route(
        f"/companies/{{code}}/{_which}",
        _company_document_endpoint(_which),
        methods=["PUT"],
        name=_name,
        description=_doc,
        response_model=CompanyDocumentsOut,
        responses={404: {"model": ErrorBody, "description": "No such file"}},
    )


# ---------------------------------------------------------------- one booking order


@router.get("/{bo_id}", response_model=BookingOrderOut, responses=NOT_FOUND)
async def get_booking_order(
    bo_id: uuid.UUID, session: DbSession, env: ServiceEnv, principal: Reader
) -> BookingOrderOut:
    """One booking order with its totals, warnings, missing data and the actions you can take."""
    return presenters.present(await service.get_view(session, env, principal, bo_id))


@router.patch("/{bo_id}", response_model=BookingOrderOut, responses={**NOT_FOUND, **CONFLICT})
async def edit_booking_order(
    bo_id: uuid.UUID, body: EditRequest, session: DbSession, env: ServiceEnv, principal: Creator
) -> BookingOrderOut:
    """Change fields and recalculate (the owner in draft, the company's coordinators in review).

    Send the `version` you loaded; if someone changed it since, the answer is 409.
    """
    edits = service.Edits(
        fields=dict(body.fields),
        locations=[
            service.LocationChange(location=c.location, changes=dict(c.changes))
            for c in body.locations
        ],
        add_locations=[
            Location(
                name=n.name,
                asset=n.asset,
                start_date=n.start_date,
                end_date=n.end_date,
                net_amount=n.net_amount,
            )
            for n in body.add_locations
        ],
        remove_locations=list(body.remove_locations),
        currency=body.currency,
    )
    view = await service.edit(session, env, principal, bo_id, edits, version=body.version)
    return presenters.present(view)


# ---------------------------------------------------------------- workflow actions

ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {**NOT_FOUND, **CONFLICT}
# (action, route name, who may call it, body required (a reason), status code, description)
_ACTIONS: tuple[tuple[Action, str, Any, bool, int, str], ...] = (
    (
        Action.SUBMIT,
        "submit_booking_order",
        Creator,
        False,
        200,
        "Send a draft to the company's coordinators (its owner only).",
    ),
    (
        Action.APPROVE,
        "approve_booking_order",
        Reviewer,
        False,
        200,
        "Coordinator approval (to the head of sales), or head-of-sales approval (reference, "
        "signed\nExcel, stamped original, final PDF, finance notified).",
    ),
    (
        Action.REJECT,
        "reject_booking_order",
        Reviewer,
        True,
        200,
        "Send it back one step, with a reason.",
    ),
    (
        Action.CANCEL,
        "cancel_booking_order",
        # The owner, coordinators and heads of sales before approval; finance once booked
        # (the workflow and the permission each step needs decide).
        Reader,
        True,
        200,
        "Cancel at any stage before approval (owner, coordinator, head of sales), or a booked "
        "one (finance or admin; its dates become free), with a reason.",
    ),
    (
        Action.REVISE,
        "revise_booking_order",
        Reviewer,
        False,
        201,
        "Open a new version of an approved booking order in coordinator review (returns it).",
    ),
)


def _action_endpoint(
    action: Action, who: Any, body_required: bool
) -> Callable[..., Awaitable[BookingOrderOut]]:
    """One handler for every workflow action. Its signature is built so FastAPI sees the
    action's permission dependency and whether the body (the reason) is required."""

    async def endpoint(
        bo_id: uuid.UUID,
        session: Any,
        env: service.Env,
        principal: Principal,
        body: ActionRequest | None = None,
    ) -> BookingOrderOut:
        view = await flows.act(
            session,
            env,
            principal,
            bo_id,
            action,
            version=body.version if body else None,
            reason=body.reason if body else None,
        )
        return presenters.present(view)

    param = inspect.Parameter.POSITIONAL_OR_KEYWORD
    body = (
        inspect.Parameter("body", param, annotation=ActionRequest)
        if body_required
        else inspect.Parameter("body", param, annotation=ActionRequest | None, default=None)
    )
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("bo_id", param, annotation=uuid.UUID),
            inspect.Parameter("session", param, annotation=DbSession),
            inspect.Parameter("env", param, annotation=ServiceEnv),
            inspect.Parameter("principal", param, annotation=who),
            body,
        ],
        return_annotation=BookingOrderOut,
    )
    return endpoint


for _action, _name, _who, _body_required, _status, _doc in _ACTIONS:
    router.add_api_route(
        f"/{{bo_id}}/{_action.value}",
        _action_endpoint(_action, _who, _body_required),
        methods=["POST"],
        name=_name,
        description=_doc,
        response_model=BookingOrderOut,
        status_code=_status,
        responses=ACTION_RESPONSES,
    )


@router.post("/{bo_id}/book", response_model=BookingOrderOut, responses=ACTION_RESPONSES)
async def book_booking_order(
    bo_id: uuid.UUID, body: BookRequest, session: DbSession, env: ServiceEnv, principal: Finance
) -> BookingOrderOut:
    """Finance confirms an approved booking order with the client's PO number (required and
    checked): approved → booked. The owner, coordinators and heads of sales are notified."""
    view = await flows.act(
        session, env, principal, bo_id, Action.BOOK, version=body.version, number=body.po_number
    )
    return presenters.present(view)


@router.post("/{bo_id}/invoice", response_model=BookingOrderOut, responses=ACTION_RESPONSES)
async def invoice_booking_order(
    bo_id: uuid.UUID, body: InvoiceRequest, session: DbSession, env: ServiceEnv, principal: Finance
) -> BookingOrderOut:
    """Finance marks a booked booking order invoiced with the invoice number (required and
    checked): booked → invoiced. The owner and the company's finance users are notified."""
    view = await flows.act(
        session,
        env,
        principal,
        bo_id,
        Action.INVOICE,
        version=body.version,
        number=body.invoice_number,
    )
    return presenters.present(view)


@router.post(
    "/{bo_id}/acknowledge-totals", response_model=BookingOrderOut, responses=ACTION_RESPONSES
)
async def acknowledge_booking_order_totals(
    bo_id: uuid.UUID,
    session: DbSession,
    env: ServiceEnv,
    principal: Reviewer,
    body: AcknowledgeRequest | None = None,
) -> BookingOrderOut:
    """A coordinator of the company (or an admin) acknowledges that the document's totals
    differ from the calculated ones; until then it cannot pass coordinator review. Records
    who and when."""
    view = await acknowledgements.acknowledge_totals(
        session, env, principal, bo_id, version=body.version if body else None
    )
    return presenters.present(view)


@router.post("/{bo_id}/documents", response_model=BookingOrderOut, responses=ACTION_RESPONSES)
async def produce_documents(
    bo_id: uuid.UUID, session: DbSession, env: ServiceEnv, principal: Reviewer
) -> BookingOrderOut:
    """Produce the approval documents again (after a failure or a new template or stamp)."""
    return presenters.present(await flows.rerender(session, env, principal, bo_id))


@router.get("/{bo_id}/events", response_model=list[EventOut], responses=NOT_FOUND)
async def booking_order_events(
    bo_id: uuid.UUID, session: DbSession, principal: Reader
) -> list[EventOut]:
    """The timeline: who did what, when and why."""
    return [presenters.event_out(e) for e in await service.timeline(session, principal, bo_id)]


@router.get(
    "/{bo_id}/preview",
    response_class=Response,
    responses={**BINARY, **NOT_FOUND},
)
async def preview_booking_order(
    bo_id: uuid.UUID,
    session: DbSession,
    env: ServiceEnv,
    principal: Reader,
    format: Literal["pdf", "xlsx"] = "pdf",
) -> Response:
    """The form as it stands now, as PDF (with warnings and missing data) or filled Excel."""
    data, media_type, name = await rendering.preview(session, env, principal, bo_id, format)
    disposition = "inline" if format == "pdf" else "attachment"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(name, disposition),
            "X-Content-Type-Options": "nosniff",
        },
    )
