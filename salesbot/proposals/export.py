"""The proposal history as an Excel sheet, one row per rate option."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.kit import sheets
from salesbot.kit.sheets import safe_cell
from salesbot.proposals import repository, service
from salesbot.proposals.models import Proposal, ProposalLocation
from salesbot.settings import Settings
from salesbot.users import audit
from salesbot.users import service as users

EXPORT_LIMIT = 10_000
_EXPORT_COLUMNS = (
    "Proposal ID",
    "Version",
    "Created",
    "Proposal date",
    "Owner",
    "Kind",
    "Client",
    "Locations",
    "Currency",
    "Payment terms",
    "Option",
    "Net rate",
    "Fee",
    "VAT",
    "Total",
    "Total (AED)",
)


def _export_rows(
    proposal: Proposal, places: Sequence[ProposalLocation], owner: str, settings: Settings
) -> list[list[object]]:
    created = proposal.created_at.astimezone(service.zone(settings)).strftime("%Y-%m-%d %H:%M")
    base: list[object] = [
        str(proposal.id),
        proposal.version,
        created,
        proposal.proposal_date.isoformat(),
        safe_cell(owner),
        proposal.kind,
        safe_cell(proposal.client_name),
        safe_cell(", ".join(p.display_name for p in places)),
        proposal.currency,
        safe_cell(proposal.payment_terms),
    ]
    data = proposal.figures
    package = data.get("package")
    if package:
        durations = ", ".join(
            f"{loc['display_name']} {loc['durations'][0]}" for loc in data["locations"]
        )
        fee = " | ".join(f["text"] for f in package["fees"])
        return [
            [
                *base,
                safe_cell(durations),
                package["net_rate"]["text"],
                fee,
                package["vat"]["text"],
                package["total"]["text"],
                Decimal(package["total"]["aed"]),
            ]
        ]
    rows: list[list[object]] = []
    for loc in data.get("locations", []):
        for option in loc.get("options", []):
            rows.append(
                [
                    *base,
                    safe_cell(f"{loc['display_name']} {option['duration']}"),
                    option["net_rate"]["text"],
                    option["fee"]["text"],
                    option["vat"]["text"],
                    option["total"]["text"],
                    Decimal(option["total"]["aed"]),
                ]
            )
    return rows


async def export_proposals(
    session: AsyncSession,
    principal: Principal,
    *,
    settings: Settings,
    client: str | None = None,
    location: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> bytes:
    """An Excel sheet of the proposals the caller may see (admins: all), one row per option."""
    filters = await service.history_filters(session, client, location, date_from, date_to)
    proposals = await repository.page(
        session, service.visibility(principal), filters, before_id=None, limit=EXPORT_LIMIT
    )
    places = await repository.locations_of(session, [p.id for p in proposals])
    emails = {user.id: user.email for user in await users.list_users(session)}
    rows: list[list[object]] = []
    for proposal in proposals:
        owner = emails.get(proposal.owner_id, "") if proposal.owner_id else ""
        rows += _export_rows(proposal, places.get(proposal.id, []), owner, settings)
    audit.record(
        session, principal, "proposals.export", audit.Target("proposals"), {"count": len(proposals)}
    )
    await session.commit()
    return await to_thread.run_sync(sheets.xlsx, "Proposals", _EXPORT_COLUMNS, rows)
