"""Internal BO references `BO-{YYYY}-{NNNN}`: sequential per year, never handed out twice.

The number comes from one counter row per year, incremented by a single upsert inside the
approving transaction. The upsert takes the row lock on PostgreSQL (concurrent approvals from
any number of app instances queue on it, exactly like SELECT ... FOR UPDATE, without a second
round trip); SQLite serialises writers anyway. A rolled-back approval gives its number back, and
the unique constraint on (reference, revision) is the last line of defence.
"""

from __future__ import annotations

import re

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.booking_orders.models import ReferenceCounter

PREFIX = "BO"
REFERENCE_RE = re.compile(r"(?i)\bBO-(\d{4})-(\d{4,})\b")


def format_reference(year: int, number: int) -> str:
    """`(2025, 7)` → `BO-2025-0007`."""
    if number < 1:
        raise ValueError("reference numbers start at 1")
    return f"{PREFIX}-{year:04d}-{number:04d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    """The (year, number) of the first reference in `text`, else None."""
    match = REFERENCE_RE.search(text)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def normalise_reference(text: str) -> str | None:
    """A reference as typed ('bo-2025-7' is not one; 'bo-2025-0007' is) in canonical form."""
    found = parse_reference(text)
    return None if found is None else format_reference(*found)


async def allocate(session: AsyncSession, year: int) -> str:
    """The next reference of `year`; call it inside the transaction that records the approval."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ReferenceCounter)
        .values(year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.year],
            set_={"last_number": ReferenceCounter.last_number + 1},
        )
        .returning(ReferenceCounter.last_number)
    )
    number = (await session.execute(statement)).scalar_one()
    return format_reference(year, int(number))
