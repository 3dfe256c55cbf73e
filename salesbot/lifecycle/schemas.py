"""Request and response models of the data-lifecycle endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator


def _clean(value: str) -> str:
    clean = " ".join(value.split())
    if len(clean) < 3:
        raise ValueError("give a reason of at least 3 characters")
    return clean


class ErasureRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=500, description="Why (kept in the audit log)")

    _reason = field_validator("reason")(_clean)


class ErasureOut(BaseModel):
    user_id: uuid.UUID
    pseudonym: str
    conversations: int
    messages: int
    files_deleted: int
    files_kept: int
    mockups: int
    notifications: int
    booking_orders_pseudonymised: int
    documents_reproduced: int = Field(
        description="Stored booking-order documents rendered again under the pseudonym"
    )
    documents_withdrawn: int = Field(
        description="Booking orders whose documents could not be rendered again and were removed"
    )
    objects_failed: int


class HoldCreate(BaseModel):
    scope: Literal["user", "company", "conversation"]
    target_id: uuid.UUID
    reason: str = Field(min_length=3, max_length=500)

    _reason = field_validator("reason")(_clean)


class HoldOut(BaseModel):
    id: uuid.UUID
    scope: str
    target_id: uuid.UUID
    reason: str
    created_at: datetime
    created_by_id: uuid.UUID | None
    released_at: datetime | None
    released_by_id: uuid.UUID | None


class PolicyValues(BaseModel):
    """Periods of a retention policy; null means the global default (0 turns a rule off)."""

    archive_idle_days: int | None = Field(default=None, ge=0, le=36_500)
    purge_deleted_days: int | None = Field(default=None, ge=0, le=36_500)
    orphan_upload_days: int | None = Field(default=None, ge=0, le=36_500)
    business_record_years: int | None = Field(default=None, ge=1, le=100)


class PolicyOut(BaseModel):
    company_id: uuid.UUID | None
    company: str
    configured: PolicyValues
    effective: PolicyValues


class ExportOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    status: Literal["queued", "running", "done", "failed"]
    progress: int
    size: int | None
    error: str | None
    created_at: datetime
    completed_at: datetime | None
    expires_at: datetime | None
    download_url: str | None


class PreviewItem(BaseModel):
    kind: str
    id: uuid.UUID
    owner_id: uuid.UUID | None
    company_id: uuid.UUID | None
    label: str


class RetentionPreview(BaseModel):
    counts: dict[str, int]
    items: list[PreviewItem] = Field(description="The first 500")
    total: int
