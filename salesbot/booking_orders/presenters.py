"""Booking orders in the API's shape (`schemas`), as one user sees them."""

from __future__ import annotations

from salesbot.assistant.tooling import FileCard
from salesbot.booking_orders.calculations import BookingOrder, Calculated
from salesbot.booking_orders.directory import Company
from salesbot.booking_orders.models import BookingOrderEvent, BookingOrderRow
from salesbot.booking_orders.schemas import (
    BookingOrderFields,
    BookingOrderOut,
    BookingOrderSummary,
    CompanyDocumentsOut,
    CompanyRef,
    EventOut,
    LocationOut,
    Totals,
)
from salesbot.booking_orders.views import View


def company_ref(company: Company) -> CompanyRef:
    return CompanyRef(code=company.code, name=company.name)


def _locations(bo: BookingOrder, calc: Calculated | None) -> list[LocationOut]:
    """Each location with its calculated duration and post-SLA amount (as typed, uncalculated)."""
    out = []
    for index, loc in enumerate(bo.locations):
        totals = calc.locations[index] if calc is not None else None
        out.append(
            LocationOut(
                name=loc.name,
                asset=loc.asset,
                start_date=loc.start_date,
                end_date=loc.end_date,
                campaign_duration=totals.campaign_duration if totals else loc.campaign_duration,
                net_amount=loc.net_amount,
                post_sla=totals.post_sla if totals else (loc.net_amount or 0),
            )
        )
    return out


def _fields(bo: BookingOrder, calc: Calculated | None) -> BookingOrderFields:
    return BookingOrderFields(
        bo_number=bo.bo_number,
        bo_date=bo.bo_date,
        client=bo.client,
        agency=bo.agency,
        brand_campaign=bo.brand_campaign,
        category=bo.category,
        asset=list(bo.asset),
        currency=bo.currency,
        payment_terms=bo.payment_terms,
        sales_person=bo.sales_person,
        commission_pct=bo.commission_pct,
        sla_pct=bo.sla_pct,
        municipality_fee=bo.municipality_fee,
        production_upload_fee=bo.production_upload_fee,
        notes=bo.notes,
        locations=_locations(bo, calc),
    )


def _totals(calc: Calculated | None) -> Totals | None:
    # Totals has a subset of Calculated's fields, named alike.
    return None if calc is None else Totals.model_validate(calc, from_attributes=True)


def present(view: View) -> BookingOrderOut:
    """The API shape of a booking order as this user sees it."""
    row, calc = view.row, view.calc
    return BookingOrderOut(
        id=row.id,
        reference=row.reference,
        revision=row.revision,
        previous_id=row.previous_id,
        company=company_ref(view.company),
        state=row.state,
        version=row.version,
        owner_id=row.owner_id,
        fields=_fields(view.bo, calc),
        totals=_totals(calc),
        warnings=view.warnings,
        missing=list(calc.missing) if calc else [],
        problems=view.problems,
        extraction=row.extraction,
        allowed_actions=[a.value for a in view.allowed],
        editable=view.editable,
        source_file=view.files.get("source"),
        excel_file=view.files.get("excel"),
        stamped_file=view.files.get("stamped"),
        final_pdf_file=view.files.get("final_pdf"),
        hos_name=row.hos_name,
        approved_at=row.approved_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def summary(row: BookingOrderRow, company: Company) -> BookingOrderSummary:
    return BookingOrderSummary(
        id=row.id,
        reference=row.reference,
        revision=row.revision,
        company=company_ref(company),
        state=row.state,
        version=row.version,
        bo_number=row.bo_number,
        client=row.client,
        currency=row.currency,
        gross=row.gross,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def event_out(event: BookingOrderEvent) -> EventOut:
    return EventOut(
        id=event.id,
        action=event.action,
        from_state=event.from_state,
        to_state=event.to_state,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        reason=event.reason,
        details=event.details,
        at=event.created_at,
    )


def company_documents_out(
    company: Company, template: FileCard | None, stamp: FileCard | None
) -> CompanyDocumentsOut:
    return CompanyDocumentsOut(company=company_ref(company), template=template, stamp=stamp)
