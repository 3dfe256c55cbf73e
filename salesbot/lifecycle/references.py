"""Which files are documents of business records (kept through erasure and retention)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from salesbot.booking_orders.models import BookingOrderRow, CompanyDocuments
from salesbot.locations.models import Location
from salesbot.mockups.models import MockupPhoto
from salesbot.proposals.models import ProposalFile
from salesbot.sharing.models import ShareDecision

Reference = InstrumentedAttribute[uuid.UUID] | InstrumentedAttribute[uuid.UUID | None]


def _business_references() -> list[Reference]:
    return [
        ProposalFile.file_id,
        BookingOrderRow.source_file_id,
        BookingOrderRow.excel_file_id,
        BookingOrderRow.stamped_file_id,
        BookingOrderRow.final_pdf_file_id,
        CompanyDocuments.template_file_id,
        CompanyDocuments.stamp_file_id,
        # A location's billboard photo belongs to the catalogue, whoever uploaded it.
        MockupPhoto.file_id,
        # A location's deck and slide photo (and its small copy) belong to the catalogue too.
        Location.template_file_id,
        Location.photo_file_id,
        Location.slide_photo_file_id,
        # A client's signed copy of a proposal (and the original of a booking order from it).
        ShareDecision.accepted_file_id,
    ]


async def business_file_ids(session: AsyncSession, among: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """The ids in `among` that a proposal, a booking order, a company or a location uses."""
    if not among:
        return set()
    wanted = list(among)
    found: set[uuid.UUID] = set()
    for column in _business_references():
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = await session.scalars(select(column).where(column.in_(chunk)))
            found.update(fid for fid in rows.all() if fid is not None)
    return found
