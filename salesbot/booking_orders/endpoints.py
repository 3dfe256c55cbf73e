"""Booking orders over HTTP: intake, list, read, edit, workflow actions, events, previews,
exports, and the companies' templates and stamps."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from salesbot.auth.deps import AUTH_RESPONSES, request_ip, require
from salesbot.auth.service import Principal
from salesbot.booking_orders import service
from salesbot.booking_orders.calculations import Location
from salesbot.booking_orders.schemas import (
    ActionRequest,
    BookingOrderOut,
    BookingOrderPage,
    BookingOrderSummary,
    CompanyDocumentsOut,
    CompanyRef,
    DocumentUpdate,
    EditRequest,
    EventOut,
    IntakeRequest,
    Stage,
)
from salesbot.booking_orders.workflow import Action
from salesbot.files import service as files
from salesbot.files.models import FileRecord
from salesbot.kit.db import DbSession
from salesbot.kit.errors import ErrorBody
from salesbot.kit.storage import content_disposition
from salesbot.users.models import Company

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


def _env(request: Request) -> service.Env:
    state = request.app.state
    return service.Env(
        settings=state.settings,
        storage=state.storage,
        llm=service.llm_model(state.settings),
    )


def _ref(company: Company) -> CompanyRef:
    return CompanyRef(code=company.code, name=company.name)


def _card(record: FileRecord | None) -> Any:
    return files.file_card(record) if record is not None else None


booking_order_out = service.present


def _summary(row: Any, company: Company) -> BookingOrderSummary:
    return BookingOrderSummary(
        id=row.id,
        reference=row.reference,
        revision=row.revision,
        company=_ref(company),
        state=row.state,
        version=row.version,
        bo_number=row.bo_number,
        client=row.client,
        currency=row.currency,
        gross=row.gross,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# ---------------------------------------------------------------- collection


@router.post(
    "",
    response_model=BookingOrderOut,
    status_code=201,
    responses={404: {"model": ErrorBody, "description": "No such file (or not yours)"}},
)
async def create_booking_order(
    body: IntakeRequest, request: Request, session: DbSession, principal: Creator
) -> BookingOrderOut:
    """Read an uploaded booking order (PDF, Excel, CSV, or a photo with an AI provider) into a
    draft. Values stated in `notes` override the document; a document that is not a booking
    order is refused with its classification."""
    view = await service.intake(
        session,
        _env(request),
        principal,
        file_id=body.file_id,
        company=body.company,
        notes=body.notes,
        ip=request_ip(request),
    )
    return booking_order_out(view)


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
        items=[_summary(r, companies[r.company_id]) for r in rows],
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
    request: Request,
    session: DbSession,
    principal: Finance,
    stage: Annotated[list[Stage] | None, Query()] = None,
    company: Annotated[str | None, Query(max_length=120)] = None,
) -> Response:
    """All booking orders as Excel (admins and finance)."""
    data = await service.export_xlsx(
        session,
        _env(request),
        principal,
        stages=stage or [],
        company=company,
        ip=request_ip(request),
    )
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition("booking-orders.xlsx")},
    )


# ---------------------------------------------------------------- company documents


def _documents_out(company: Company, template: Any, stamp: Any) -> CompanyDocumentsOut:
    return CompanyDocumentsOut(company=_ref(company), template=_card(template), stamp=_card(stamp))


@router.get(
    "/companies/{code}/documents",
    response_model=CompanyDocumentsOut,
    responses={422: {"model": ErrorBody, "description": "Unknown company"}},
)
async def get_company_documents(
    code: Annotated[str, Path(max_length=120)], session: DbSession, principal: Reader
) -> CompanyDocumentsOut:
    """The company's own BO template and stamp (null: the product's defaults are used)."""
    company, template, stamp = await service.company_documents(session, principal, code)
    return _documents_out(company, template, stamp)


@router.put(
    "/companies/{code}/template",
    response_model=CompanyDocumentsOut,
    responses={404: {"model": ErrorBody, "description": "No such file"}},
)
async def set_company_template(
    code: Annotated[str, Path(max_length=120)],
    body: DocumentUpdate,
    request: Request,
    session: DbSession,
    principal: Admin,
) -> CompanyDocumentsOut:
    """Use an uploaded XLSX (with a 'BO Form' sheet) as the company's template (admins)."""
    company, template, stamp = await service.set_company_document(
        session, _env(request), principal, code, "template", body.file_id, ip=request_ip(request)
    )
    return _documents_out(company, template, stamp)


@router.put(
    "/companies/{code}/stamp",
    response_model=CompanyDocumentsOut,
    responses={404: {"model": ErrorBody, "description": "No such file"}},
)
async def set_company_stamp(
    code: Annotated[str, Path(max_length=120)],
    body: DocumentUpdate,
    request: Request,
    session: DbSession,
    principal: Admin,
) -> CompanyDocumentsOut:
    """Use an uploaded PNG or JPEG as the company's stamp (admins)."""
    company, template, stamp = await service.set_company_document(
        session, _env(request), principal, code, "stamp", body.file_id, ip=request_ip(request)
    )
    return _documents_out(company, template, stamp)


# ---------------------------------------------------------------- one booking order


@router.get("/{bo_id}", response_model=BookingOrderOut, responses=NOT_FOUND)
async def get_booking_order(
    bo_id: uuid.UUID, request: Request, session: DbSession, principal: Reader
) -> BookingOrderOut:
    """One booking order with its totals, warnings, missing data and the actions you can take."""
    return booking_order_out(await service.get_view(session, _env(request), principal, bo_id))


@router.patch("/{bo_id}", response_model=BookingOrderOut, responses={**NOT_FOUND, **CONFLICT})
async def edit_booking_order(
    bo_id: uuid.UUID, body: EditRequest, request: Request, session: DbSession, principal: Creator
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
    view = await service.edit(session, _env(request), principal, bo_id, edits, version=body.version)
    return booking_order_out(view)


async def _act(
    request: Request,
    session: DbSession,
    principal: Principal,
    bo_id: uuid.UUID,
    action: Action,
    body: ActionRequest | None,
) -> BookingOrderOut:
    view = await service.act(
        session,
        _env(request),
        principal,
        bo_id,
        action,
        version=body.version if body else None,
        reason=body.reason if body else None,
        ip=request_ip(request),
    )
    return booking_order_out(view)


ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {**NOT_FOUND, **CONFLICT}


@router.post("/{bo_id}/submit", response_model=BookingOrderOut, responses=ACTION_RESPONSES)
async def submit_booking_order(
    bo_id: uuid.UUID,
    request: Request,
    session: DbSession,
    principal: Creator,
    body: ActionRequest | None = None,
) -> BookingOrderOut:
    """Send a draft to the company's coordinators (its owner only)."""
    return await _act(request, session, principal, bo_id, Action.SUBMIT, body)


@router.post("/{bo_id}/approve", response_model=BookingOrderOut, responses=ACTION_RESPONSES)
async def approve_booking_order(
    bo_id: uuid.UUID,
    request: Request,
    session: DbSession,
    principal: Reviewer,
    body: ActionRequest | None = None,
) -> BookingOrderOut:
    """Coordinator approval (to the head of sales), or head-of-sales approval (reference, signed
    Excel, stamped original, final PDF, finance notified)."""
    return await _act(request, session, principal, bo_id, Action.APPROVE, body)


@router.post("/{bo_id}/reject", response_model=BookingOrderOut, responses=ACTION_RESPONSES)
async def reject_booking_order(
    bo_id: uuid.UUID,
    body: ActionRequest,
    request: Request,
    session: DbSession,
    principal: Reviewer,
) -> BookingOrderOut:
    """Send it back one step, with a reason."""
    return await _act(request, session, principal, bo_id, Action.REJECT, body)


@router.post("/{bo_id}/cancel", response_model=BookingOrderOut, responses=ACTION_RESPONSES)
async def cancel_booking_order(
    bo_id: uuid.UUID,
    body: ActionRequest,
    request: Request,
    session: DbSession,
    principal: Creator,
) -> BookingOrderOut:
    """Cancel at any stage before approval, with a reason."""
    return await _act(request, session, principal, bo_id, Action.CANCEL, body)


@router.post(
    "/{bo_id}/revise",
    response_model=BookingOrderOut,
    status_code=201,
    responses=ACTION_RESPONSES,
)
async def revise_booking_order(
    bo_id: uuid.UUID,
    request: Request,
    session: DbSession,
    principal: Reviewer,
    body: ActionRequest | None = None,
) -> BookingOrderOut:
    """Open a new version of an approved booking order in coordinator review (returns it)."""
    return await _act(request, session, principal, bo_id, Action.REVISE, body)


@router.post("/{bo_id}/documents", response_model=BookingOrderOut, responses=ACTION_RESPONSES)
async def produce_documents(
    bo_id: uuid.UUID, request: Request, session: DbSession, principal: Reviewer
) -> BookingOrderOut:
    """Produce the approval documents again (after a failure or a new template or stamp)."""
    return booking_order_out(await service.rerender(session, _env(request), principal, bo_id))


@router.get("/{bo_id}/events", response_model=list[EventOut], responses=NOT_FOUND)
async def booking_order_events(
    bo_id: uuid.UUID, session: DbSession, principal: Reader
) -> list[EventOut]:
    """The timeline: who did what, when and why."""
    return [
        EventOut(
            id=e.id,
            action=e.action,
            from_state=e.from_state,
            to_state=e.to_state,
            actor_id=e.actor_id,
            actor_name=e.actor_name,
            reason=e.reason,
            details=e.details,
            at=e.created_at,
        )
        for e in await service.events(session, principal, bo_id)
    ]


@router.get(
    "/{bo_id}/preview",
    response_class=Response,
    responses={**BINARY, **NOT_FOUND},
)
async def preview_booking_order(
    bo_id: uuid.UUID,
    request: Request,
    session: DbSession,
    principal: Reader,
    format: Literal["pdf", "xlsx"] = "pdf",
) -> Response:
    """The form as it stands now, as PDF (with warnings and missing data) or filled Excel."""
    data, media_type, name = await service.preview(session, _env(request), principal, bo_id, format)
    disposition = "inline" if format == "pdf" else "attachment"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(name, disposition),
            "X-Content-Type-Options": "nosniff",
        },
    )
