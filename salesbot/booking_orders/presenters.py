"""Booking orders in the API's shape (`schemas`), as one user sees them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

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
    TotalsCheckOut,
)
from salesbot.booking_orders.views import View
from salesbot.kit.tools import FileCard


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


def _read(source: object, model: type[BaseModel], *, skip: tuple[str, ...]) -> dict[str, Any]:
    """The model's fields read off `source`: the API names them as the code does."""
    return {name: getattr(source, name) for name in model.model_fields if name not in skip}


def _fields(bo: BookingOrder, calc: Calculated | None) -> BookingOrderFields:
    return BookingOrderFields(
        **_read(bo, BookingOrderFields, skip=("locations",)), locations=_locations(bo, calc)
    )


def _totals(calc: Calculated | None) -> Totals | None:
    # Totals has a subset of Calculated's fields, named alike.
    return None if calc is None else Totals.model_validate(calc, from_attributes=True)


# Filled from the view rather than the row.
_VIEW_FIELDS = (
    "company",
    "fields",
    "totals",
    "warnings",
    "currency_note",
    "totals_check",
    "missing",
    "problems",
    "allowed_actions",
    "editable",
    "source_file",
    "excel_file",
    "stamped_file",
    "final_pdf_file",
)


def _totals_check(view: View) -> TotalsCheckOut:
    check = view.totals_check
    return TotalsCheckOut(
        differences=check.differences,
        pending=check.pending,
        acknowledged_by=check.acknowledged_by,
        acknowledged_at=check.acknowledged_at,
    )


def present(view: View) -> BookingOrderOut:
    """The API shape of a booking order as this user sees it."""
    calc = view.calc
    return BookingOrderOut(
        **_read(view.row, BookingOrderOut, skip=_VIEW_FIELDS),
        company=company_ref(view.company),
        fields=_fields(view.bo, calc),
        totals=_totals(calc),
        warnings=view.warnings,
        currency_note=view.currency_note,
        totals_check=_totals_check(view),
        missing=list(calc.missing) if calc else [],
        problems=view.problems,
        allowed_actions=[a.value for a in view.allowed],
        editable=view.editable,
        source_file=view.files.get("source"),
        excel_file=view.files.get("excel"),
        stamped_file=view.files.get("stamped"),
        final_pdf_file=view.files.get("final_pdf"),
    )


def summary(row: BookingOrderRow, company: Company) -> BookingOrderSummary:
    return BookingOrderSummary(
        **_read(row, BookingOrderSummary, skip=("company",)), company=company_ref(company)
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
