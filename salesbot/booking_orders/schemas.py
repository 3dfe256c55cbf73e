"""Request and response models for the booking-order endpoints.

Amounts travel as decimal strings (or JSON numbers read exactly), never through floats.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from salesbot.booking_orders.workflow import ACTION_NAMES, STATE_NAMES
from salesbot.kit.tools import FileCard

# Built from workflow's one table; mypy cannot follow a computed Literal, so it sees `str`.
if TYPE_CHECKING:
    Stage = str
    ActionName = str
else:
    Stage = Literal[STATE_NAMES]
    ActionName = Literal[ACTION_NAMES]
# A value typed into the form: text, a date as text, or an exact number.
EditValue = Annotated[str, Field(max_length=500)] | Decimal | None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- requests


class IntakeRequest(Strict):
    file_id: uuid.UUID
    company: str | None = Field(
        default=None, max_length=120, description="Company code or name, e.g. viola or Viola"
    )
    notes: str = Field(
        default="",
        max_length=4000,
        description="The user's message; values stated here override the document",
    )


class LocationEdit(Strict):
    location: Annotated[str, Field(min_length=1, max_length=200)] | int = Field(
        description="The location's name, asset, or 0-based index"
    )
    changes: dict[Annotated[str, Field(max_length=40)], EditValue] = Field(max_length=10)


class NewLocation(Strict):
    name: str = Field(min_length=1, max_length=200)
    asset: str = Field(default="", max_length=200)
    start_date: date | None = None
    end_date: date | None = None
    net_amount: Decimal | None = Field(default=None, max_digits=16, decimal_places=2)


class EditRequest(Strict):
    version: int = Field(ge=1, description="The version you are editing (from GET)")
    fields: dict[Annotated[str, Field(max_length=40)], EditValue] = Field(
        default_factory=dict, max_length=30
    )
    locations: list[LocationEdit] = Field(default_factory=list, max_length=50)
    add_locations: list[NewLocation] = Field(default_factory=list, max_length=50)
    remove_locations: list[Annotated[str, Field(min_length=1, max_length=200)] | int] = Field(
        default_factory=list, max_length=50
    )
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{3}$",
        description="Convert every amount to this currency through AED",
    )


class ActionRequest(Strict):
    version: int | None = Field(
        default=None, ge=1, description="The version you saw; a newer one answers 409"
    )
    reason: str | None = Field(default=None, max_length=2000)


class BookRequest(Strict):
    version: int | None = Field(
        default=None, ge=1, description="The version you saw; a newer one answers 409"
    )
    po_number: str | None = Field(
        default=None,
        max_length=200,
        description="The client's PO number as printed, e.g. PO-12345 (required; checked)",
    )


class InvoiceRequest(Strict):
    version: int | None = Field(
        default=None, ge=1, description="The version you saw; a newer one answers 409"
    )
    invoice_number: str | None = Field(
        default=None,
        max_length=200,
        description="The invoice number, e.g. INV-2026-0042 (required; checked)",
    )


class AcknowledgeRequest(Strict):
    version: int | None = Field(
        default=None, ge=1, description="The version you saw; a newer one answers 409"
    )


class DocumentUpdate(Strict):
    file_id: uuid.UUID


# ---------------------------------------------------------------- responses


class LocationOut(BaseModel):
    name: str
    asset: str
    start_date: date | None
    end_date: date | None
    campaign_duration: str
    net_amount: Decimal | None
    post_sla: Decimal


class BookingOrderFields(BaseModel):
    bo_number: str
    bo_date: date | None
    client: str
    agency: str
    brand_campaign: str
    category: str
    asset: list[str]
    currency: str
    payment_terms: str
    sales_person: str
    commission_pct: Decimal | None
    sla_pct: Decimal | None
    municipality_fee: Decimal
    production_upload_fee: Decimal
    notes: str
    locations: list[LocationOut]


class Totals(BaseModel):
    currency: str
    rentals: Decimal
    municipality_fee: Decimal
    production_upload_fee: Decimal
    net_pre_vat: Decimal
    vat: Decimal
    gross: Decimal
    sla_deduction: Decimal
    net_excl_sla: Decimal


class TotalsCheckOut(BaseModel):
    differences: list[str] = Field(
        description="Totals printed on the document that differ from the calculated ones"
    )
    pending: bool = Field(
        description="True until a coordinator acknowledges these differences; the booking "
        "order cannot pass coordinator review while pending"
    )
    acknowledged_by: str | None
    acknowledged_at: datetime | None


class CompanyRef(BaseModel):
    code: str
    name: str


class BookingOrderOut(BaseModel):
    id: uuid.UUID
    reference: str | None
    revision: int
    previous_id: uuid.UUID | None
    company: CompanyRef
    state: Stage
    version: int
    owner_id: uuid.UUID | None
    fields: BookingOrderFields
    totals: Totals | None
    warnings: list[str]
    currency_note: str | None = Field(
        default=None,
        description=(
            "How the amounts typed in this request were read when one was converted or assumed, "
            'e.g. "Amounts read as USD 1,000 (AED 3,672.50 at 3.6725 AED per USD)."'
        ),
    )
    totals_check: TotalsCheckOut
    missing: list[str]
    problems: list[str]
    extraction: str
    allowed_actions: list[ActionName]
    editable: bool
    source_file: FileCard | None
    excel_file: FileCard | None
    stamped_file: FileCard | None
    final_pdf_file: FileCard | None
    hos_name: str | None
    approved_at: datetime | None
    po_number: str | None
    booked_at: datetime | None
    invoice_number: str | None
    invoiced_at: datetime | None
    created_at: datetime
    updated_at: datetime


class BookingOrderSummary(BaseModel):
    id: uuid.UUID
    reference: str | None
    revision: int
    company: CompanyRef
    state: Stage
    version: int
    bo_number: str
    client: str
    currency: str
    gross: Decimal | None
    created_at: datetime
    updated_at: datetime


class BookingOrderPage(BaseModel):
    items: list[BookingOrderSummary]
    next_cursor: str | None = None
    has_more: bool = False


class EventOut(BaseModel):
    id: uuid.UUID
    action: str
    from_state: str | None
    to_state: str
    actor_id: uuid.UUID | None
    actor_name: str
    reason: str | None
    details: dict[str, object]
    at: datetime


class CompanyDocumentsOut(BaseModel):
    company: CompanyRef
    template: FileCard | None = Field(description="None: the product's default template is used")
    stamp: FileCard | None = Field(description="None: the product's default stamp is used")
